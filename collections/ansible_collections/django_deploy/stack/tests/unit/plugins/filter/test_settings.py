"""plugins/filter/settings.py: what makes a rerun skip a role, and which host directories are
refused, computed on the controller from plain settings."""

import pytest
from ansible_collections.django_deploy.stack.plugins.filter import settings

ROLES = {
    "docker_engine": {"settings": ["docker_engine", "django_stack_swarm"]},
    "deploy_lock": {"settings": ["deploy_lock", "django_stack"], "fingerprint": False},
    "nginx_proxy": {"settings": ["nginx_proxy", "django_stack", "vault"]},
    "django_web": {"settings": ["django_web", "django_stack", "vault"], "code": True},
}
DIGESTS = {"project": "p1", "code": "c1", "requirements": "r1"}
SETTINGS = {
    "docker_engine_registry_mirrors": ["http://mirror:5000"],
    "django_stack_http_port": 8080,
    "nginx_proxy_uwsgi_read_timeout": 60,
    "django_web_source_dir": "/home/me/site",
    "vault_django_web_secret_key": "s3cret",
}


def fingerprints(settings_: dict = SETTINGS, digests: dict = DIGESTS) -> dict:
    return settings.role_fingerprints(settings_, ROLES, digests)


def test_each_role_but_the_unskippable_gets_a_fingerprint():
    result = fingerprints()
    assert sorted(result) == ["django_web", "docker_engine", "nginx_proxy"]
    assert set(result["django_web"]) == {"settings", "code"}
    assert result["django_web"]["code"] == "c1"


def test_a_setting_changes_only_the_roles_that_read_it():
    before = fingerprints()
    after = fingerprints({**SETTINGS, "nginx_proxy_uwsgi_read_timeout": 90})
    assert after["nginx_proxy"] != before["nginx_proxy"]
    assert after["docker_engine"] == before["docker_engine"]
    assert after["django_web"] == before["django_web"]


def test_a_shared_setting_changes_every_role_that_shares_it():
    before, after = fingerprints(), fingerprints({**SETTINGS, "django_stack_http_port": 8081})
    assert after["nginx_proxy"] != before["nginx_proxy"]
    assert after["django_web"]["settings"] != before["django_web"]["settings"]
    assert after["docker_engine"] == before["docker_engine"]


def test_a_prefix_that_is_a_whole_setting_name_counts_that_setting():
    before = fingerprints()
    swarm = fingerprints({**SETTINGS, "django_stack_swarm": True})
    assert swarm["docker_engine"] != before["docker_engine"]


def test_code_alone_changes_only_the_code_part():
    before = fingerprints()
    after = fingerprints(digests={**DIGESTS, "code": "c2"})
    assert after["django_web"]["settings"] == before["django_web"]["settings"]
    assert after["django_web"]["code"] == "c2"
    assert after["nginx_proxy"] == before["nginx_proxy"]


def test_requirements_change_the_code_roles_settings_part():
    before = fingerprints()
    after = fingerprints(digests={**DIGESTS, "requirements": "r2"})
    assert after["django_web"]["settings"] != before["django_web"]["settings"]


def test_the_project_digest_changes_every_role():
    before = fingerprints()
    after = fingerprints(digests={**DIGESTS, "project": "p2"})
    assert all(after[role] != before[role] for role in after)


def test_where_the_code_lies_and_run_switches_count_for_nothing():
    before = fingerprints()
    moved = {**SETTINGS, "django_web_source_dir": "/elsewhere", "deploy_lock_break": True}
    assert fingerprints({**moved, "django_stack_skip_unchanged": False}) == before


def test_a_file_setting_counts_with_its_content(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("first")
    with_file = {**SETTINGS, "django_web_build_ca_file": str(bundle)}
    before = fingerprints(with_file)
    bundle.write_text("second")
    assert fingerprints(with_file)["django_web"] != before["django_web"]


def test_checked_settings_key_follows_settings_and_whether_the_code_is_a_project(tmp_path):
    key = settings.checked_settings_key(SETTINGS, "p1", str(tmp_path))
    assert key == settings.checked_settings_key(SETTINGS, "p1", str(tmp_path))
    changed = {**SETTINGS, "django_stack_http_port": 1}
    assert settings.checked_settings_key(changed, "p1", str(tmp_path)) != key
    (tmp_path / "manage.py").write_text("")
    assert settings.checked_settings_key(SETTINGS, "p1", str(tmp_path)) != key


DIRS = {
    "django_stack_root": "/srv/blog",
    "mysql_server_data_dir": "/srv/blog/data/mysql",
    "django_stack_static_dir": "/srv/blog/data/static",
    "site_backup_dir": "/srv/blog/backups",
}


def test_directories_of_their_own_pass():
    assert settings.directory_errors(DIRS) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"django_stack_root": "/etc"},
            ['django_stack_root: "/etc" is, or lies in, a system directory.'],
        ),
        # A trailing slash and doubled slashes change nothing.
        (
            {"django_stack_root": "/etc//"},
            ['django_stack_root: "/etc" is, or lies in, a system directory.'],
        ),
        (
            {"site_backup_dir": "/srv/blog/data/static/backups"},
            [
                'site_backup_dir: "/srv/blog/data/static/backups" lies inside'
                ' django_stack_static_dir ("/srv/blog/data/static").'
            ],
        ),
        (
            {"site_backup_dir": "/srv/blog/data/mysql/"},
            [
                "mysql_server_data_dir and site_backup_dir are the same directory,"
                ' "/srv/blog/data/mysql".'
            ],
        ),
        (
            {"site_backup_dir": "/var/log"},
            ['site_backup_dir: "/var/log" is, or lies in, a system directory.'],
        ),
        (
            {"site_backup_dir": "/usr/local/backups"},
            ['site_backup_dir: "/usr/local/backups" is, or lies in, a system directory.'],
        ),
    ],
)
def test_overlapping_or_system_directories_are_named(changes, expected):
    assert settings.directory_errors({**DIRS, **changes}) == expected


def test_a_root_in_a_system_directory_explains_the_directories_below_it():
    errors = settings.directory_errors(
        {**DIRS, "django_stack_root": "/usr/blog", "mysql_server_data_dir": "/usr/blog/mysql"}
    )
    assert errors == ['django_stack_root: "/usr/blog" is, or lies in, a system directory.']
