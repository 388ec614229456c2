"""roles/django_web/templates/usr/local/sbin/manage.j2, rendered with a test's settings and run as
the host runs it (`<project>-manage [--job NAME] COMMAND ...`), with a fake docker that logs its
arguments and the environment values it was given by name."""

import json
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

TEMPLATE = (
    Path(__file__).resolve().parents[3] / "roles/django_web/templates/usr/local/sbin/manage.j2"
)
# Logs its arguments; for each `--env NAME`, the value it found in its own environment.
FAKE_DOCKER = r"""
log_call "$@"
for ((i = 1; i <= $#; i++)); do
    if [[ ${!i} == --env ]]; then
        j=$((i + 1))
        name=${!j}
        printf '%s=%s\n' "$name" "${!name}" >>"$ENV_LOG"
    fi
done
exit "${FAKE_STATUS:-0}"
"""
ENV = {"DATABASE_HOST": "mysql", "DJANGO_ALLOWED_HOSTS": "example.org,www.example.org"}


@pytest.fixture
def site(host_bin, tmp_path):
    host_bin.fake("docker", FAKE_DOCKER)
    releases, sockets = tmp_path / "releases", tmp_path / "run"
    (releases / "abc123").mkdir(parents=True)
    (releases / "abc123" / "release.json").write_text(
        json.dumps({"id": "abc123", "image": "blog/web:0f0f", "env": ENV})
    )
    sockets.mkdir()
    values = {
        "ansible_managed": "Ansible managed",
        "django_stack_project_name": "blog",
        "django_web_releases_dir": str(releases),
        "django_stack_web_socket_dir": str(sockets),
        "django_stack_web_live_socket": "live.sock",
        "django_web_secrets_dir": "/srv/blog/secrets/web",
        "django_stack_static_dir": "/srv/blog/data/static",
        "django_stack_media_dir": "/srv/blog/data/media",
        "django_stack_networks": {"backend": {"name": "blog_backend"}},
        "__django_web_labels": {"django-deploy.project": "blog", "django-deploy.service": "web"},
    }
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)  # noqa: S701 - Python source
    environment.filters.update(comment=lambda text: "# " + text, to_json=json.dumps)
    script = tmp_path / "blog-manage"
    script.write_text(environment.from_string(TEMPLATE.read_text()).render(values))

    def run(*args: str, live: str | None = "web-abc123.sock", **env: str):
        link = sockets / "live.sock"
        if live and not link.is_symlink():
            link.symlink_to(live)
        return subprocess.run(
            [sys.executable, str(script), *args],
            env=host_bin.env(ENV_LOG=str(tmp_path / "env.log"), **env),
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )

    run.env_log = tmp_path / "env.log"
    return run


def test_runs_the_command_in_a_one_off_container_of_the_live_release(site, host_bin):
    result = site("clearsessions", "--verbosity", "2")

    assert result.returncode == 0, result.stderr
    (call,) = host_bin.calls("docker")
    args = call.args
    assert args[:3] == ["run", "--rm", "--name"] and args[3].startswith("blog_manage_")
    assert args[-6:] == [
        "blog/web:0f0f",
        "python",
        "manage.py",
        "clearsessions",
        "--verbosity",
        "2",
    ]
    line = call.line
    assert f"--volume {site.env_log.parent}/releases/abc123/code:/app:ro" in line
    assert "--volume /srv/blog/secrets/web:/run/secrets:ro" in line
    assert "--network blog_backend" in line
    assert "--label django-deploy.release=abc123" in line
    assert "--label django-deploy.service=manage" in line
    # Not a terminal here: no -it.
    assert "--tty" not in args
    # The environment goes by name; the values never are arguments.
    assert "example.org" not in line
    given = sorted(site.env_log.read_text().splitlines())
    assert given == sorted(f"{key}={value}" for key, value in ENV.items())


def test_a_job_is_named_after_it_and_its_status_is_the_commands(site, host_bin):
    result = site("--job", "clear", "clearsessions", FAKE_STATUS="3")

    assert result.returncode == 3
    (call,) = host_bin.calls("docker")
    assert call.args[3].startswith("blog_job_clear_")
    assert "--label django-deploy.service=job" in call.line


@pytest.mark.parametrize(
    ("args", "live", "message"),
    [
        ((), "web-abc123.sock", "usage: blog-manage"),
        (("--job",), "web-abc123.sock", "usage: blog-manage"),
        (("migrate",), None, "no release is live"),
        (("migrate",), "web-gone.sock", "the record of live release gone cannot be read"),
        (("migrate",), "elsewhere", "not a release's socket"),
    ],
)
def test_refusals_run_nothing(site, host_bin, args, live, message):
    result = site(*args, live=live)

    assert result.returncode == 2
    assert message in result.stderr
    assert host_bin.calls("docker") == []
