"""plugins/filter/container_summary.py: the status playbook's view of each container."""

from datetime import UTC, datetime

from ansible_collections.django_deploy.stack.plugins.filter.container_summary import (
    container_summary,
)

NOW = datetime(2026, 12, 6, 12, 0, 0, tzinfo=UTC)


def inspected(name, status="running", health=None, labels=None, started="2026-12-04T10:30:00.123Z"):
    state = {"Status": status, "Running": status == "running", "StartedAt": started}
    if health:
        state["Health"] = {"Status": health}
    return {
        "Name": "/" + name,
        "State": state,
        "Config": {"Image": f"blog/{name}:abc", "Labels": labels},
        "RestartCount": 2,
    }


def test_a_running_container_shows_health_release_and_uptime():
    summary = container_summary(
        [inspected("blog_web", health="healthy", labels={"django-deploy.release": "r1"})], NOW
    )
    assert summary == {
        "blog_web": {
            "state": "running (healthy)",
            "image": "blog/blog_web:abc",
            "release": "r1",
            "up since": "2026-12-04 10:30:00Z (2d 1h 30m)",
            "restarts": 2,
        }
    }


def test_a_stopped_container_has_no_uptime_and_no_release_label():
    (summary,) = container_summary([inspected("blog_mysql", status="exited")], NOW).values()
    assert summary["state"] == "exited"
    assert summary["up since"] == "2026-12-04 10:30:00Z"
    assert summary["release"] == "-"


def test_containers_come_sorted_by_name():
    names = list(container_summary([inspected("b"), inspected("a")], NOW))
    assert names == ["a", "b"]
