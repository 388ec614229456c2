"""Bad settings are refused by the first play of site.yml, before any host is contacted.

The production example inventory points at an address no test may reach, so these runs prove
the refusal happens on the controller: a run that got past validation would fail differently.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
GOOD_SECRETS = {
    "vault_django_secret_key": "k" * 20 + "-not-a-real-key-0123456789",
    "vault_mysql_password": "pa'ss\"wo $rd %s #1 spaçe",
    "vault_mysql_root_password": "ro'ot\"pa $ss %d #2 ñø",
    "vault_django_admin_password": "ad'min\"pw $x %y #3 ü",
}


def run(playbook: str, *extra: str) -> subprocess.CompletedProcess[str]:
    inventory = str(REPO / "inventory/production/hosts.yml")
    return subprocess.run(
        ["ansible-playbook", "-i", inventory, str(REPO / playbook), *extra],
        cwd=REPO,
        env={**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def with_vars(variables: dict) -> tuple[str, str]:
    return ("-e", json.dumps(variables))


def test_good_settings_pass_validation():
    result = run("playbooks/validate.yml", *with_vars(GOOD_SECRETS))
    assert result.returncode == 0, result.stdout[-3000:]


def test_top_level_group_vars_apply_to_site_yml():
    """Without a vault, site.yml stops in its first play naming the vault variables.

    That message comes from group_vars/all/main.yml wiring django_stack_* to vault_*: if the
    top-level group_vars were not loaded for the plays under playbooks/, it would not appear.
    """
    result = run("site.yml")
    assert result.returncode != 0
    assert "django_stack_secret_key is missing" in result.stdout
    assert "Install the Docker engine" not in result.stdout
    assert "UNREACHABLE" not in result.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("vault_django_secret_key", ""),
        ("vault_mysql_password", "CHANGE_ME"),
        ("vault_mysql_root_password", "sh0rt$pw"),
        ("vault_django_admin_password", "change me please, really"),
    ],
)
def test_missing_empty_or_placeholder_secret_is_refused(name, value):
    result = run("site.yml", *with_vars({**GOOD_SECRETS, name: value}))
    assert result.returncode != 0
    variable = (
        "django_stack_"
        + {
            "vault_django_secret_key": "secret_key",
            "vault_mysql_password": "database_password",
            "vault_mysql_root_password": "mysql_root_password",
            "vault_django_admin_password": "admin_password",
        }[name]
    )
    assert f"{variable} is missing" in result.stdout
    assert name in result.stdout, "the message should say which vault value to fix"
    assert value not in result.stdout or value == "", "a secret value leaked into the output"
    assert "UNREACHABLE" not in result.stdout


def test_example_vault_is_refused():
    result = run("site.yml", "-e", "@" + str(REPO / "group_vars/all/vault.yml.example"))
    assert result.returncode != 0
    assert "still the example placeholder" in result.stdout
    assert "UNREACHABLE" not in result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("django_stack_site_names", "www.example.com"),
        ("django_stack_site_names", []),
        ("django_stack_http_port", 70000),
        ("django_stack_project_name", "My Blog"),
        ("django_stack_scheme", "ftp"),
        ("django_web_uwsgi_processes", "many"),
        ("django_stack_wait_timeout", "soon"),
    ],
)
def test_bad_stack_setting_is_refused(variable, value):
    result = run("site.yml", *with_vars({**GOOD_SECRETS, variable: value}))
    assert result.returncode != 0
    assert variable in result.stdout
    assert "UNREACHABLE" not in result.stdout
