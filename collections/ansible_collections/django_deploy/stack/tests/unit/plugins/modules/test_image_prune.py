"""plugins/modules/image_prune.py against a fake docker CLI with images, some used by containers."""

import pytest
from ansible_collections.django_deploy.stack.plugins.module_utils.docker_cli import DockerCli
from ansible_collections.django_deploy.stack.plugins.modules.image_prune import (
    PruneError,
    prune_images,
)


class FakeDocker:
    def __init__(self, images, used=(), ls_fails=False):
        self.images = list(images)
        self.used = set(used)
        self.ls_fails = ls_fails
        self.commands = []

    def run(self, argv, data=None, environ_update=None):
        command = argv[1:]
        self.commands.append(command)
        if command[:2] == ["image", "ls"]:
            if self.ls_fails:
                return 1, "", "Cannot connect to the Docker daemon"
            assert command[2:4] == ["--format", "{{.Repository}}:{{.Tag}}"]
            repository = command[4]
            return 0, "".join(i + "\n" for i in self.images if i.startswith(repository + ":")), ""
        if command[:2] == ["image", "rm"]:
            if command[2] in self.used:
                return 1, "", "conflict: unable to remove repository reference (in use)"
            self.images.remove(command[2])
            return 0, "Untagged: " + command[2], ""
        raise AssertionError(command)


def prune(docker, keep=(), check_mode=False):
    return prune_images(DockerCli(docker.run), "blog/nginx", list(keep), check_mode)


def test_unused_images_go_and_the_kept_and_used_ones_stay():
    docker = FakeDocker(
        ["blog/nginx:old1", "blog/nginx:old2", "blog/nginx:live", "blog/nginx:new", "blog/web:x"],
        used={"blog/nginx:live"},
    )

    result = prune(docker, keep=["blog/nginx:new"])

    assert result == {"changed": True, "removed": ["blog/nginx:old1", "blog/nginx:old2"]}
    assert docker.images == ["blog/nginx:live", "blog/nginx:new", "blog/web:x"]


def test_nothing_to_remove_is_no_change():
    docker = FakeDocker(["blog/nginx:live", "blog/nginx:<none>"], used={"blog/nginx:live"})

    assert prune(docker, keep=["blog/nginx:live"]) == {"changed": False, "removed": []}
    assert not any(command[:2] == ["image", "rm"] for command in docker.commands)


def test_check_mode_lists_without_removing():
    docker = FakeDocker(["blog/nginx:old", "blog/nginx:live"])

    assert prune(docker, keep=["blog/nginx:live"], check_mode=True)["removed"] == ["blog/nginx:old"]
    assert docker.images == ["blog/nginx:old", "blog/nginx:live"]


def test_an_engine_that_does_not_answer_fails_clearly():
    with pytest.raises(PruneError, match="docker image ls blog/nginx failed: Cannot connect"):
        prune(FakeDocker([], ls_fails=True))
