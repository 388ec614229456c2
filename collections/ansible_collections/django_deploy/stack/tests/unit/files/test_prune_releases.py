"""roles/django_web/files/prune-releases.sh, as the django_release module runs it after a switch:
which release directories and images stay. Docker is a fake on PATH that logs its calls and
lists made-up images; the release directories are real."""

import json
import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "roles/django_web/files/prune-releases.sh"
FAKE_DOCKER = """#!/usr/bin/env bash
echo "$*" >> "$DOCKER_LOG"
case "$1 $2" in
  "image ls")
    printf 'REPOSITORY TAG IMAGE ID\\n'
    for t in $IMAGES; do echo "blog/web $t abc"; done ;;
  "image rm") exit 0 ;;
  "image prune") echo "Total reclaimed space: 0B" ;;
esac
"""


@pytest.fixture
def host(tmp_path: Path) -> dict:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER)
    docker.chmod(0o755)
    releases = tmp_path / "releases"
    releases.mkdir()
    return {"tmp": tmp_path, "bin": bin_dir, "releases": releases, "log": tmp_path / "docker.log"}


def make_release(host: dict, release: str, live_since: float | None, image: str) -> None:
    directory = host["releases"] / release
    directory.mkdir()
    (directory / "release.json").write_text(json.dumps({"image": image}, indent=1) + "\n")
    if live_since is not None:
        (directory / "live_since").write_text("")
        os.utime(directory / "live_since", (live_since, live_since))


def prune(host: dict, live: str, keep: int, image_changed: str = "no", images: str = ""):
    env = {
        **os.environ,
        "PATH": f"{host['bin']}:{os.environ['PATH']}",
        "DOCKER_LOG": str(host["log"]),
        "IMAGES": images,
    }
    argv = [str(host["releases"]), live, str(keep), str(host["tmp"] / "code"), "blog/web"]
    return subprocess.run(
        ["bash", str(SCRIPT), *argv, image_changed],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def docker_calls(host: dict) -> list[str]:
    return host["log"].read_text().splitlines() if host["log"].exists() else []


def test_keeps_the_live_release_and_the_most_recently_live_ones(host):
    for number, since in [(1, 100), (2, 200), (3, 300), (4, 400)]:
        make_release(host, f"r{number}", since, f"blog/web:t{number}")
    make_release(host, "new", None, "blog/web:t5")  # live now, not yet marked

    result = prune(host, "new", 3, images="t1 t2 t3 t4 t5")

    assert sorted(p.name for p in host["releases"].iterdir()) == ["new", "r3", "r4"]
    assert "removed release directories:" in result.stdout
    assert "removed image: blog/web:t1" in result.stdout
    assert "removed image: blog/web:t2" in result.stdout
    removed = [call for call in docker_calls(host) if call.startswith("image rm")]
    assert removed == ["image rm blog/web:t1", "image rm blog/web:t2"]


def test_nothing_to_remove_asks_docker_nothing_and_prints_nothing(host):
    make_release(host, "r1", 100, "blog/web:t1")
    make_release(host, "r2", 200, "blog/web:t1")

    result = prune(host, "r2", 5, images="t1")

    assert result.stdout == ""
    assert docker_calls(host) == []


def test_a_new_image_prunes_images_no_kept_release_names(host):
    make_release(host, "r1", 100, "blog/web:old")
    make_release(host, "r2", 200, "blog/web:new")

    result = prune(host, "r2", 5, image_changed="yes", images="old new stray")

    assert result.stdout.splitlines()[0] == "removed image: blog/web:stray"
    assert "image rm blog/web:old" not in docker_calls(host)
    assert "builder prune --force" in docker_calls(host)


def test_the_staging_directory_of_the_old_layout_goes(host):
    make_release(host, "r1", 100, "blog/web:t1")
    (host["tmp"] / "code").mkdir()

    result = prune(host, "r1", 5, images="t1")

    assert not (host["tmp"] / "code").exists()
    assert "removed release directories: code" in result.stdout
