"""Bad settings are refused by the first play of site.yml, before any host is contacted.

The production example inventory points at an address no test may reach, so these runs prove
the refusal happens on the controller: a run that got past validation would fail differently.
"""

import json
import re
import shutil
from pathlib import Path

import pytest
from playbook import REPO, run_playbook

PRODUCTION = REPO / "inventory/production"
GOOD_SECRETS = {
    "vault_django_web_secret_key": "k" * 20 + "-not-a-real-key-0123456789",
    "vault_django_stack_database_password": "pa'ss\"wo $rd %s #1 spaçe",
    "vault_mysql_server_root_password": "ro'ot\"pa $ss %d #2 ñø",
    "vault_django_web_admin_password": "ad'min\"pw $x %y #3 ü",
}


def run(playbook: str, *extra: str, inventory: Path = PRODUCTION / "hosts.yml"):
    return run_playbook(playbook, *extra, inventory=inventory, check=False, timeout=300)


def with_vars(variables: dict) -> tuple[str, str]:
    return ("-e", json.dumps(variables))


def refused_before_any_host(result, *names: str) -> None:
    assert result.returncode != 0, result.stdout[-3000:]
    for name in names:
        assert name in result.stdout, f"the refusal does not name {name}: {result.stdout[-3000:]}"
    assert "UNREACHABLE" not in result.stdout
    assert "Install the Docker engine" not in result.stdout


def test_good_settings_pass_validation():
    result = run("playbooks/validate.yml", *with_vars(GOOD_SECRETS))
    assert result.returncode == 0, result.stdout[-3000:]


def test_without_a_vault_site_yml_names_each_secret_and_its_vault_value():
    result = run("site.yml")
    refused_before_any_host(
        result, *(f"{name.removeprefix('vault_')} is missing" for name in GOOD_SECRETS)
    )
    for name in GOOD_SECRETS:
        assert name in result.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("vault_django_web_secret_key", ""),
        ("vault_django_stack_database_password", "CHANGE_ME"),
        ("vault_mysql_server_root_password", "sh0rt$pw"),
        ("vault_django_web_admin_password", "change me please, really"),
    ],
)
def test_empty_short_or_placeholder_secret_is_refused(name, value):
    result = run("site.yml", *with_vars({**GOOD_SECRETS, name: value}))
    # The vault value is named after the variable it feeds: no table maps one to the other.
    refused_before_any_host(result, name.removeprefix("vault_"), name)
    assert value not in result.stdout or value == "", "a secret value leaked into the output"


def test_example_vault_is_refused():
    example = PRODUCTION / "group_vars/all/vault.yml.example"
    result = run("site.yml", "-e", f"@{example}")
    refused_before_any_host(result, "still the example placeholder")


# A sample on a host no test can reach; molecule/default/tests/test_bad_settings.py runs the whole
# table (molecule/resources/bad_settings.py) against a deployed host.
@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("django_stack_site_names", "www.example.com"),
        ("django_stack_site_names", []),
        ("django_stack_http_port", 70000),
        ("django_stack_project_name", "My Blog"),
        ("django_web_scheme", "ftp"),
        ("django_web_uwsgi_processes", "many"),
        ("django_stack_wait_timeout", "soon"),
        ("django_stack_root", "/etc"),
        # A trailing slash changes nothing: still a system directory, still inside another.
        ("django_stack_root", "/etc/"),
        ("django_web_build_dir", "/srv/blog/"),
        ("django_web_system_packages", ["libmagic1 $(id)"]),
        ("django_web_build_packages", "libpq-dev"),
        # Passed the old checks, then broke on the host (the timer) or at the Docker API.
        ("site_backup_schedule", "every day"),
        ("nginx_proxy_acme_renew_calendar", "Fri..Mon 03:00"),
        ("django_stack_networks", {"backend": {"name": "host", "internal": True}}),
        ("django_stack_networks", {"backend": {"name": "bridge", "internal": False}}),
    ],
)
def test_bad_setting_is_refused(variable, value):
    result = run("site.yml", *with_vars({**GOOD_SECRETS, variable: value}))
    refused_before_any_host(result, variable)


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    """A copy of the production inventory with a plain-text vault in its group_vars/all."""
    copy = tmp_path / "inventory"
    shutil.copytree(PRODUCTION, copy)
    vault = copy / "group_vars/all/vault.yml"
    vault.write_text("---\n" + "".join(f"{k}: {json.dumps(v)}\n" for k, v in GOOD_SECRETS.items()))
    return copy


def test_inventory_group_vars_all_is_read(inventory: Path):
    """The site names (required, no default) and the secrets come only from group_vars/all."""
    result = run("playbooks/validate.yml", inventory=inventory / "hosts.yml")
    assert result.returncode == 0, result.stdout[-3000:]


def test_value_in_inventory_group_vars_all_takes_effect(inventory: Path):
    (inventory / "group_vars/all/port.yml").write_text("---\ndjango_stack_http_port: 70000\n")
    result = run("site.yml", inventory=inventory / "hosts.yml")
    refused_before_any_host(result, "django_stack_http_port: 70000")


def test_settings_in_top_level_group_vars_are_refused(tmp_path: Path):
    stray = REPO / "group_vars/all/stray-test-settings.yml"
    stray.parent.mkdir(exist_ok=True)
    stray.write_text("---\ndjango_stack_http_port: 8080\n")
    try:
        result = run("playbooks/validate.yml", *with_vars(GOOD_SECRETS))
    finally:
        stray.unlink()
        if not any(stray.parent.iterdir()):
            stray.parent.rmdir()
    refused_before_any_host(result, "group_vars/all/stray-test-settings.yml")


def repository_files(*patterns: str) -> list[Path]:
    skip = {".git", ".venv", ".venv-legacy", ".cache", "__pycache__"}
    return [
        path
        for pattern in patterns
        for path in REPO.rglob(pattern)
        if path.is_file() and not skip.intersection(path.relative_to(REPO).parts)
    ]


def test_every_vault_value_feeds_the_variable_it_is_named_after():
    wiring = re.compile(r"^\s*([a-z0-9_]+):\s*[\"']\{\{\s*vault_([a-z0-9_]+)\s*\}\}[\"']\s*$")
    found = 0
    for path in repository_files("*.yml", "*.yaml", "*.example"):
        for line in path.read_text().splitlines():
            if re.search(r"\{\{\s*vault_", line) and not line.lstrip().startswith("#"):
                match = wiring.match(line)
                assert match, f"{path}: a vault value is used other than as X: vault_X: {line}"
                assert match.group(1) == match.group(2), f"{path}: {line}"
                found += 1
    assert found >= 4


def test_no_role_runs_another_roles_task_files():
    include = re.compile(r"(include|import)_role:.*?tasks_from", re.DOTALL)
    for path in (REPO / "roles").rglob("tasks/*.yml"):
        for task in path.read_text().split("\n- "):
            assert not include.search(task), f"{path} runs another role's tasks_from: {task}"
