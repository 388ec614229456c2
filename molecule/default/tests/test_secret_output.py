"""No secret reaches the deploy's output, at the highest verbosity, whether it works or not.

Runs site.yml -vvv twice against the deployed host: once as it is, once with a web container
that crash-loops (uWSGI told it needs a plugin that does not exist), whose failed health
wait is exactly where a container's configuration, secrets included, used to be printed. Then
counts every vault value, and the random part of each, in the whole output.
"""

import json

from conftest import HOST_VARS, PROJECT, run_site_yml, secret_hits, wait_for_site
from playbook import failures

# The blog's secrets: Redis is off for it (test_projects.py deploys a project with Redis on).
VAULT_VARIABLES = [
    name
    for name in HOST_VARS
    if name.startswith("vault_") and name != "vault_django_stack_redis_password"
]
CRASH_LOOPING_WEB = {
    "django_web_extra_env": {"UWSGI_NEED_PLUGIN": "nonexistent_plugin"},
    "django_stack_wait_timeout": 30,
}


def test_no_secret_in_verbose_output_of_a_good_and_a_failed_deploy():
    outputs = []
    try:
        good = run_site_yml("-vvv")
        outputs.append(good.stdout + good.stderr)
        failed = run_site_yml("-vvv", "-e", json.dumps(CRASH_LOOPING_WEB), check=False)
        outputs.append(failed.stdout + failed.stderr)
    finally:
        run_site_yml()
    wait_for_site()

    assert failed.returncode != 0, "the crash-looping web container was accepted"
    assert f"{PROJECT}_web is not healthy" in failed.stdout, failures(failed.stdout)
    assert len(VAULT_VARIABLES) == 4
    hits = secret_hits("\n".join(outputs), VAULT_VARIABLES)
    assert hits == dict.fromkeys(VAULT_VARIABLES, 0), hits


def test_no_secret_in_any_container_configuration(host):
    """Secrets reach containers as files: `docker inspect` shows paths, never a value."""
    configuration = host.check_output("docker inspect $(docker ps --all --quiet)")
    hits = secret_hits(configuration, VAULT_VARIABLES)
    assert hits == dict.fromkeys(VAULT_VARIABLES, 0), hits
    assert "/run/secrets/" in configuration


def test_secret_files_are_readable_by_their_container_user_only(host):
    secrets_root = host.file(f"/srv/{PROJECT}/secrets")
    assert secrets_root.mode == 0o700
    assert secrets_root.user == "root"
    # Not certbot's directory (TLS "acme"), which keeps its own keys (0600, nginx's user) after
    # test_tls.py turned TLS off on a host that ran it before.
    secrets = f"/srv/{PROJECT}/secrets"
    files = host.check_output(
        "find %s -path %s -prune -o -type f -print", secrets, f"{secrets}/acme"
    ).split()
    assert len(files) == 6
    for path in files:
        secret_file = host.file(path)
        assert secret_file.mode == 0o400, path
        assert secret_file.uid in (999, 10001), path
