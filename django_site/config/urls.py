from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Blog administration"
admin.site.site_title = "Blog admin"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("blog.urls")),
]

# Serves uploads only under DEBUG (static() returns [] otherwise); nginx serves them in production.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
