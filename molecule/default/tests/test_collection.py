"""The collection installs the Ansible way and deploys from a playbook outside this repository.

`ansible-galaxy collection build` makes the tarball; it is installed offline into a project
directory of its own (with a copy of the sample site as that project's Django code), and the
playbook of the README's "Use the roles in your own playbook" runs from there against the test
host, with only that installed copy on its collections path.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import requests
from conftest import BASE_URL, PROJECT
from playbook import REPO, run_playbook

COLLECTION = REPO / "collections/ansible_collections/django_deploy/stack"
AUDIT_LOG = f"/srv/{PROJECT}/logs/deploy.log"


def galaxy(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("ansible-galaxy")), "collection", *args]
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"
    return result


def readme_playbooks() -> list[str]:
    """The playbooks the README gives users, as they would copy them: a role list, then the same
    roles as steps under the deploy lock."""
    section = (REPO / "README.md").read_text().split("### Use the roles in your own playbook")[1]
    return re.findall(r"```yaml\n(.*?)```", section.split("\n## ")[0], re.DOTALL)


def test_collection_tarball_deploys_the_site_from_a_playbook_outside_the_repository(host, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "ansible.cfg").write_text("[defaults]\ncollections_path = ./collections\n")
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(project / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(project / "collections"),
        "ANSIBLE_ROLES_PATH": str(project / "roles"),
    }

    galaxy("build", "--output-path", str(tmp_path / "dist"), str(COLLECTION), cwd=tmp_path, env=env)
    (tarball,) = (tmp_path / "dist").glob("django_deploy-stack-*.tar.gz")
    galaxy("install", "--offline", "-p", "./collections", str(tarball), cwd=project, env=env)
    listed = galaxy("list", "django_deploy.stack", cwd=project, env=env).stdout
    assert str(project / "collections" / "ansible_collections") in listed, listed

    shutil.copytree(
        REPO / "django_site", project / "mysite", ignore=shutil.ignore_patterns("__pycache__")
    )
    roles_playbook, locked_playbook = readme_playbooks()
    (project / "deploy.yml").write_text(roles_playbook)
    (project / "locked.yml").write_text(locked_playbook)

    inventory = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "inventory"
    run_env = {
        key: env[key]
        for key in ("ANSIBLE_CONFIG", "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_ROLES_PATH")
    }
    result = run_playbook(
        project / "deploy.yml", inventory=inventory, cwd=project, env=run_env, timeout=1200
    )

    # Every role of the README's list ran, from the installed copy (the only one on the path).
    for role in ("docker_engine", "site_backup", "mysql_server", "django_web", "nginx_proxy"):
        assert f"django_deploy.stack.{role} : " in result.stdout, role
    response = requests.get(BASE_URL + "/", timeout=10)
    assert response.status_code == 200

    # The same roles as steps of the lock wrapper: the run leaves its line in the audit log and
    # releases the lock.
    audit_lines = len(host.file(AUDIT_LOG).content_string.splitlines())
    result = run_playbook(
        project / "locked.yml", inventory=inventory, cwd=project, env=run_env, timeout=1200
    )
    assert "django_deploy.stack.deploy_lock : Take the deploy lock" in result.stdout
    log = host.file(AUDIT_LOG).content_string.splitlines()
    assert len(log) == audit_lines + 1, log[audit_lines:]
    assert re.search(r" deploy release=\S+ previous=\S+ changed=\S+ result=ok$", log[-1]), log[-1]
    assert not host.file(f"/srv/{PROJECT}/deploy.lock").exists
    assert requests.get(BASE_URL + "/", timeout=10).status_code == 200
