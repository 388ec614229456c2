"""plugins/modules/blue_green.py against a fake docker CLI: containers it keeps as inspect records,
health checks that answer from a script, a clock that moves only when the module sleeps."""

import json

import pytest
from ansible_collections.django_deploy.stack.plugins.module_utils.docker_cli import DockerCli
from ansible_collections.django_deploy.stack.plugins.modules.blue_green import (
    HandoverError,
    check_healthy,
    hand_over,
    image_health_command,
)

SECRET = "s3cret-db-password"  # noqa: S105 (a made-up secret the output must not show)


class FakeDocker:
    def __init__(self):
        self.containers = {}
        self.health = []  # (rc, stdout, stderr) per health check run, the last one repeats
        self.crash_after = None  # the container stops after this many health checks
        self.logs = ""
        self.failing = set()  # docker subcommands that fail
        self.commands = []
        self.checks = 0
        self.now = 1000.0

    def add(self, name, test=("CMD", "uwsgi-healthcheck")):
        self.containers[name] = {
            "Name": "/" + name,
            "State": {"Running": True, "Restarting": False},
            "Config": {"Healthcheck": {"Test": list(test)}},
            "HostConfig": {"RestartPolicy": {"Name": "no"}},
        }

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds

    def run(self, argv, data=None, environ_update=None):
        assert argv[0] == "docker"
        command = argv[1:]
        self.commands.append(command)
        verb = command[0]
        if verb in self.failing:
            return 1, "", "Error response from daemon: %s refused" % verb
        if command[:2] == ["container", "inspect"]:
            name = command[2]
            if name not in self.containers:
                return 1, "[]", "Error: No such container: " + name
            return 0, json.dumps([self.containers[name]]), ""
        if verb == "exec":
            self.checks += 1
            self.now += 0.2
            if self.crash_after is not None and self.checks >= self.crash_after:
                self.containers[command[1]]["State"]["Running"] = False
            answer = self.health[min(self.checks, len(self.health)) - 1]
            return answer
        if verb == "logs":
            return 0, self.logs, ""
        if verb == "rm":
            self.containers.pop(command[-1], None)
            return 0, "", ""
        if verb == "update":
            self.containers[command[-1]]["HostConfig"]["RestartPolicy"]["Name"] = command[2]
            return 0, "", ""
        if verb == "stop":
            self.containers[command[-1]]["State"]["Running"] = False
            return 0, "", ""
        if verb == "rename":
            self.containers[command[2]] = self.containers.pop(command[1])
            return 0, "", ""
        raise AssertionError("unexpected docker command %r" % command)


@pytest.fixture
def docker():
    return FakeDocker()


def params(**given):
    values = {
        "container": "blog_web_abc",
        "health_command": [],
        "timeout": 10,
        "description": "The new release of blog_web",
        "log_lines": 20,
        "secrets": {"django_stack_database_password": SECRET},
        "live_name": "blog_web",
        "stop_timeout": 35,
        "restart_policy": "unless-stopped",
    }
    values.update(given)
    return values


def healthy(docker, **given):
    return check_healthy(DockerCli(docker.run), params(**given), docker.clock, docker.sleep)


def test_a_container_that_answers_at_once_is_healthy_and_stays(docker):
    docker.add("blog_web_abc")
    docker.health = [(0, "ok\n", "")]

    result = healthy(docker)

    assert result["changed"] is False
    assert result["health"] == "ok"
    assert result["seconds"] == pytest.approx(0.2)
    assert ["exec", "blog_web_abc", "uwsgi-healthcheck"] in docker.commands
    assert "blog_web_abc" in docker.containers


def test_the_health_check_repeats_every_second_until_it_passes(docker):
    docker.add("blog_web_abc")
    docker.health = [(1, "", "connection refused")] * 3 + [(0, "", "")]

    result = healthy(docker)

    assert docker.checks == 4
    assert result["seconds"] == pytest.approx(3 * 1.2 + 0.2)


def test_a_given_command_replaces_the_images_health_check(docker):
    docker.add("blog_nginx_next", test=("CMD-SHELL", "curl -f http://localhost/"))
    docker.health = [(0, "", "")]

    healthy(docker, container="blog_nginx_next", health_command=["nginx-healthcheck"])

    assert ["exec", "blog_nginx_next", "nginx-healthcheck"] in docker.commands


def test_the_images_shell_health_check_runs_through_sh():
    record = {"Config": {"Healthcheck": {"Test": ["CMD-SHELL", "curl -f http://localhost/"]}}}
    assert image_health_command(record) == ["/bin/sh", "-c", "curl -f http://localhost/"]
    assert image_health_command({"Config": {"Healthcheck": {"Test": ["NONE"]}}}) == []
    assert image_health_command({"Config": {}}) == []


def test_a_container_that_never_passes_is_removed_with_its_answer_and_logs(docker):
    docker.add("blog_web_abc")
    docker.health = [(1, "", "uWSGI socket refused; password " + SECRET)]
    docker.logs = "Traceback\nRuntimeError: this release is broken, DB " + SECRET

    with pytest.raises(HandoverError) as failure:
        healthy(docker)

    message = str(failure.value)
    assert message.startswith(
        "The new release of blog_web is not healthy: it did not pass its health check within 10 s"
        " and was removed; blog_web is still serving."
    )
    assert "uWSGI socket refused" in message and "this release is broken" in message
    assert SECRET not in message
    assert message.endswith("this release is broken, DB <django_stack_database_password>")
    assert "password <django_stack_database_password>" in message
    assert "blog_web_abc" not in docker.containers
    assert ["rm", "--force", "--volumes", "blog_web_abc"] in docker.commands
    # Every second for the 10 s it had, not longer.
    assert 8 <= docker.checks <= 10


def test_a_container_that_stops_ends_the_wait_at_once(docker):
    docker.add("blog_web_abc")
    docker.health = [(1, "", "not ready")]
    docker.crash_after = 2

    with pytest.raises(HandoverError, match="its container stopped or kept restarting"):
        healthy(docker)
    assert docker.checks == 2
    assert "blog_web_abc" not in docker.containers


def test_a_container_that_does_not_exist_fails_clearly(docker):
    with pytest.raises(HandoverError, match="Health check: its container does not exist"):
        healthy(docker)


def test_an_image_without_a_health_check_needs_a_command(docker):
    docker.add("blog_web_abc", test=())

    with pytest.raises(HandoverError, match="no health check and none was given"):
        healthy(docker)


def test_hand_over_stops_the_live_container_and_gives_its_name_to_the_new_one(docker):
    docker.add("blog_nginx")
    docker.add("blog_nginx_next")

    result = hand_over(
        DockerCli(docker.run), params(container="blog_nginx_next", live_name="blog_nginx")
    )

    assert result["changed"] is True
    assert docker.commands == [
        ["update", "--restart", "unless-stopped", "blog_nginx_next"],
        ["container", "inspect", "blog_nginx"],
        ["stop", "--time", "35", "blog_nginx"],
        ["rm", "blog_nginx"],
        ["rename", "blog_nginx_next", "blog_nginx"],
    ]
    assert list(docker.containers) == ["blog_nginx"]
    assert docker.containers["blog_nginx"]["State"]["Running"] is True
    assert (
        docker.containers["blog_nginx"]["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped"
    )


def test_hand_over_without_a_live_container_only_renames(docker):
    docker.add("blog_nginx_next")

    hand_over(DockerCli(docker.run), params(container="blog_nginx_next", live_name="blog_nginx"))

    assert [command[0] for command in docker.commands] == ["update", "container", "rename"]


def test_a_failed_step_stops_the_hand_over_and_says_what_keeps_serving(docker):
    docker.add("blog_nginx")
    docker.add("blog_nginx_next")
    docker.failing = {"stop"}

    with pytest.raises(
        HandoverError, match=r"docker stop --time \d+ blog_nginx failed: .*stop refused"
    ):
        hand_over(
            DockerCli(docker.run), params(container="blog_nginx_next", live_name="blog_nginx")
        )
    assert set(docker.containers) == {"blog_nginx", "blog_nginx_next"}
