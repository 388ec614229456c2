"""roles/site_backup/templates/backup.sh.j2, rendered with a test's settings and run as the host
runs it (`<project>-backup [LABEL|list|restore NAME]`).

docker is a fake that plays the database container: `docker ps` finds it, `docker exec ... sh -c
SCRIPT sql PROGRAM ...` answers as the MariaDB client and mariadb-dump would (and, with
FAKE_REDIS=1, a Redis container: redis-cli --rdb, redis-check-rdb and the snapshot's bytes), and
what a client reads on stdin (a dump loaded into a database) is kept in the test's directory.
Every other tool is the real one, logged; the backup, media and lock files are real, in
tmp_path."""

import fcntl
import gzip
import json
import re
import shlex
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jinja2
import pytest

TEMPLATE = Path(__file__).resolve().parents[3] / "roles/site_backup/templates/backup.sh.j2"
TOOLS = [
    *("cat", "chmod", "date", "find", "flock", "gzip", "head", "mkdir", "mktemp", "mv"),
    *("rm", "sed", "sha256sum", "sleep", "sort", "stat", "tail", "tar", "tr", "wc"),
]
TABLES = "auth_user\nblog_post"

FAKE_DOCKER = r"""
if [[ $1 == ps ]]; then
    log_call "$@"
    if [[ "$*" != *service=redis* ]]; then
        echo c0ffee
    elif [[ ${FAKE_REDIS:-0} == 1 ]]; then
        echo fa11ed
    fi
    exit 0
fi
[[ $1 == exec ]] || { log_call "$@"; exit 1; }
if [[ $2 == fa11ed ]]; then
    log_call "$@"
    case "$*" in
        *"--rdb /tmp/backup.rdb"*) exit 0 ;;
        *redis-check-rdb*)
            [[ ${FAKE_BAD_SNAPSHOT:-0} == 0 ]] || { echo "--- RDB ERROR DETECTED ---"; exit 1; }
            printf '%s\n' "[offset 0] Checking RDB file /tmp/backup.rdb" "[info] 3 keys read"
            exit 0
            ;;
        *"cat /tmp/backup.rdb"*) printf 'REDIS0012-snapshot'; exit 0 ;;
    esac
    exit 1
fi
args=("$@")
shift
[[ $1 == --interactive ]] && shift
shift  # the container
script=$3
shift 3
if [[ $script == *"command -v mariadb-dump"* ]]; then
    log_call "${args[@]}"
    [[ ${FAKE_NO_DUMP:-0} == 1 ]] && exit 1
    echo /usr/bin/mariadb-dump
    exit 0
fi
shift  # $0 of the container's script
program=$1
shift 2
execute="" database=""
for arg in "$@"; do
    case $arg in
        --execute=*) execute=${arg#*=} ;;
        --database=*) database=${arg#*=} ;;
    esac
done
case $program in
    mariadb-dump)
        log_call "${args[@]}"
        printf '%s\n' "-- MariaDB dump" "CREATE TABLE blog_post (id int);"
        [[ ${FAKE_INCOMPLETE_DUMP:-0} == 1 ]] || echo "-- Dump completed"
        ;;
    mariadb)
        if [[ -n $execute ]]; then
            log_call "${args[@]}"
        else
            log_client_call "${args[@]}"
            printf '%s\n' "$stdin" >"$FAKE_DB_DIR/loaded-$database"
            [[ ${FAKE_LOAD_FAILS:-0} == 0 ]] || { echo "ERROR 1064 (42000) at line 2" >&2; exit 1; }
        fi
        case $execute in
            "SELECT VERSION()") echo "11.8.3-MariaDB" ;;
            *_restore_check\'" ORDER BY"*) printf '%b\n' "${FAKE_SCRATCH_TABLES-$TABLES}" ;;
            *"ORDER BY table_name") printf '%b\n' "$TABLES" ;;
            "SELECT CONCAT('DROP "*) printf '%s\n' 'DROP TABLE IF EXISTS `blog_post`;' ;;
        esac
        ;;
esac
"""


def render(tmp_path: Path, **settings) -> Path:
    values = {
        "ansible_managed": "Ansible managed",
        "django_stack_project_name": "blog",
        "django_stack_backup_command": "/usr/local/sbin/blog-backup",
        "site_backup_dir": str(tmp_path / "backups"),
        "django_stack_database_name": "blog",
        "django_stack_media_dir": str(tmp_path / "media"),
        "site_backup_keep_daily": 7,
        "site_backup_keep_weekly": 4,
        "site_backup_verify_restore": True,
        "site_backup_copy_command": "",
        "django_stack_redis": False,
    }
    values.update(settings)
    # A shell script, not HTML: nothing to escape (Ansible renders templates the same way).
    environment = jinja2.Environment(  # noqa: S701
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    environment.filters.update(
        comment=lambda text: "# " + text, quote=lambda value: shlex.quote(str(value)), bool=bool
    )
    script = tmp_path / "blog-backup"
    script.write_text(environment.from_string(TEMPLATE.read_text()).render(values))
    return script


@pytest.fixture
def host(host_bin, tmp_path):
    host_bin.real(*TOOLS)
    host_bin.fake("docker", FAKE_DOCKER)
    media = tmp_path / "media"
    media.mkdir()
    (media / "upload.txt").write_text("uploaded file")
    database = tmp_path / "db"
    database.mkdir()

    class Host:
        bin = host_bin
        backups = tmp_path / "backups"
        db = database
        script = render(tmp_path)

        def run(self, *args, **env):
            env = {"FAKE_DB_DIR": str(database), "TABLES": TABLES, **env}
            return host_bin.run(self.script, *args, env=env)

        def listed(self):
            result = self.run("list")
            assert result.returncode == 0, result.stderr
            return result.stdout.split()

        def old_backup(self, name):
            """A complete backup made earlier (its files are not looked at but by restore)."""
            directory = self.backups / name
            directory.mkdir(parents=True)
            (directory / "manifest.json").write_text(json.dumps({"name": name}))

    return Host()


def test_a_backup_is_checked_in_a_scratch_database_and_kept_whole(host):
    result = host.run("manual")

    assert result.returncode == 0, result.stderr
    (name,) = host.listed()
    assert name.endswith("-manual")
    assert result.stdout.startswith(f"backup {name}: database ")
    assert "restored into a scratch database (2 tables), media archive readable" in result.stdout
    backup = host.backups / name
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["label"] == "manual" and manifest["media_files"] == 1
    assert manifest["server_version"] == "11.8.3-MariaDB"
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "database.sql.gz",
        "manifest.json",
        "media.tar.gz",
    ]
    # Owner-only: the dump holds password hashes.
    assert host.backups.stat().st_mode & 0o777 == 0o700
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in backup.iterdir())
    # The dump loaded into the scratch database, which was dropped again.
    assert "-- Dump completed" in (host.db / "loaded-blog_restore_check").read_text()
    assert any("DROP DATABASE `blog_restore_check`" in line for line in host.bin.lines("docker"))
    assert not list(host.backups.glob(".*.partial"))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FAKE_INCOMPLETE_DUMP": "1"}, "the dump of blog is incomplete"),
        ({"FAKE_LOAD_FAILS": "1"}, "the dump of blog does not load into a scratch database"),
        ({"FAKE_SCRATCH_TABLES": "auth_user"}, "the dump of blog restores other tables"),
    ],
)
def test_a_dump_that_fails_its_check_keeps_nothing(host, env, message):
    result = host.run("manual", **env)

    assert result.returncode == 1
    assert f"blog-backup: {message}" in result.stderr and "nothing was kept" in result.stderr
    assert host.listed() == []
    assert not list(host.backups.glob(".*.partial")), "a partial backup was left"


def test_a_label_other_than_lower_case_letters_digits_and_dashes_is_refused(host):
    result = host.run("Before Upgrade")

    assert result.returncode == 1
    assert (
        "the label must be lower-case letters, digits and -, not 'Before Upgrade'" in result.stderr
    )
    assert host.bin.calls("docker") == [host.bin.calls("docker")[0]]  # docker ps only


def test_retention_keeps_the_newest_days_and_the_newest_of_each_week(host_bin, tmp_path):
    host_bin.real(*TOOLS)
    host_bin.fake("docker", FAKE_DOCKER)
    (tmp_path / "media").mkdir()
    (tmp_path / "db").mkdir()
    script = render(tmp_path, site_backup_keep_daily=2, site_backup_keep_weekly=3)
    backups = tmp_path / "backups"
    today = datetime.now(UTC).date()
    # Two a day for the 30 days before today.
    made = []
    for days_ago in range(1, 31):
        day = (today - timedelta(days=days_ago)).strftime("%Y%m%d")
        for time_of_day in ("T010000Z-scheduled", "T020000Z-manual"):
            (backups / (day + time_of_day)).mkdir(parents=True)
            (backups / (day + time_of_day) / "manifest.json").write_text("{}")
            made.append(day + time_of_day)

    result = host_bin.run(script, "scheduled", env={"FAKE_DB_DIR": str(tmp_path / "db")})

    assert result.returncode == 0, result.stderr
    kept = sorted((p.name for p in backups.iterdir() if not p.name.startswith(".")), reverse=True)
    newest, *older = kept
    assert newest.startswith(today.strftime("%Y%m%d"))
    # Today's and yesterday's backups (2 days); then the newest of each of the 3 newest ISO weeks.
    yesterday = (today - timedelta(days=1)).strftime("%Y%m%d")
    assert older[:2] == [yesterday + "T020000Z-manual", yesterday + "T010000Z-scheduled"]
    weeks = {}
    for name in [newest, *sorted(made, reverse=True)]:
        week = datetime.strptime(name[:8], "%Y%m%d").date().isocalendar()[:2]
        weeks.setdefault(week, name)
    newest_of_weeks = list(weeks.values())[:3]
    assert set(kept) == {newest, *older[:2], *newest_of_weeks}
    removed = set(made) - set(kept)
    assert all(
        f"removed backup {name} (retention: 2 days, 3 weeks)" in result.stderr for name in removed
    )


def test_listing_shows_complete_backups_newest_first_and_needs_no_lock(host):
    host.old_backup("20261101T031500Z-scheduled")
    host.old_backup("20261120T120000Z-manual")
    (host.backups / ".20261121T000000Z-manual.partial").mkdir()
    (host.backups / "20261122T000000Z-no-manifest").mkdir()
    (host.backups / "notes").mkdir()

    with open(host.backups / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a backup is running
        assert host.listed() == ["20261120T120000Z-manual", "20261101T031500Z-scheduled"]


def test_a_backup_waits_for_the_one_running_and_gives_up_after_the_lock_wait(host):
    host.backups.mkdir()
    with open(host.backups / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        gave_up = host.run("manual", BACKUP_LOCK_WAIT="1")
        assert gave_up.returncode == 1
        assert "another backup or restore of blog has held" in gave_up.stderr
        assert "for over 1s" in gave_up.stderr

        threading.Timer(1.5, lambda: fcntl.flock(lock, fcntl.LOCK_UN)).start()
        started = time.monotonic()
        waited = host.run("manual", BACKUP_LOCK_WAIT="30")
    assert waited.returncode == 0, waited.stderr
    assert time.monotonic() - started >= 1.4
    assert len(host.listed()) == 1


def test_restore_of_a_name_that_is_no_backup_lists_the_backups_and_touches_nothing(host):
    host.old_backup("20261120T120000Z-manual")

    result = host.run("restore", "20200101T000000Z-nothing")

    assert result.returncode == 1
    assert "there is no backup '20200101T000000Z-nothing'; the backups are:" in result.stderr
    assert "20261120T120000Z-manual" in result.stderr
    assert not any("--database=" in line for line in host.bin.lines("docker"))


def test_with_redis_a_backup_holds_its_checked_snapshot(host):
    result = host.run("manual", FAKE_REDIS="1")

    assert result.returncode == 0, result.stderr
    (name,) = host.listed()
    assert re.search(r", redis \d+ bytes \(3 keys, snapshot checked\), ", result.stdout), (
        result.stdout
    )
    backup = host.backups / name
    assert gzip.decompress((backup / "redis.rdb.gz").read_bytes()) == b"REDIS0012-snapshot"
    assert json.loads((backup / "manifest.json").read_text())["redis"]["keys"] == 3
    assert "redis.rdb.gz" in (backup / "SHA256SUMS").read_text()
    # The password is read in the container, never a process argument.
    assert any(
        "REDISCLI_AUTH=$(cat /run/secrets/password)" in line for line in host.bin.lines("docker")
    )


def test_a_redis_snapshot_that_fails_its_check_keeps_nothing(host):
    result = host.run("manual", FAKE_REDIS="1", FAKE_BAD_SNAPSHOT="1")

    assert result.returncode == 1
    assert "Redis's snapshot does not pass redis-check-rdb; nothing was kept" in result.stderr
    assert host.listed() == []
    assert not list(host.backups.glob(".*.partial"))


def test_a_backup_with_redis_data_is_not_restored_without_redis_running(host):
    assert host.run("manual", FAKE_REDIS="1").returncode == 0
    (name,) = host.listed()

    result = host.run("restore", name)

    assert result.returncode == 1
    assert "holds Redis's data but Redis is not running" in result.stderr
    assert not (host.db / "loaded-blog").exists()
    assert (host.bin.root / "media" / "upload.txt").exists()


def test_a_damaged_backup_is_not_restored(host):
    assert host.run("manual").returncode == 0
    (name,) = host.listed()
    with open(host.backups / name / "database.sql.gz", "ab") as dump:
        dump.write(b"damage")

    result = host.run("restore", name)

    assert result.returncode == 1
    assert f"backup {name} is damaged (SHA256SUMS)" in result.stderr
    assert not (host.db / "loaded-blog").exists()
    assert (host.bin.root / "media" / "upload.txt").exists()


def test_restore_loads_the_dump_after_dropping_the_tables_and_brings_the_media_back(host):
    assert host.run("manual").returncode == 0
    (name,) = host.listed()
    (host.bin.root / "media" / "upload.txt").unlink()
    (host.bin.root / "media" / "later.txt").write_text("added after the backup")

    result = host.run("restore", name)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"restored backup {name}\n"
    loaded = (host.db / "loaded-blog").read_text()
    assert loaded.startswith("SET FOREIGN_KEY_CHECKS = 0;\nDROP TABLE IF EXISTS `blog_post`;\n")
    assert loaded.rstrip().endswith("-- Dump completed")
    media = host.bin.root / "media"
    assert sorted(p.name for p in media.iterdir()) == ["upload.txt"]
    assert (media / "upload.txt").read_text() == "uploaded file"


def test_listing_a_host_without_backups_prints_nothing_and_succeeds(host):
    # The directory's last entry is no backup: it used to become the listing's exit status.
    (host.backups / "zz-notes").mkdir(parents=True)

    assert host.listed() == []


def test_restore_without_a_name_takes_the_newest_backup(host):
    assert host.run("manual").returncode == 0
    (newest,) = host.listed()
    host.old_backup("20200101T000000Z-manual")
    (host.backups / "zz-notes").mkdir()

    result = host.run("restore")

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"restored backup {newest}\n"
