"""plugins/filter/swarm_secret_mounts.py: a docker_secret loop's results become the mounts of the
versioned secrets, each as its loop item's file, owned by the service's user only."""

from ansible_collections.django_deploy.stack.plugins.filter.swarm_secret_mounts import (
    swarm_secret_mounts,
    swarm_spec_secret_mounts,
)

RESULTS = [
    {"secret_name": "blog_web_secret_key_v3", "item": {"key": "secret_key", "value": "x"}},
    {"secret_name": "blog_web_database_password_v1", "item": {"key": "database_password"}},
]


def test_each_result_is_its_current_version_as_its_items_file():
    assert swarm_secret_mounts(RESULTS, uid=1000) == [
        {"name": "blog_web_secret_key_v3", "target": "secret_key", "uid": "1000", "gid": "1000",
         "mode": "0400"},
        {"name": "blog_web_database_password_v1", "target": "database_password", "uid": "1000",
         "gid": "1000", "mode": "0400"},
    ]  # fmt: skip


def test_the_group_and_mode_can_differ_and_no_value_is_carried():
    [mount] = swarm_secret_mounts(RESULTS[:1], uid=999, gid=0, mode="0440")
    assert (mount["uid"], mount["gid"], mount["mode"]) == ("999", "0", "0440")
    assert "x" not in mount.values()


def test_no_results_no_mounts():
    assert swarm_secret_mounts([], uid=1) == []


def test_a_service_specs_secrets_become_the_same_mounts():
    """What a service mounts now, to run another release with it (a rollback in Swarm mode)."""
    spec = {
        "TaskTemplate": {
            "ContainerSpec": {
                "Secrets": [
                    {"SecretID": "abc", "SecretName": "blog_web_secret_key_v3",
                     "File": {"Name": "secret_key", "UID": "1000", "GID": "1000", "Mode": 0o400}},
                ]
            }
        }
    }  # fmt: skip
    assert swarm_spec_secret_mounts(spec) == swarm_secret_mounts(RESULTS[:1], uid=1000)


def test_a_spec_without_secrets_or_no_spec_mounts_none():
    assert swarm_spec_secret_mounts({"TaskTemplate": {"ContainerSpec": {}}}) == []
    assert swarm_spec_secret_mounts({}) == []
    assert swarm_spec_secret_mounts(None) == []
