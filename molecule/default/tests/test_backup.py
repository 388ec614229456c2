"""Backups a user can count on: taken on a schedule and on demand, checked, pruned by retention,
restored by one command, and taken before the database server changes version; a downgrade of
the server is refused. Each test leaves the host deployed from the repository's settings.
"""

import datetime
import re
import uuid

import requests
from conftest import (
    BASE_URL,
    PROJECT,
    backup_manifest,
    backup_taken,
    create_post,
    inspect,
    login,
    run_site_yml,
    run_stack_playbook,
    wait_for_site,
)
from playbook import failures

BACKUPS = f"/srv/{PROJECT}/backups"
MEDIA = f"/srv/{PROJECT}/data/media"
UPGRADE_INFO = f"/srv/{PROJECT}/data/mysql/mariadb_upgrade_info"
NAME = re.compile(r"^\d{8}T\d{6}Z-[a-z0-9-]+$")


run = run_stack_playbook


def backups(host) -> list[str]:
    return host.check_output("/usr/local/sbin/%s-backup list", PROJECT).split()


def post_titles(host) -> str:
    return host.check_output(
        "docker exec %s_web python manage.py shell -v 0 -c %s",
        PROJECT,
        "from blog.models import Post; print(sorted(Post.objects.values_list('title', flat=True)))",
    )


def test_backup_damage_restore_brings_posts_and_media_back(host, admin_password):
    session = requests.Session()
    login(session, admin_password)
    titles = [f"Kept {uuid.uuid4().hex[:8]}" for _ in range(2)]
    for title in titles:
        create_post(session, title)
    media_name = f"upload-{uuid.uuid4().hex[:8]}.txt"
    upload = f"{MEDIA}/{media_name}"
    host.check_output("printf 'uploaded file' > %s && chown 10001:10001 %s", upload, upload)
    assert requests.get(f"{BASE_URL}/media/{media_name}", timeout=10).text == "uploaded file"

    result = run("playbooks/backup.yml")
    name = backup_taken(result.stdout)
    assert name in backups(host)
    recorded = backup_manifest(host, name)
    assert recorded["media_files"] >= 1 and recorded["database_bytes"] > 0
    assert recorded["verified"].startswith("restored into a scratch database")
    # Owner-only: the dump holds password hashes and every post.
    assert host.file(BACKUPS).mode == 0o700
    for part in ("database.sql.gz", "media.tar.gz", "manifest.json"):
        assert host.file(f"{BACKUPS}/{name}/{part}").mode == 0o600
    assert "restore_check" not in host.check_output(
        "docker exec %s_mysql mariadb --user=mysql -N -e 'SHOW DATABASES'", PROJECT
    )

    # The damage: the posts deleted, the upload removed.
    host.check_output(
        "docker exec %s_web python manage.py shell -v 0 -c %s",
        PROJECT,
        "from blog.models import Post; Post.objects.filter(title__startswith='Kept ').delete()",
    )
    host.check_output("rm %s/%s", MEDIA, media_name)
    assert all(title not in requests.get(BASE_URL + "/", timeout=10).text for title in titles)

    wrong = run("playbooks/restore.yml", "-e", "backup=20200101T000000Z-nothing", check=False)
    assert wrong.returncode != 0
    assert "is not a backup on" in wrong.stdout and name in wrong.stdout, failures(wrong.stdout)
    assert requests.get(BASE_URL + "/", timeout=10).status_code == 200, "left in maintenance"

    restored = run("playbooks/restore.yml", "-e", f"backup={name}")
    assert "pre-restore" in restored.stdout
    home = wait_for_site().text
    assert all(title in home for title in titles), post_titles(host)
    assert requests.get(f"{BASE_URL}/media/{media_name}", timeout=10).text == "uploaded file"
    assert host.file(f"{MEDIA}/{media_name}").uid == 10001
    login(requests.Session(), admin_password)
    assert re.search(
        rf"restore .*changed=restore:{name} result=ok",
        host.check_output("tail -n 1 /srv/%s/logs/deploy.log", PROJECT),
    )
    # What the restore replaced was backed up first, and can itself be restored.
    assert any(b.endswith("-pre-restore") for b in backups(host))


def test_scheduled_backup_runs_from_its_timer(host):
    timer = host.service(f"{PROJECT}-backup.timer")
    assert timer.is_enabled and timer.is_running
    before = set(backups(host))
    host.check_output("systemctl start %s-backup.service", PROJECT)
    new = set(backups(host)) - before
    assert len(new) == 1 and new.pop().endswith("-scheduled")
    result = host.check_output("systemctl show -p Result --value %s-backup.service", PROJECT)
    assert result == "success"


def test_retention_keeps_the_newest_days_and_weeks(host):
    """7 daily + 4 weekly: every backup of the newest 7 days that have backups, and the newest of
    each of the newest 4 ISO weeks. Older backups are made by copying a real one under older
    names (a backup's time is its name)."""
    newest = backups(host)[0]
    today = datetime.datetime.now(datetime.UTC).date()
    fakes = [today - datetime.timedelta(days=n) for n in (*range(1, 12), 20, 21, 40, 70, 71, 100)]
    names = [f"{day:%Y%m%d}T010000Z-scheduled" for day in fakes]
    for fake in names:
        host.check_output("cp -a %s/%s %s/%s", BACKUPS, newest, BACKUPS, fake)

    run("playbooks/backup.yml", "-e", "label=retention")

    left = backups(host)
    days_kept: list[str] = []
    weeks_kept: set[tuple[int, int]] = set()
    expected = []
    for name in sorted({*left, *names}, reverse=True):
        day = datetime.datetime.strptime(name[:8], "%Y%m%d").date()
        keep = False
        if name[:8] in days_kept or len(days_kept) < 7:
            if name[:8] not in days_kept:
                days_kept.append(name[:8])
            keep = True
        week = day.isocalendar()[:2]
        if week not in weeks_kept and len(weeks_kept) < 4:
            weeks_kept.add(week)
            keep = True
        if keep:
            expected.append(name)
    assert left == expected
    assert f"{fakes[-1]:%Y%m%d}T010000Z-scheduled" not in left
    host.check_output("rm -rf %s", " ".join(f"{BACKUPS}/{fake}" for fake in names))


def test_status_lists_every_service_and_the_last_backup(host):
    result = run("playbooks/status.yml", env={"ANSIBLE_CALLBACK_RESULT_FORMAT": "json"})
    out = result.stdout
    for service in ("mysql", "web", "nginx"):
        assert f'"{PROJECT}_{service}"' in out, out[-4000:]
    fields = ['"state"', '"image"', '"release"', '"up since"', '"restarts"', "running (healthy)"]
    fields += ["disk used by backups", "last backup", "next scheduled backup", "audit log"]
    fields += ["images (", '"certificate"']
    for field in fields:
        assert field in out, field
    newest = backups(host)[0]
    assert re.search(rf"{newest}: \d+h \d+m ago", out), out[-4000:]


def test_downgrade_refused_and_upgrade_backed_up_first(host):
    """The data directory records the server version that last wrote it: a newer record means the
    image would downgrade the server (refused, nothing changes); an older one means an upgrade
    (a backup first, then mariadb-upgrade when the new server starts)."""
    original = host.file(UPGRADE_INFO).content_string
    mysql = inspect(host, f"{PROJECT}_mysql")[0]["Id"]
    change = ("-e", '{"mysql_server_options": {"max_connections": 120}}')
    try:
        host.check_output("printf '99.1.0-MariaDB' > %s", UPGRADE_INFO)
        refused = run_site_yml(*change, check=False)
        assert refused.returncode != 0
        assert "was last written by MariaDB 99.1.0" in refused.stdout, failures(refused.stdout)
        assert "cannot be downgraded" in refused.stdout
        assert inspect(host, f"{PROJECT}_mysql")[0]["Id"] == mysql
        assert requests.get(BASE_URL + "/", timeout=10).status_code == 200

        host.check_output("printf '11.4.0-MariaDB' > %s", UPGRADE_INFO)
        before = set(backups(host))
        upgraded = run_site_yml(*change)
        assert "MariaDB 11.4.0 is upgraded to" in upgraded.stdout, failures(upgraded.stdout)
        new = set(backups(host)) - before
        assert len(new) == 1 and new.pop().endswith("-pre-upgrade")
        container = inspect(host, f"{PROJECT}_mysql")[0]
        assert container["Id"] != mysql and "--max-connections=120" in container["Config"]["Cmd"]
        # mariadb-upgrade ran and recorded the server's own version.
        assert not host.file(UPGRADE_INFO).content_string.startswith("11.4.0")
        wait_for_site()
    finally:
        if host.file(UPGRADE_INFO).content_string.startswith(("99.1.0", "11.4.0")):
            host.check_output("printf %s > %s", original, UPGRADE_INFO)
        run_site_yml()
    assert "--max-connections=120" not in inspect(host, f"{PROJECT}_mysql")[0]["Config"]["Cmd"]
    wait_for_site()
