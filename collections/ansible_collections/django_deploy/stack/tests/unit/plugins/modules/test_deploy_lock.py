"""plugins/modules/deploy_lock.py: one run at a time, a line per run, and a lock that only its
holder releases."""

import re
import stat

import pytest
from ansible_collections.django_deploy.stack.plugins.modules import deploy_lock


class Failed(Exception):
    pass


class FakeModule:
    def fail_json(self, msg):
        raise Failed(msg)


def params(tmp_path, **given):
    values = {
        "path": str(tmp_path / "srv" / "deploy.lock"),
        "audit_log": str(tmp_path / "srv" / "logs" / "deploy.log"),
        "actor": "alice@laptop",
        "break_stale": False,
        "token": "",
        "run": "deploy",
        "live_release": "-",
        "previous_release": "-",
        "changes": [],
        "result": "ok",
        "release": False,
        "lines": 10,
    }
    values.update(given)
    return values


def audit(tmp_path):
    return (tmp_path / "srv" / "logs" / "deploy.log").read_text().splitlines()


def test_take_makes_the_directories_and_holds_the_lock(tmp_path):
    taken = deploy_lock.take(FakeModule(), params(tmp_path))
    assert taken["changed"] is False
    assert re.fullmatch(
        r"alice@laptop since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(run \d+\)", taken["token"]
    )
    assert (tmp_path / "srv" / "deploy.lock").read_text() == taken["token"] + "\n"
    assert (tmp_path / "srv" / "logs").is_dir()


def test_a_second_run_is_refused_naming_the_holder_and_logged(tmp_path):
    first = deploy_lock.take(FakeModule(), params(tmp_path))
    with pytest.raises(Failed) as refused:
        deploy_lock.take(FakeModule(), params(tmp_path, actor="bob@ci", run="rollback"))
    assert first["token"] in str(refused.value)
    assert "deploy_lock_break=true" in str(refused.value)
    (line,) = audit(tmp_path)
    assert (
        " bob@ci rollback release=- previous=- changed=nothing "
        f"result=refused: locked by {first['token']}" in line
    )
    # The holder keeps its lock.
    assert (tmp_path / "srv" / "deploy.lock").read_text() == first["token"] + "\n"


def test_break_stale_replaces_a_lock_left_by_a_killed_run(tmp_path):
    stale = deploy_lock.take(FakeModule(), params(tmp_path))
    taken = deploy_lock.take(FakeModule(), params(tmp_path, break_stale=True, actor="bob@ci"))
    assert taken["token"] != stale["token"]
    assert (tmp_path / "srv" / "deploy.lock").read_text() == taken["token"] + "\n"


def test_log_writes_one_line_and_releases_only_when_asked(tmp_path):
    token = deploy_lock.take(FakeModule(), params(tmp_path))["token"]
    kept = deploy_lock.log(
        params(
            tmp_path,
            token=token,
            live_release="b2",
            previous_release="a1",
            changes=["web-image", "nginx-conf"],
            result="failed at: Wait\nfor health",
        )
    )
    assert kept["unlocked"] is False
    assert (tmp_path / "srv" / "deploy.lock").exists()
    assert kept["line"].endswith(
        " alice@laptop deploy release=b2 previous=a1 changed=web-image,nginx-conf"
        " result=failed at: Wait for health"
    )
    released = deploy_lock.log(params(tmp_path, token=token, release=True))
    assert released["unlocked"] is True
    assert not (tmp_path / "srv" / "deploy.lock").exists()
    assert audit(tmp_path) == [kept["line"], released["line"]]
    assert released["line"].endswith(" changed=nothing result=ok")
    log_mode = (tmp_path / "srv" / "logs" / "deploy.log").stat().st_mode
    assert stat.S_IMODE(log_mode) == 0o640


def test_release_leaves_a_lock_another_run_took(tmp_path):
    mine = deploy_lock.take(FakeModule(), params(tmp_path))["token"]
    theirs = deploy_lock.take(FakeModule(), params(tmp_path, break_stale=True, actor="bob@ci"))[
        "token"
    ]
    assert deploy_lock.release(str(tmp_path / "srv" / "deploy.lock"), mine) is False
    assert (tmp_path / "srv" / "deploy.lock").read_text() == theirs + "\n"
    assert deploy_lock.release(str(tmp_path / "srv" / "deploy.lock"), theirs) is True
    assert deploy_lock.release(str(tmp_path / "srv" / "deploy.lock"), theirs) is False
    assert deploy_lock.release(str(tmp_path / "srv" / "deploy.lock"), "") is False


def test_read_names_the_holder_and_the_last_lines(tmp_path):
    assert deploy_lock.read(params(tmp_path)) == {
        "changed": False,
        "holder": "not held",
        "audit": [],
    }
    token = deploy_lock.take(FakeModule(), params(tmp_path))["token"]
    for n in range(4):
        deploy_lock.log(params(tmp_path, live_release=f"r{n}"))
    found = deploy_lock.read(params(tmp_path, lines=2))
    assert found["holder"] == token
    assert [line.split()[3] for line in found["audit"]] == ["release=r2", "release=r3"]
