from datetime import timedelta

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from .models import Post


def make_post(author, title: str, *, published: bool = True, age: timedelta | None = None) -> Post:
    post = Post.objects.create(
        title=title,
        slug=title.lower().replace(" ", "-"),
        body=f"The body of {title}.",
        author=author,
        published=published,
    )
    if age is not None:
        # created_at is set on insert; posts made in one loop would tie without this.
        post.created_at = timezone.now() - age
        Post.objects.filter(pk=post.pk).update(created_at=post.created_at)
    return post


class PostListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = get_user_model().objects.create_user("writer")

    def test_shows_published_posts_only(self):
        make_post(self.author, "Out now")
        make_post(self.author, "Still a draft", published=False)

        response = self.client.get(reverse("blog:post_list"))

        self.assertContains(response, "Out now")
        self.assertContains(response, 'href="/out-now/"')
        self.assertNotContains(response, "Still a draft")

    def test_paginates_ten_posts_per_page_newest_first(self):
        for number in range(1, 13):
            make_post(self.author, f"Post {number}", age=timedelta(days=number))

        first_page = self.client.get(reverse("blog:post_list"))
        second_page = self.client.get(reverse("blog:post_list"), {"page": 2})

        self.assertEqual(
            [post.title for post in first_page.context["post_list"]],
            [f"Post {number}" for number in range(1, 11)],
        )
        self.assertContains(first_page, "?page=2")
        self.assertEqual(
            [post.title for post in second_page.context["post_list"]], ["Post 11", "Post 12"]
        )

    def test_page_out_of_range_is_not_found(self):
        make_post(self.author, "Lonely post")

        with self.assertLogs("django.request", "WARNING"):
            response = self.client.get(reverse("blog:post_list"), {"page": 2})

        self.assertEqual(response.status_code, 404)

    def test_empty_blog_points_to_the_admin(self):
        response = self.client.get(reverse("blog:post_list"))

        self.assertContains(response, "No posts yet")
        self.assertContains(response, reverse("admin:blog_post_add"))

    def test_layout_links_hashed_stylesheet_and_admin(self):
        response = self.client.get(reverse("blog:post_list"))

        self.assertRegex(response.content.decode(), r'href="/static/blog/style\.[0-9a-f]{12}\.css"')
        self.assertContains(response, f'href="{reverse("admin:index")}"')


class PostDetailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = get_user_model().objects.create_user("writer")

    def test_published_post_is_shown(self):
        post = make_post(self.author, "Hello world")

        response = self.client.get(post.get_absolute_url())

        self.assertEqual(post.get_absolute_url(), "/hello-world/")
        self.assertContains(response, "<title>Hello world | Blog</title>", html=True)
        self.assertContains(response, "The body of Hello world.")

    def test_unpublished_post_is_not_found(self):
        post = make_post(self.author, "Secret draft", published=False)

        with self.assertLogs("django.request", "WARNING"):
            response = self.client.get(post.get_absolute_url())

        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "Secret draft", status_code=404)

    def test_unknown_slug_is_not_found(self):
        with self.assertLogs("django.request", "WARNING"):
            response = self.client.get("/no-such-post/")

        self.assertContains(response, "Page not found", status_code=404)


class PostAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = get_user_model().objects.create_superuser("boss", "boss@example.com")

    def setUp(self):
        self.client.force_login(self.admin)

    def test_changelist_lists_and_searches_posts(self):
        make_post(self.admin, "Apples", published=False)
        make_post(self.admin, "Pears")

        everything = self.client.get(reverse("admin:blog_post_changelist"))
        searched = self.client.get(reverse("admin:blog_post_changelist"), {"q": "apples"})
        drafts = self.client.get(reverse("admin:blog_post_changelist"), {"published__exact": "0"})

        self.assertContains(everything, "Apples")
        self.assertContains(everything, "Pears")
        self.assertEqual([post.title for post in searched.context["cl"].result_list], ["Apples"])
        self.assertEqual([post.title for post in drafts.context["cl"].result_list], ["Apples"])

    def test_add_form_defaults_author_to_current_user(self):
        response = self.client.get(reverse("admin:blog_post_add"))

        self.assertEqual(response.context["adminform"].form.initial["author"], self.admin.pk)

    def test_post_written_in_admin_is_published_on_the_site(self):
        response = self.client.post(
            reverse("admin:blog_post_add"),
            {
                "title": "From the admin",
                "slug": "from-the-admin",
                "body": "Written in the admin.",
                "author": self.admin.pk,
                "published": "on",
            },
        )

        self.assertRedirects(response, reverse("admin:blog_post_changelist"))
        self.assertContains(self.client.get("/from-the-admin/"), "Written in the admin.")
