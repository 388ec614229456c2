from django.views.generic import DetailView, ListView

from .models import Post


class PostListView(ListView):
    queryset = Post.objects.published().select_related("author")
    paginate_by = 10


class PostDetailView(DetailView):
    # Unpublished posts are drafts: they answer 404 exactly like posts that don't exist.
    queryset = Post.objects.published().select_related("author")
