"""What the deployment last applied to the admin account, so a deploy changes only what its
settings changed: an account someone edited in the admin (disabled it, changed its password or
address) stays as they left it until the deployment's own value for that field changes."""

from django.db import models


class AppliedAdminAccount(models.Model):
    username = models.CharField(max_length=150, unique=True)
    # A password hash (Django's hasher, like auth.User.password) of the deployment's value.
    password = models.CharField(max_length=128)
    # The address the deployment set; empty when it set none.
    email = models.CharField(max_length=254, blank=True)
    applied_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.username
