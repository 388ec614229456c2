import pytest
from ansible_collections.django_deploy.stack.plugins.filter.swarm_status import swarm_status

SERVICES = [
    {
        "Name": "blog_mysql",
        "Mode": "replicated",
        "Replicas": "1/1",
        "Image": "r:5000/blog/mysql@sha256:1",
    },
    {
        "Name": "blog_web",
        "Mode": "replicated",
        "Replicas": "1/2",
        "Image": "r:5000/blog/web@sha256:2",
    },
]
TASKS = [
    [{"Node": "node1", "CurrentState": "Running 2 hours ago", "Error": ""}],
    [
        {"Node": "node3", "CurrentState": "Running 5 minutes ago", "Error": ""},
        {"Node": "", "CurrentState": "Pending 5 minutes ago", "Error": "no suitable node"},
    ],
]


def test_each_service_with_its_tasks_by_node():
    status = swarm_status(SERVICES, TASKS)
    assert list(status) == ["blog_mysql", "blog_web"]
    assert status["blog_web"] == {
        "mode": "replicated",
        "tasks running": "1/2",
        "image": "r:5000/blog/web@sha256:2",
        "tasks": [
            "(no node): Pending 5 minutes ago (no suitable node)",
            "node3: Running 5 minutes ago",
        ],
    }
    assert status["blog_mysql"]["tasks"] == ["node1: Running 2 hours ago"]


def test_tasks_for_other_services_than_listed_are_refused():
    with pytest.raises(ValueError, match="2 services, but the tasks of 1"):
        swarm_status(SERVICES, TASKS[:1])
