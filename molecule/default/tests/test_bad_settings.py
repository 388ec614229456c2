"""Every wrong value in the table is refused before anything on the deployed host changes.

One row per case: (variable, value). Each is run through site.yml against the running test
host, as a user would run it, and must fail before any task reports a change, with a message
naming the variable, leaving daemon.json, nginx.conf, uwsgi.ini, the containers and the images
as they were while the site keeps answering. Add a case by adding a row.
"""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from conftest import BASE_URL, HOST_VARS, host_state, run_site_yml
from playbook import failures

BAD_SETTINGS: list[tuple[str, object]] = [
    # Directories: the project's own, absolute, and none inside another.
    ("django_stack_root", "/etc"),
    ("django_stack_root", "/"),
    ("mysql_server_data_dir", "/srv/blog/code/db"),
    ("django_web_build_dir", "/srv/blog"),
    ("django_stack_static_dir", "/srv/blog/data/media"),
    ("nginx_proxy_acme_dir", "/var/log"),
    ("nginx_proxy_tls_dir", "/srv/blog/data/static/tls"),
    # Ports and counts, in the ranges the services accept.
    ("django_stack_http_port", 0),
    ("django_stack_http_port", 70000),
    ("django_stack_http_port", "abc"),
    ("django_stack_https_port", HOST_VARS["django_stack_http_port"]),
    ("django_stack_https_port", 65536),
    ("django_stack_hsts_seconds", -1),
    ("django_web_keep_releases", 0),
    ("django_web_drain_seconds", -1),
    ("django_web_replicas", -1),
    ("django_web_manage_timeout", 0),
    ("django_web_uwsgi_processes", 0),
    ("django_web_uwsgi_harakiri", -5),
    ("django_web_uwsgi_harakiri", 300),
    ("django_web_uwsgi_buffer_size", 100),
    ("django_stack_wait_timeout", "soon"),
    ("nginx_proxy_uwsgi_read_timeout", 0),
    # Names, by the grammar of what they become.
    ("django_stack_project_name", "My Blog"),
    ("django_stack_project_name", "blog_"),
    ("django_stack_site_names", "www.example.com"),
    ("django_stack_site_names", ["bad;name"]),
    ("django_stack_site_names", ["a" * 64 + ".example.com"]),
    ("django_stack_database_user", "u" * 33),
    ("django_stack_database_user", "root"),
    ("django_stack_networks", {"backend": "blog_backend"}),
    ("django_stack_networks", {"backend": {"name": "none", "internal": True}}),
    ("django_stack_web_socket_dir", "/srv/blog/data/static/run"),
    ("django_web_admin_email", "not-an-address"),
    # Images.
    ("django_stack_base_image", ""),
    ("mysql_server_image", "not an image"),
    # Strings pasted into configuration files.
    ("nginx_proxy_client_max_body_size", "10m; evil"),
    ("django_web_pip_index_url", "ftp://index.invalid/simple"),
    ("django_web_build_ca_file", "/nonexistent/ca.pem"),
    ("django_web_system_packages", ["libmagic1 gettext"]),
    ("django_web_build_packages", ["libpq-dev; curl"]),
    # The environment the deployment sets, and choices.
    ("django_web_extra_env", {"DJANGO_SECRET_KEY": "x"}),
    ("django_web_extra_env", {"UWSGI_SOCKET": "/run/other.sock"}),
    # The project's processes, scheduled jobs and Redis.
    ("django_web_processes", {"web": "gunicorn mysite.wsgi"}),
    ("django_web_processes", {"worker": " "}),
    (
        "django_web_jobs",
        [{"name": "clear", "command": "clearsessions", "on_calendar": "every day"}],
    ),
    (
        "django_web_jobs",
        [{"name": "Clear Sessions", "command": "clearsessions", "on_calendar": "daily"}],
    ),
    ("django_stack_redis", True),
    # The sample pins Django 5.2, which Debian 11's Python 3.9 cannot run.
    ("django_stack_base_image", "debian:bullseye-slim"),
    # The deploy lock.
    ("deploy_lock_file", "deploy.lock"),
    ("django_web_scheme", "ftp"),
    ("django_web_debug", "maybe"),
    # The database server's options become its command line.
    ("mysql_server_options", {"max connections": 200}),
    ("mysql_server_options", {"max_connections": [200]}),
    # Backups: where, when, how many, and the copy command.
    ("site_backup_dir", "/srv/blog/data/media/backups"),
    ("site_backup_dir", "backups"),
    ("site_backup_schedule", "daily; rm -rf /"),
    ("site_backup_schedule", "every day"),
    ("site_backup_keep_daily", 0),
    ("site_backup_keep_weekly", -1),
    ("site_backup_copy_command", "rsync -a a b\nrm -rf /"),
    # Secret key rotation.
    ("django_web_secret_key", "a long enough first line\nand a second"),
    ("django_web_secret_key_fallbacks", -1),
    # TLS: the mode, and what each mode needs.
    ("django_stack_tls", "on"),
    ("django_stack_tls", True),
    ("django_stack_tls", "acme"),
    ("django_stack_tls", "files"),
    ("nginx_proxy_tls_certificate", "not a certificate"),
    ("nginx_proxy_tls_key", "-----BEGIN CERTIFICATE-----"),
    ("nginx_proxy_acme_email", "webmaster"),
    ("nginx_proxy_acme_directory_url", "http://acme.example.com/directory"),
    ("nginx_proxy_acme_ca_bundle_file", "/nonexistent/ca.pem"),
    ("nginx_proxy_acme_key_type", "dsa"),
    ("nginx_proxy_acme_renew_calendar", "daily\nExecStartPre=/bin/false"),
    # The Docker engine.
    ("docker_engine_registry_mirrors", "http://mirror:5000"),
    ("docker_engine_registry_mirrors", ["mirror:5000"]),
    ("docker_engine_install_source", "snap"),
    ("docker_engine_default_address_pools", [{"base": "10.210.0.0/16"}]),
]


CASE_IDS = [f"{variable}={json.dumps(value)[:40]}" for variable, value in BAD_SETTINGS]


@pytest.fixture(scope="module")
def refusals(host) -> dict:
    """Every case through site.yml, three at a time (each stops before it reaches the host), with
    the host's configuration files, containers and images read before and after them all."""
    before = host_state(host)
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = pool.map(
            lambda case: run_site_yml("-e", json.dumps({case[0]: case[1]}), check=False),
            BAD_SETTINGS,
        )
        by_case = dict(zip(CASE_IDS, results, strict=True))
    return {"results": by_case, "before": before, "after": host_state(host)}


@pytest.mark.parametrize(("variable", "value"), BAD_SETTINGS, ids=CASE_IDS)
def test_bad_setting_is_refused_before_any_change(refusals, variable, value):
    result = refusals["results"][f"{variable}={json.dumps(value)[:40]}"]
    assert result.returncode != 0, f"{variable}={value!r} was accepted"
    assert variable in result.stdout, (
        f"the refusal does not name {variable}: {failures(result.stdout)}"
    )
    assert "changed: [" not in result.stdout, "a task changed something before the refusal"
    assert "UNREACHABLE" not in result.stdout
    assert refusals["after"] == refusals["before"], "the host changed during the refusals"
    assert requests.get(BASE_URL + "/", timeout=10).status_code == 200


def test_the_table_has_enough_cases():
    assert len(BAD_SETTINGS) >= 30
