"""plugins/modules/django_stack_state.py: when a rerun may skip a role, or do only part of it.

The module's record and check run on this controller against made-up files; containers and units
are left out (no docker, no systemctl on the fake module's PATH).
"""

from pathlib import Path

import pytest
from ansible_collections.django_deploy.stack.plugins.modules import django_stack_state as state


class NoTools:
    """What the module asks of AnsibleModule when the host has neither docker nor systemctl."""

    def get_bin_path(self, _name):
        return None


@pytest.fixture
def watched(tmp_path: Path) -> Path:
    path = tmp_path / "uwsgi.ini"
    path.write_text("[uwsgi]\n")
    return path


def record_then_check(tmp_path: Path, watched: Path, recorded, now) -> tuple:
    records = tmp_path / "state"
    role = {"fingerprint": recorded, "files": [str(watched)]}
    state.record(NoTools(), str(records), {"django_web": role})
    return state.check(NoTools(), str(records), {"django_web": {"fingerprint": now}})


def test_same_fingerprint_and_files_is_current(tmp_path, watched):
    parts = {"settings": "s1", "code": "c1"}
    current, reasons, unchanged = record_then_check(tmp_path, watched, parts, dict(parts))
    assert (current, reasons, unchanged) == (["django_web"], {}, {})


def test_only_code_changed_names_the_unchanged_parts(tmp_path, watched):
    current, reasons, unchanged = record_then_check(
        tmp_path, watched, {"settings": "s1", "code": "c1"}, {"settings": "s1", "code": "c2"}
    )
    assert current == []
    assert reasons == {"django_web": "only its code changed"}
    assert unchanged == {"django_web": ["settings"]}


def test_a_changed_file_outweighs_unchanged_parts(tmp_path, watched):
    records = tmp_path / "state"
    role = {"fingerprint": {"settings": "s1", "code": "c1"}, "files": [str(watched)]}
    state.record(NoTools(), str(records), {"django_web": role})
    watched.write_text("[uwsgi]\n# edited by hand\n")
    now = {"django_web": {"fingerprint": {"settings": "s1", "code": "c2"}}}
    current, reasons, unchanged = state.check(NoTools(), str(records), now)
    assert current == [] and unchanged == {}
    assert reasons == {"django_web": f"file {watched} changed since the last deploy"}


@pytest.mark.parametrize(
    ("recorded", "now"),
    [
        ({"settings": "s1", "code": "c1"}, {"settings": "s2", "code": "c2"}),
        ("one-hash", {"settings": "s1", "code": "c1"}),
        ({"settings": "s1"}, {"settings": "s1", "code": "c1"}),
        ("one-hash", "another-hash"),
    ],
)
def test_every_part_changed_or_no_parts_to_compare_runs_the_whole_role(
    tmp_path, watched, recorded, now
):
    current, reasons, unchanged = record_then_check(tmp_path, watched, recorded, now)
    assert current == [] and unchanged == {}
    assert reasons == {"django_web": "its settings or code changed"}


def test_no_record_runs_the_role(tmp_path):
    current, reasons, unchanged = state.check(
        NoTools(), str(tmp_path / "none"), {"django_web": {"fingerprint": "x"}}
    )
    assert current == [] and unchanged == {}
    assert reasons == {"django_web": "no record of a complete run"}


def test_merge_for_a_check_covers_every_fingerprinted_role():
    merged = state.merge("check", {}, {"django_web": "f1", "nginx_proxy": "f2"})
    assert merged == {"django_web": {"fingerprint": "f1"}, "nginx_proxy": {"fingerprint": "f2"}}


def test_merge_for_a_record_takes_only_the_roles_that_published_their_watch():
    watch = {"nginx_proxy": {"containers": ["blog_nginx"]}}
    merged = state.merge("record", watch, {"django_web": "f1", "nginx_proxy": "f2"})
    assert merged == {"nginx_proxy": {"containers": ["blog_nginx"], "fingerprint": "f2"}}
    assert watch == {"nginx_proxy": {"containers": ["blog_nginx"]}}, "the input is not changed"
