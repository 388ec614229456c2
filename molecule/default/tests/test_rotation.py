"""Secret rotation: a value changed in the vault reaches every place that uses it on the next
site.yml, with the data intact and the site serving; sessions survive a new secret key; the
admin account keeps what was changed in the admin unless the vault's value changed.

The test host's secrets are a fixed core plus a per-run suffix kept in a file (host_vars); a
rotation writes a new suffix, exactly as a user edits the vault, and later tests read the new
values through conftest.secret().
"""

import os
import secrets
import uuid
from pathlib import Path

import pytest
import requests
from conftest import (
    BASE_URL,
    PROJECT,
    RequestLoop,
    create_post,
    login,
    run_site_yml,
    secret,
    wait_for_site,
)
from playbook import failures


def rotate(*variables: str) -> None:
    """New random suffixes, 50 characters like the first ones of the secret key (Django's
    check --deploy wants a key of 50 characters or more)."""
    for variable in variables:
        suffix = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "secrets" / variable
        suffix.write_text(secrets.token_urlsafe(38)[:50])


def can_log_in_as(host, user: str, password: str) -> bool:
    """A TCP login to the database server from inside its container, the password in the
    client's environment (never an argument)."""
    result = host.run(
        "docker exec -e MYSQL_PWD=%s %s_mysql mariadb --protocol=tcp -h127.0.0.1 -u%s -e 'DO 1'",
        password,
        PROJECT,
        user,
    )
    return result.rc == 0


def django_shell(host, code: str) -> str:
    return host.check_output(
        "docker exec %s_web python manage.py shell -v 0 -c %s", PROJECT, code
    ).strip()


def test_database_passwords_and_secret_key_rotate_without_losing_data_or_sessions(host):
    session = requests.Session()
    login(session, secret("vault_django_web_admin_password"))
    title = f"Before rotation {uuid.uuid4().hex[:8]}"
    create_post(session, title)
    old_key_session = session.cookies.get("sessionid")
    old_database_password = secret("vault_django_stack_database_password")
    old_root_password = secret("vault_mysql_server_root_password")

    rotate(
        "vault_django_stack_database_password",
        "vault_mysql_server_root_password",
        "vault_django_web_secret_key",
    )
    with RequestLoop() as loop:
        result = run_site_yml()
    print(f"requests during the rotation: {loop.sent}, failed: {len(loop.failed)}")
    changed = "New password set in the running server for root@localhost, root@%, blog@%"
    assert changed in result.stdout, failures(result.stdout)
    assert "Old password no longer accepted for blog@%" in result.stdout
    # The live release kept connecting with the old password until its successor took over.
    loop.assert_none_failed()

    assert can_log_in_as(host, "root", secret("vault_mysql_server_root_password"))
    assert can_log_in_as(host, PROJECT, secret("vault_django_stack_database_password"))
    assert not can_log_in_as(host, "root", old_root_password)
    assert not can_log_in_as(host, PROJECT, old_database_password)
    assert title in wait_for_site().text
    # Signed with the old key, still valid: it is a fallback now.
    assert session.cookies.get("sessionid") == old_key_session
    admin = session.get(f"{BASE_URL}/admin/", timeout=10, allow_redirects=False)
    assert admin.status_code == 200, "the session did not survive the secret key rotation"
    assert host.file(f"/srv/{PROJECT}/secrets/web/secret_key_fallbacks").mode == 0o400

    again = run_site_yml()
    assert "changed=0" in again.stdout.split("PLAY RECAP")[-1], failures(again.stdout)


def test_admin_password_rotation_keeps_a_disabled_admin_disabled(host):
    old_password = secret("vault_django_web_admin_password")
    django_shell(
        host,
        "from django.contrib.auth.models import User; User.objects.filter(username='admin')"
        ".update(is_active=False)",
    )
    try:
        rotate("vault_django_web_admin_password")
        run_site_yml()
        new_password = secret("vault_django_web_admin_password")
        state = django_shell(
            host,
            "from django.contrib.auth.models import User; u = User.objects.get(username='admin'); "
            f"print(u.is_active, u.check_password({new_password!r}), "
            f"u.check_password({old_password!r}))",
        )
        assert state == "False True False"
    finally:
        django_shell(
            host,
            "from django.contrib.auth.models import User; User.objects.filter(username='admin')"
            ".update(is_active=True)",
        )
    login(requests.Session(), secret("vault_django_web_admin_password"))
    with pytest.raises(AssertionError):
        login(requests.Session(), old_password)
