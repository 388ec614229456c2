from django.conf import settings
from django.db import models
from django.urls import reverse


class PostQuerySet(models.QuerySet):
    def published(self) -> "PostQuerySet":
        return self.filter(published=True)


class Post(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, help_text="The post's address: /<slug>/")
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # Deleting an account must not silently delete what it wrote.
        on_delete=models.PROTECT,
        related_name="posts",
    )
    published = models.BooleanField(default=False, help_text="Only published posts are public.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Serves the front page: published posts, newest first.
            models.Index(fields=["published", "-created_at"], name="blog_post_published_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("blog:post_detail", kwargs={"slug": self.slug})
