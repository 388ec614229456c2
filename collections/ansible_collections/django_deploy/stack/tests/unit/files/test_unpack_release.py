"""roles/django_web/files/unpack-release.sh, as tasks/code.yml runs it on the host: RELEASE VERSION
UWSGI_INI as arguments, the code as a base64 gzip tar archive on stdin; stdout "changed" when it
unpacked (the task's changed_when).

chown is a fake that logs its calls and install a logged wrapper that leaves out -o and -g, so
no test needs root; the other tools are the real ones, logged. Directories are real, in
tmp_path."""

import base64
import io
import os
import shutil
import tarfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "roles/django_web/files/unpack-release.sh"

FAKE_INSTALL = """
log_call "$@"
args=()
while (($# > 0)); do
    case $1 in
        -o | -g) shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done
exec {install} "${{args[@]}}"
"""


def archive(files: dict[str, tuple[str | None, int]], owner: int = 0) -> str:
    """A base64 gzip tar archive of FILES: path -> (text, or None for a directory; mode)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, (text, mode) in files.items():
            info = tarfile.TarInfo(name)
            info.mode = mode
            info.uid = info.gid = owner
            if text is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                data = text.encode()
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return base64.encodebytes(buffer.getvalue()).decode()


CODE_V1 = {
    "manage.py": ("#!/usr/bin/env python\n", 0o700),
    "blog": (None, 0o700),
    "blog/settings.py": ("SECRET = 'from a file'\n", 0o600),
    "blog/urls.py": ("urlpatterns = []\n", 0o664),
}
CODE_V2 = {"manage.py": ("# version 2\n", 0o644), "blog": (None, 0o755)}


@pytest.fixture
def host(host_bin, tmp_path):
    host_bin.real("mkdir", "chmod", "cat", "rm", "base64", "tar", "gzip", "mv")
    host_bin.fake("chown", 'log_call "$@"\n')
    real_install = shutil.which("install")
    host_bin.fake("install", FAKE_INSTALL.format(install=real_install))
    config = tmp_path / "config"
    config.mkdir()
    (config / "uwsgi.ini").write_text("[uwsgi]\nprocesses = 4\n")
    (config / "uwsgi.ini").chmod(0o600)
    return {"bin": host_bin, "release": tmp_path / "releases/r1", "ini": config / "uwsgi.ini"}


def unpack(host: dict, version: str, code: str):
    return host["bin"].run(SCRIPT, str(host["release"]), version, str(host["ini"]), stdin=code)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_the_code_is_unpacked_readable_by_all_and_marked_complete(host):
    result = unpack(host, "v1", archive(CODE_V1))

    assert result.returncode == 0, result.stderr
    assert result.stdout == "changed\n"
    release = host["release"]
    code = release / "code"
    assert (code / "blog/settings.py").read_text() == "SECRET = 'from a file'\n"
    # Readable by all (the container's user is not root), writable by root alone.
    assert mode(release) == 0o755
    assert mode(code) == 0o755
    assert mode(code / "manage.py") == 0o755
    assert mode(code / "blog") == 0o755
    assert mode(code / "blog/settings.py") == 0o644
    assert mode(code / "blog/urls.py") == 0o644
    assert (release / "code.complete").read_text() == "v1\n"
    assert mode(release / "code.complete") == 0o644
    assert (release / "uwsgi.ini").read_text() == "[uwsgi]\nprocesses = 4\n"
    assert mode(release / "uwsgi.ini") == 0o644
    assert host["bin"].lines("chown") == [
        f"chown root:root {release}",
        f"chown -R root:root {code}",
    ]
    assert host["bin"].lines("install") == [
        f"install -o root -g root -m 0644 {host['ini']} {release}/uwsgi.ini"
    ]
    assert not (release / "code.complete.new").exists()


def test_code_complete_with_the_same_version_is_kept_and_the_configuration_refreshed(host):
    unpack(host, "v1", archive(CODE_V1))
    (host["release"] / "code/left-by-a-test").write_text("")
    host["ini"].write_text("[uwsgi]\nprocesses = 8\n")

    result = unpack(host, "v1", archive(CODE_V2))

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    code = host["release"] / "code"
    assert (code / "left-by-a-test").exists()
    assert (code / "manage.py").read_text() == "#!/usr/bin/env python\n"
    assert (host["release"] / "uwsgi.ini").read_text() == "[uwsgi]\nprocesses = 8\n"


def test_another_version_replaces_the_code(host):
    unpack(host, "v1", archive(CODE_V1))

    result = unpack(host, "v2", archive(CODE_V2))

    assert result.stdout == "changed\n"
    code = host["release"] / "code"
    assert (code / "manage.py").read_text() == "# version 2\n"
    assert not (code / "blog/settings.py").exists()
    assert (host["release"] / "code.complete").read_text() == "v2\n"


def test_the_leftover_of_an_unpacking_cut_short_is_replaced(host):
    (host["release"] / "code/blog").mkdir(parents=True)
    (host["release"] / "code/blog/half-written.py").write_text("imp")

    result = unpack(host, "v1", archive(CODE_V1))

    assert result.stdout == "changed\n"
    assert not (host["release"] / "code/blog/half-written.py").exists()
    assert (host["release"] / "code/blog/urls.py").exists()


def test_a_broken_archive_fails_and_leaves_the_code_incomplete_for_the_next_run(host):
    broken = archive(CODE_V1)[:200] + "\n"

    result = unpack(host, "v1", broken)

    assert result.returncode != 0
    assert "changed" not in result.stdout
    assert result.stderr.strip()  # tar's or gzip's complaint, for the task's failure
    assert not (host["release"] / "code.complete").exists()
    # The next run unpacks again instead of keeping what the broken run left.
    again = unpack(host, "v1", archive(CODE_V1))
    assert again.stdout == "changed\n"
    assert (host["release"] / "code/blog/urls.py").exists()


def test_stdin_that_is_not_all_base64_fails_even_when_the_archive_in_it_unpacks(host):
    # base64 stops at the first character it cannot decode, after the whole archive.
    mangled = archive(CODE_V1) + "!!!\n"

    result = unpack(host, "v1", mangled)

    assert result.returncode != 0
    assert "invalid input" in result.stderr
    assert not (host["release"] / "code.complete").exists()


@pytest.mark.skipif(os.getuid() != 0, reason="only root's tar keeps the owners of an archive")
def test_owners_recorded_in_the_archive_are_not_kept(host):
    result = unpack(host, "v1", archive(CODE_V1, owner=12345))

    assert result.returncode == 0, result.stderr
    assert (host["release"] / "code/blog/settings.py").stat().st_uid == 0
