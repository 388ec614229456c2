"""Releases as users of Kamal expect them: no change takes the site down, a broken release never
replaces a working one, one command rolls back, one deploy at a time, every run in the audit log.

Every deploy below runs under a request loop (2 clients, one request every 50 ms each, to the
throwaway host only) that must see no failed request. Each test leaves the host deployed from
the repository's own settings again.
"""

import json
import re
import shutil
from pathlib import Path

import requests
from conftest import (
    BASE_URL,
    PROJECT,
    RequestLoop,
    containers,
    inspect,
    run_site_yml,
    run_stack_playbook,
)
from playbook import REPO, failures

RELEASES = f"/srv/{PROJECT}/releases"
AUDIT_LOG = f"/srv/{PROJECT}/logs/deploy.log"
LOCK = f"/srv/{PROJECT}/deploy.lock"


def run_rollback(*extra: str, check: bool = True):
    return run_stack_playbook("playbooks/rollback.yml", *extra, check=check)


def live_release(host) -> str:
    return inspect(host, f"{PROJECT}_web")[0]["Config"]["Labels"]["django-deploy.release"]


def audit_tail(host, lines: int = 1) -> list[str]:
    return host.check_output("tail -n %s %s", str(lines), AUDIT_LOG).splitlines()


def task_outcome(output: str, task: str) -> str:
    """What a task of a run's output did on the host: "ok", "changed", "skipping", "fatal", ..."""
    lines = output.splitlines()
    header = [i for i, line in enumerate(lines) if line.startswith(f"TASK [{task}]")]
    assert header, f"no task {task!r} in the run"
    for line in lines[header[0] + 1 :]:
        found = re.match(r"(\w+): \[", line)
        if found:
            return found.group(1)
    return "?"


def source_with(tmp_path: Path, name: str, edit) -> Path:
    """A copy of django_site/ changed by `edit(copy)`."""
    source = tmp_path / name
    shutil.copytree(REPO / "django_site", source, ignore=shutil.ignore_patterns("__pycache__"))
    edit(source)
    return source


def test_new_image_release_and_rollback_drop_no_request(host):
    """A new web image goes live beside the old one, built on the kept stage of compiled
    dependencies; rollback.yml brings the old one back."""
    first = live_release(host)
    first_image = inspect(host, f"{PROJECT}_web")[0]["Config"]["Image"]
    build_stage = f"{PROJECT}/web-build:cache"
    # (No Go template: testinfra's commands pass through Ansible's templating.)
    compiled = host.check_output("docker images --quiet --no-trunc %s", build_stage)
    assert compiled, f"no {build_stage} image: the compiled dependencies were not kept"
    try:
        # The archive's current packages: a new final stage on the same compiled dependencies.
        with RequestLoop() as deploy_loop:
            run_site_yml("-e", "django_web_image_refresh=test-refresh")
        second = live_release(host)
        assert second != first
        assert inspect(host, f"{PROJECT}_web")[0]["Config"]["Image"] != first_image
        deploy_loop.assert_none_failed()
        reused = host.check_output("docker images --quiet --no-trunc %s", build_stage)
        assert reused == compiled, "the dependencies were compiled again for a package refresh"

        with RequestLoop() as rollback_loop:
            result = run_rollback()
        rollback_loop.assert_none_failed()
        assert live_release(host) == first
        assert inspect(host, f"{PROJECT}_web")[0]["Config"]["Image"] == first_image
        assert "No migration was applied after release" in result.stdout, failures(result.stdout)
        logged = audit_tail(host)[0]
        assert re.search(rf"rollback release={first} previous={second} .*result=ok", logged)

        wrong = run_rollback("-e", "release=0123456789ab", check=False)
        assert wrong.returncode != 0
        assert "is not kept on this host" in wrong.stdout, failures(wrong.stdout)
        assert second in wrong.stdout, "the refusal lists no kept release"
    finally:
        run_site_yml()
    assert live_release(host) == first


def test_code_change_alone_takes_the_quick_path_yet_repairs_the_host(host, tmp_path):
    """New code alone: a new release of the live image, with nothing else redone, no request
    dropped; the next rerun has nothing to do. A hand-made change on the host still makes the
    role do everything, as with any rerun."""
    # The last complete run is this repository's site.yml (test_collection.py deploys the site
    # with the collection installed elsewhere, whose roles fingerprint differently).
    run_site_yml()
    live = live_release(host)
    image = inspect(host, f"{PROJECT}_web")[0]["Config"]["Image"]
    uwsgi_ini = f"/srv/{PROJECT}/config/web/uwsgi.ini"

    def mark_page(text: str):
        def edit(source: Path) -> None:
            base = source / "blog" / "templates" / "blog" / "base.html"
            base.write_text(base.read_text() + f"\n<!-- {text} -->\n")

        return edit

    quick = source_with(tmp_path, "quick", mark_page("quick path"))
    try:
        with RequestLoop() as loop:
            result = run_site_yml("-e", f"django_web_source_dir={quick}")
        loop.assert_none_failed()
        assert "django_web runs: only its code changed" in result.stdout, failures(result.stdout)
        assert "No migration file changed since release" in result.stdout
        assert (
            task_outcome(
                result.stdout, "django_deploy.stack.django_web : Create the web directories"
            )
            == "skipping"
        )
        assert live_release(host) != live
        assert inspect(host, f"{PROJECT}_web")[0]["Config"]["Image"] == image
        assert "<!-- quick path -->" in requests.get(BASE_URL + "/", timeout=10).text
        assert host.file(f"{RELEASES}/current/uwsgi.ini").content_string == (
            host.file(uwsgi_ini).content_string
        )
        rerun = run_site_yml("-e", f"django_web_source_dir={quick}").stdout
        everything = (
            "django_web, docker_engine, mysql_server, nginx_proxy, redis_server, site_backup"
        )
        assert f"Unchanged since the last deploy, skipped: {everything}." in rerun, rerun[-3000:]

        expected = host.file(uwsgi_ini).content_string
        host.check_output("echo '# edited by hand' >> %s", uwsgi_ini)
        repaired = source_with(tmp_path, "repaired", mark_page("repaired"))
        with RequestLoop() as repair_loop:
            result = run_site_yml("-e", f"django_web_source_dir={repaired}")
        repair_loop.assert_none_failed()
        assert f"django_web runs: file {uwsgi_ini} changed since the last deploy" in result.stdout
        assert host.file(uwsgi_ini).content_string == expected
        assert "<!-- repaired -->" in requests.get(BASE_URL + "/", timeout=10).text
    finally:
        run_site_yml()
    assert "<!-- repaired -->" not in requests.get(BASE_URL + "/", timeout=10).text


def test_nginx_configuration_change_is_a_reload_and_a_new_image_a_side_by_side_swap(host):
    """A configuration change reloads the live nginx. A new nginx image: its container shares
    the ports with the live one until it is healthy, then the live one stops gracefully. Not a
    request is lost in either, nor on the way back (a reload and a swap at once)."""
    nginx = f"{PROJECT}_nginx"
    before = containers(host)
    first_image = inspect(host, nginx)[0]["Config"]["Image"]
    bigger = '{"nginx_proxy_client_max_body_size": "11m"}'
    try:
        with RequestLoop() as reload_loop:
            result = run_site_yml("-e", bigger)
        conf = host.file(f"/srv/{PROJECT}/config/nginx/nginx.conf").content_string
        assert "client_max_body_size 11m;" in conf
        assert "Reload nginx gracefully" in result.stdout
        assert containers(host) == before, "a container was replaced for a configuration change"
        reload_loop.assert_none_failed()

        with RequestLoop() as swap_loop:
            result = run_site_yml("-e", bigger, "-e", "nginx_proxy_image_refresh=test-refresh")
        assert inspect(host, nginx)[0]["Config"]["Image"] != first_image
        started = task_outcome(
            result.stdout,
            "django_deploy.stack.nginx_proxy : Start the new nginx container beside the live one",
        )
        assert started == "changed"
        after = containers(host)
        assert f"{nginx}-next" not in after
        assert {name: cid for name, cid in after.items() if name != nginx} == {
            name: cid for name, cid in before.items() if name != nginx
        }, "a container other than nginx was replaced for a new nginx image"
        swap_loop.assert_none_failed()
    finally:
        with RequestLoop() as back_loop:
            run_site_yml()
    back_loop.assert_none_failed()
    assert inspect(host, nginx)[0]["Config"]["Image"] == first_image


def test_broken_release_never_replaces_the_working_one(host, tmp_path):
    before = containers(host)
    live = live_release(host)

    def break_wsgi(source: Path) -> None:
        wsgi = source / "config" / "wsgi.py"
        wsgi.write_text(wsgi.read_text() + '\nraise RuntimeError("this release is broken")\n')

    broken = source_with(tmp_path, "broken", break_wsgi)
    with RequestLoop() as loop:
        result = run_site_yml("-e", f"django_web_source_dir={broken}", check=False)
    loop.assert_none_failed()
    assert result.returncode != 0, "the broken release was accepted"
    assert "did not pass its health check" in result.stdout, failures(result.stdout)
    assert "this release is broken" in result.stdout, "the failure shows no log line of the release"
    assert containers(host) == before
    assert live_release(host) == live
    # Docker's name filter matches part of a name: <project>_web_<id>, not <project>_web.
    assert host.check_output("docker ps --all --quiet --filter name=%s_web_", PROJECT) == ""
    assert "result=failed" in audit_tail(host)[0]


def test_failed_release_step_keeps_the_old_release(host, tmp_path):
    before = containers(host)

    def bad_migration(source: Path) -> None:
        migration = source / "blog" / "migrations" / "0002_broken.py"
        migration.write_text(
            "from django.db import migrations\n\n\n"
            "class Migration(migrations.Migration):\n"
            '    dependencies = [("blog", "0001_initial")]\n'
            '    operations = [migrations.RunSQL("SELECT * FROM no_such_table")]\n'
        )

    broken = source_with(tmp_path, "bad-migration", bad_migration)
    with RequestLoop() as loop:
        result = run_site_yml("-e", f"django_web_source_dir={broken}", check=False)
    loop.assert_none_failed()
    assert result.returncode != 0
    assert "Planned operations" in result.stdout, "no migrate --plan shown"
    assert "0002_broken" in result.stdout, "the plan does not name the new migration"
    assert "The release step of release" in result.stdout
    assert "the live release is still serving" in result.stdout
    assert containers(host) == before


def test_uwsgi_change_is_a_new_release_and_old_releases_are_pruned(host):
    before = containers(host)
    kept = 2
    try:
        with RequestLoop() as loop:
            run_site_yml("-e", json.dumps({"django_web_uwsgi_max_requests": 999}))
        assert containers(host)[f"{PROJECT}_web"] != before[f"{PROJECT}_web"]
        assert "max-requests = 999" in host.file(f"{RELEASES}/current/uwsgi.ini").content_string
    finally:
        with RequestLoop() as back:
            run_site_yml("-e", json.dumps({"django_web_keep_releases": kept}))
    loop.assert_none_failed()
    back.assert_none_failed()
    releases = host.check_output("find %s -mindepth 1 -maxdepth 1 -type d", RELEASES).split()
    assert len(releases) == kept, releases
    images = host.check_output("docker images --quiet %s/web", PROJECT).split()
    assert len(set(images)) <= kept, images


def test_second_deploy_fails_at_once_naming_the_lock_holder_meanwhile_maintenance(host):
    """While the lock is held, a deploy is refused and changes nothing; with no release
    answering, the site shows its maintenance page; breaking the lock deploys again."""
    host.check_output("printf 'someone@elsewhere since 2026-01-01T00:00:00Z\\n' > %s", LOCK)
    host.check_output("docker stop %s_web", PROJECT)
    try:
        refused = run_site_yml(check=False)
        assert refused.returncode != 0
        holder = "someone@elsewhere since 2026-01-01T00:00:00Z"
        assert holder in refused.stdout, failures(refused.stdout)
        assert "deploy_lock_break=true" in refused.stdout
        before_refusal = refused.stdout.split("Stop while another deploy holds")[0]
        assert "Install the Docker engine" not in before_refusal, "the engine play ran first"
        assert "result=refused" in audit_tail(host)[0]

        response = requests.get(BASE_URL + "/", timeout=10)
        assert response.status_code == 503
        assert "maintenance" in response.text.lower()
        assert response.headers.get("Retry-After")

        run_site_yml("-e", "deploy_lock_break=true")
    finally:
        host.run("rm -f %s", LOCK)
        host.run("docker start %s_web", PROJECT)
    assert requests.get(BASE_URL + "/", timeout=10).status_code == 200
    assert not host.file(LOCK).exists, "the run left its lock behind"
    assert "deploy release=" in audit_tail(host)[0] and "result=ok" in audit_tail(host)[0]
