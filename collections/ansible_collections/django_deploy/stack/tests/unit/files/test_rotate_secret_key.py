"""roles/django_web/files/rotate-secret-key.sh, as tasks/main.yml runs it on the host: the key on
stdin (no newline added), DIR KEPT UID as arguments; stdout "changed" when it wrote anything (the
task's changed_when). The key a site had before stays valid as a fallback (SECRET_KEY_FALLBACKS).

chown is a fake that logs its calls (no test needs root) and the modes of the files it is given,
which the script has written by then but not yet made private; the other tools are the real
ones, logged, so a test can check that a key never was a process argument. The owner passed is the
test's own uid, whose files the script's "already done" check takes for its own."""

import os
import shutil
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "roles/django_web/files/rotate-secret-key.sh"
UID = str(os.getuid())
KEYS = ["k1-8f0c2a", "k2-47d1be", "k3-c93e05", "k4-1a6b7f"]


@pytest.fixture
def secrets(host_bin, tmp_path):
    host_bin.real("cat", "stat", "touch", "awk", "rm", "chmod", "mv")
    stat = shutil.which("stat")
    host_bin.fake("chown", f'log_call "$@"\n{stat} --format="%a %n" "${{@:2}}" >>"$CHOWN_SEEN"\n')
    directory = tmp_path / "secrets"
    directory.mkdir()
    return {"bin": host_bin, "dir": directory}


def write_key(secrets: dict, key: str, kept: int = 3, owner: str = UID):
    seen = str(secrets["dir"].parent / "chown-seen")
    return secrets["bin"].run(
        SCRIPT, str(secrets["dir"]), str(kept), owner, stdin=key, env={"CHOWN_SEEN": seen}
    )


def live_key(secrets: dict) -> str:
    return (secrets["dir"] / "secret_key").read_text()


def fallbacks(secrets: dict) -> list[str]:
    return (secrets["dir"] / "secret_key_fallbacks").read_text().splitlines()


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def assert_no_key_leaked(secrets: dict, *results) -> None:
    arguments = secrets["bin"].arguments()
    for key in KEYS:
        assert key not in arguments
        for result in results:
            assert key not in result.stdout + result.stderr


def test_the_first_key_is_written_for_the_web_user_alone(secrets):
    result = write_key(secrets, KEYS[0])

    assert result.returncode == 0, result.stderr
    assert result.stdout == "changed\n"
    assert live_key(secrets) == KEYS[0]  # exactly the key: no newline added
    assert fallbacks(secrets) == []
    assert mode(secrets["dir"] / "secret_key") == 0o400
    assert mode(secrets["dir"] / "secret_key_fallbacks") == 0o400
    assert secrets["bin"].lines("chown") == [
        f"chown {UID}:{UID} {secrets['dir']}/secret_key_fallbacks.kept"
        f" {secrets['dir']}/secret_key.new"
    ]
    assert sorted(p.name for p in secrets["dir"].iterdir()) == [
        "secret_key",
        "secret_key_fallbacks",
    ]
    assert_no_key_leaked(secrets, result)


def test_the_key_files_are_never_readable_by_others_even_before_they_are_made_private(secrets):
    write_key(secrets, KEYS[0])
    write_key(secrets, KEYS[1])

    seen = (secrets["dir"].parent / "chown-seen").read_text().splitlines()
    assert len(seen) == 4
    assert all(line.split()[0] == "600" for line in seen), seen


def test_the_same_key_again_changes_nothing(secrets):
    write_key(secrets, KEYS[0])
    before = {p.name: p.stat().st_mtime_ns for p in secrets["dir"].iterdir()}
    chowns = len(secrets["bin"].lines("chown"))

    result = write_key(secrets, KEYS[0])

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # the task reports "ok"
    assert {p.name: p.stat().st_mtime_ns for p in secrets["dir"].iterdir()} == before
    assert len(secrets["bin"].lines("chown")) == chowns


def test_a_new_key_keeps_the_replaced_ones_as_fallbacks_newest_first(secrets):
    results = [write_key(secrets, key) for key in KEYS[:3]]

    assert [result.stdout for result in results] == ["changed\n"] * 3
    assert live_key(secrets) == KEYS[2]
    assert fallbacks(secrets) == [KEYS[1], KEYS[0]]
    assert mode(secrets["dir"] / "secret_key_fallbacks") == 0o400
    assert_no_key_leaked(secrets, *results)


def test_at_most_kept_fallbacks_stay(secrets):
    for key in KEYS:
        write_key(secrets, key, kept=2)

    assert live_key(secrets) == KEYS[3]
    assert fallbacks(secrets) == [KEYS[2], KEYS[1]]


def test_no_fallbacks_are_kept_when_kept_is_zero(secrets):
    for key in KEYS[:2]:
        write_key(secrets, key, kept=0)

    assert live_key(secrets) == KEYS[1]
    assert fallbacks(secrets) == []


def test_going_back_to_an_earlier_key_takes_it_out_of_the_fallbacks(secrets):
    for key in (KEYS[0], KEYS[1], KEYS[2], KEYS[0]):
        write_key(secrets, key)

    assert live_key(secrets) == KEYS[0]
    # Never the live key, never one twice.
    assert fallbacks(secrets) == [KEYS[2], KEYS[1]]


def test_a_key_with_backslashes_and_symbols_is_kept_verbatim(secrets):
    odd = "a\\nb\\\\c$&'\" %s*-x"
    write_key(secrets, odd)

    result = write_key(secrets, KEYS[1])

    assert result.returncode == 0, result.stderr
    assert fallbacks(secrets) == [odd]
    assert odd not in secrets["bin"].arguments()
    # And the odd key as the new one is not kept as its own fallback.
    write_key(secrets, odd)
    assert fallbacks(secrets) == [KEYS[1]]


def test_a_fallbacks_file_readable_by_others_is_made_private_again(secrets):
    write_key(secrets, KEYS[0])
    write_key(secrets, KEYS[1])
    (secrets["dir"] / "secret_key_fallbacks").chmod(0o644)

    result = write_key(secrets, KEYS[1])

    assert result.stdout == "changed\n"
    assert mode(secrets["dir"] / "secret_key_fallbacks") == 0o400
    assert fallbacks(secrets) == [KEYS[0]]
    assert live_key(secrets) == KEYS[1]


def test_a_key_file_readable_by_others_is_made_private_again(secrets):
    write_key(secrets, KEYS[0])
    (secrets["dir"] / "secret_key").chmod(0o644)

    result = write_key(secrets, KEYS[0])

    assert result.stdout == "changed\n"
    assert mode(secrets["dir"] / "secret_key") == 0o400
    assert live_key(secrets) == KEYS[0]
    assert fallbacks(secrets) == []
    assert_no_key_leaked(secrets, result)
