from django.apps import AppConfig


class DjangoDeployConfig(AppConfig):
    name = "django_deploy"
    verbose_name = "Deployment"
    default_auto_field = "django.db.models.BigAutoField"
