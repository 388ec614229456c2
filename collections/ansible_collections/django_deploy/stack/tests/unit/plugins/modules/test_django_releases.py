"""plugins/modules/django_releases.py: which releases are kept, which is live, and where a
rollback goes, read from release directories made up here."""

import json
import os

import pytest
from ansible_collections.django_deploy.stack.plugins.modules.django_releases import describe


@pytest.fixture
def host(tmp_path):
    releases = tmp_path / "releases"
    link = tmp_path / "run" / "web.sock"
    link.parent.mkdir()

    def release(release_id, went_live, migrations=(), live=False):
        directory = releases / release_id
        directory.mkdir(parents=True)
        record = {"id": release_id, "image": f"blog/web:{release_id[:4]}", "env": {"A": "1"}}
        record["migrations"] = list(migrations)
        (directory / "release.json").write_text(json.dumps(record))
        (directory / "live_since").write_text("")
        os.utime(directory / "live_since", (went_live, went_live))
        if live:
            if link.is_symlink():
                link.unlink()
            link.symlink_to(f"web-{release_id}.sock")

    return releases, link, release


def test_the_release_live_before_the_current_one_is_the_default_target(host):
    releases, link, release = host
    release("aaaaaaaaaaaa", 1_000_000, ["blog.0001"])
    release("bbbbbbbbbbbb", 2_000_000, ["blog.0001", "blog.0002"])
    release("cccccccccccc", 3_000_000, ["blog.0001", "blog.0002", "blog.0003"], live=True)
    result = describe(str(releases), str(link), "")
    assert [r["id"] for r in result["releases"]] == ["cccccccccccc", "bbbbbbbbbbbb", "aaaaaaaaaaaa"]
    assert result["live"] == "cccccccccccc"
    assert result["live_record"]["image"] == "blog/web:cccc"
    assert result["target"] == "bbbbbbbbbbbb"
    assert result["target_record"]["image"] == "blog/web:bbbb"
    assert result["newer_migrations"] == ["blog.0003"]
    assert result["error"] == ""
    assert result["releases"][2]["live_since"] == "1970-01-12 13:46:40"


def test_a_named_release_is_the_target(host):
    releases, link, release = host
    release("aaaaaaaaaaaa", 1_000_000, ["blog.0001"])
    release("bbbbbbbbbbbb", 2_000_000, ["blog.0001", "blog.0002"])
    release("cccccccccccc", 3_000_000, ["blog.0001", "blog.0002"], live=True)
    result = describe(str(releases), str(link), "aaaaaaaaaaaa")
    assert result["target"] == "aaaaaaaaaaaa"
    assert result["newer_migrations"] == ["blog.0002"]


def test_after_a_rollback_the_default_target_is_the_release_rolled_back_from(host):
    releases, link, release = host
    release("aaaaaaaaaaaa", 1_000_000)
    release("bbbbbbbbbbbb", 2_000_000)
    release("cccccccccccc", 500_000)
    os.utime(releases / "aaaaaaaaaaaa" / "live_since", (3_000_000, 3_000_000))
    link.symlink_to("web-aaaaaaaaaaaa.sock")
    assert describe(str(releases), str(link), "")["target"] == "bbbbbbbbbbbb"


@pytest.mark.parametrize(
    ("wanted", "problem"),
    [
        ("0123456789ab", 'Release "0123456789ab" is not kept on this host.'),
        (
            "bbbbbbbbbbbb",
            'Release "bbbbbbbbbbbb" is not kept on this host as an earlier one: it is the live',
        ),
    ],
)
def test_a_release_that_is_not_kept_or_is_live_is_refused_with_the_kept_ones(host, wanted, problem):
    releases, link, release = host
    release("aaaaaaaaaaaa", 1_000_000)
    release("bbbbbbbbbbbb", 2_000_000, live=True)
    result = describe(str(releases), str(link), wanted)
    assert result["target"] == ""
    assert result["target_record"] == {}
    assert result["error"].startswith(problem)
    assert "Kept releases, the live one first: bbbbbbbbbbbb (live since" in result["error"]
    assert (
        "; aaaaaaaaaaaa (live since 1970-01-12 13:46:40, image blog/web:aaaa)." in result["error"]
    )


def test_a_first_release_has_nothing_to_go_back_to(host):
    releases, link, release = host
    release("aaaaaaaaaaaa", 1_000_000, live=True)
    result = describe(str(releases), str(link), "")
    assert result["error"].startswith("No earlier release is kept on this host.")


def test_a_directory_that_never_went_live_is_not_kept(host):
    releases, link, release = host
    release("aaaaaaaaaaaa", 1_000_000, live=True)
    (releases / "dddddddddddd").mkdir()
    (releases / "dddddddddddd" / "release.json").write_text("{}")
    assert [r["id"] for r in describe(str(releases), str(link), "")["releases"]] == ["aaaaaaaaaaaa"]


def test_the_current_link_is_not_a_release_of_its_own(host):
    releases, link, release = host
    release("aaaaaaaaaaaa", 1_000_000, live=True)
    (releases / "current").symlink_to("aaaaaaaaaaaa")
    assert [r["id"] for r in describe(str(releases), str(link), "")["releases"]] == ["aaaaaaaaaaaa"]


def test_a_host_without_releases_has_none_live(tmp_path):
    result = describe(str(tmp_path / "releases"), str(tmp_path / "web.sock"), "")
    assert result["releases"] == []
    assert result["live"] == "-"
    assert result["live_record"] == {}
    assert (
        result["error"]
        == "No earlier release is kept on this host. Kept releases, the live one first: none."
    )


def test_a_live_release_without_a_record_has_an_empty_one(host):
    """A release from before records were written: its image is not known, so a deploy's quick
    path, which reuses the live release's image, cannot start from it."""
    releases, link, release = host
    release("aaaaaaaaaaaa", 1_000_000)
    (releases / "bbbbbbbbbbbb").mkdir()
    link.symlink_to("web-bbbbbbbbbbbb.sock")
    result = describe(str(releases), str(link), "")
    assert result["live"] == "bbbbbbbbbbbb"
    assert result["live_record"] == {}
    assert result["target"] == "aaaaaaaaaaaa"


def test_in_swarm_mode_the_live_release_is_the_one_named(host):
    """No live socket link on a Swarm's web node: the web service's label names the live release."""
    releases, _, release = host
    release("aaaaaaaaaaaa", 1_000_000, ["blog.0001"])
    release("bbbbbbbbbbbb", 2_000_000, ["blog.0001", "blog.0002"])
    release("cccccccccccc", 3_000_000, ["blog.0001", "blog.0002"])
    result = describe(str(releases), None, "", live="bbbbbbbbbbbb")
    assert result["live"] == "bbbbbbbbbbbb"
    assert result["live_record"]["image"] == "blog/web:bbbb"
    # The most recently live one that is not live: the one rolled back from.
    assert result["target"] == "cccccccccccc"
    named = describe(str(releases), None, "aaaaaaaaaaaa", live="bbbbbbbbbbbb")
    assert (named["target"], named["newer_migrations"]) == ("aaaaaaaaaaaa", ["blog.0002"])
