"""Prepare the database and static files for a new image, and make sure the admin account exists.

The admin account is created when it is missing. After that a release step changes its password
or address only when the deployment's value changed since the last release step: an account
disabled or edited in the admin stays as it was left.

The deployment runs `python manage.py deploy_release` in the new release's web container, started
beside the live one, before that container takes any traffic. Stdout carries exactly one line,
a JSON summary the Ansible role reads to decide whether anything changed:

    {"migrations_applied": 0, "static_files_copied": 0, "admin": "unchanged",
     "migrations": ["admin.0001_initial", ...]}

"migrations" lists every migration applied once the step is done; the deployment keeps it with
the release, so a rollback can say which migrations came after the release it goes back to.

On failure the command exits with status 1 and one line on stderr that names the step that
failed (migrate, collectstatic or admin). It never prints the admin password.
"""

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.staticfiles.management.commands.collectstatic import (
    Command as CollectStaticCommand,
)
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from django_deploy.environment import read_secret
from django_deploy.models import AppliedAdminAccount

AdminResult = Literal["created", "updated", "unchanged"]
T = TypeVar("T")


@dataclass(frozen=True)
class AdminAccount:
    username: str
    password: str = field(repr=False)
    # None leaves an existing account's address alone.
    email: str | None


class InvalidInput(Exception):
    pass


def admin_account_from_env() -> AdminAccount:
    """Read and validate the admin account before anything changes, so bad input costs nothing."""
    username = os.environ.get("DJANGO_ADMIN_USERNAME", "").strip()
    # Not stripped: spaces are legitimate password characters. Read from DJANGO_ADMIN_PASSWORD_FILE
    # when set, as the deployment does.
    password = read_secret("DJANGO_ADMIN_PASSWORD")
    email = os.environ.get("DJANGO_ADMIN_EMAIL", "").strip() or None

    missing = [
        name
        for name, value in (
            ("DJANGO_ADMIN_USERNAME", username),
            ("DJANGO_ADMIN_PASSWORD", password),
        )
        if not value
    ]
    if missing:
        raise InvalidInput(f"set {' and '.join(missing)}")
    try:
        if email is not None:
            validate_email(email)
    except ValidationError as error:
        raise InvalidInput(f"DJANGO_ADMIN_EMAIL: {' '.join(error.messages)}") from None
    try:
        validate_password(password, get_user_model()(username=username, email=email or ""))
    except ValidationError as error:
        raise InvalidInput(f"DJANGO_ADMIN_PASSWORD: {' '.join(error.messages)}") from None
    return AdminAccount(username=username, password=password, email=email)


def apply_migrations() -> int:
    recorder = MigrationRecorder(connections[DEFAULT_DB_ALIAS])
    before = set(recorder.applied_migrations())
    call_command("migrate", interactive=False, verbosity=0)
    return len(set(recorder.applied_migrations()) - before)


def applied_migrations() -> list[str]:
    recorder = MigrationRecorder(connections[DEFAULT_DB_ALIAS])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def collect_static_files() -> int:
    """Files collectstatic copied; 0 for a project without django.contrib.staticfiles."""
    if not apps.is_installed("django.contrib.staticfiles"):
        return 0
    command = CollectStaticCommand()
    call_command(command, interactive=False, verbosity=0)
    return len(command.copied_files)


def ensure_admin(account: AdminAccount) -> AdminResult:
    """Create the account when it is missing; otherwise change a field only when the deployment's
    value for it changed since the last release step, so edits made in the admin stick (a
    disabled account stays disabled, a password changed there is kept)."""
    users = get_user_model()._default_manager
    with transaction.atomic():
        user = users.select_for_update().filter(username=account.username).first()
        applied = (
            AppliedAdminAccount.objects.select_for_update()
            .filter(username=account.username)
            .first()
        )
        if user is None:
            users.create_superuser(
                username=account.username, email=account.email or "", password=account.password
            )
            record_applied(applied, account)
            return "created"

        changed = False
        # No record: the first release step of this version on an existing site, when every
        # release step set the password.
        password_changed = applied is None or not check_password(account.password, applied.password)
        if password_changed and not user.check_password(account.password):
            user.set_password(account.password)
            changed = True
        email_changed = applied is None or applied.email != (account.email or "")
        if account.email is not None and email_changed and user.email != account.email:
            user.email = account.email
            changed = True
        if changed:
            user.save()
        if password_changed or email_changed:
            record_applied(applied, account)
        return "updated" if changed else "unchanged"


def record_applied(applied: AppliedAdminAccount | None, account: AdminAccount) -> None:
    applied = applied or AppliedAdminAccount(username=account.username)
    applied.password = make_password(account.password)
    applied.email = account.email or ""
    applied.save()


def one_line(error: Exception) -> str:
    message = " ".join(str(error).split())
    if isinstance(error, InvalidInput):
        return message
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


class Command(BaseCommand):
    help = (
        "Apply migrations, collect static files and create or update the admin account "
        "from DJANGO_ADMIN_USERNAME, DJANGO_ADMIN_PASSWORD and DJANGO_ADMIN_EMAIL. "
        "Prints one line of JSON saying what changed."
    )

    def handle(self, *args, **options) -> None:
        account = self.run_step("admin", admin_account_from_env)
        migrations_applied = self.run_step("migrate", apply_migrations)
        static_files_copied = self.run_step("collectstatic", collect_static_files)
        admin = self.run_step("admin", ensure_admin, account)
        summary = {
            "migrations_applied": migrations_applied,
            "static_files_copied": static_files_copied,
            "admin": admin,
            "migrations": self.run_step("migrate", applied_migrations),
        }
        self.stdout.write(json.dumps(summary))

    def run_step(self, name: str, step: Callable[..., T], *args: object) -> T:
        try:
            return step(*args)
        # Whatever goes wrong, the deployment needs one line that says which step it was.
        except Exception as error:
            raise CommandError(f"{name} failed: {one_line(error)}") from error
