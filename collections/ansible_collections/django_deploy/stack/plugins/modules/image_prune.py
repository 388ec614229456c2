#!/usr/bin/python
# -*- coding: utf-8 -*-
# Runs on the managed host: Python 2.7 (Ubuntu 16.04) up to the newest python3, so no f-strings
# and no type hints.
"""Removes the tagged images of one repository that no container uses, but those to keep."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: image_prune
author: django-deploy maintainers
version_added: 0.1.0
short_description: Remove the images of a repository that no container uses
description:
  - Lists the tagged images of O(repository) and removes each one that is not in O(keep) and that
    no container (running or stopped) uses; an image a container uses stays, as C(docker image rm)
    refuses it.
  - The images a role built earlier, left behind when a new one went live.
options:
  repository:
    description: The repository whose images are pruned (C(blog/nginx)).
    type: str
    required: true
  keep:
    description: Images (C(repository:tag)) that stay even when no container uses them.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    support: full
    details: Lists what would be removed; an image a container uses is listed too.
"""

EXAMPLES = r"""
- name: Remove the nginx images no container uses
  django_deploy.stack.image_prune:
    repository: blog/nginx
    keep: ["blog/nginx:9d4b9d88880b"]
"""

RETURN = r"""
removed:
  description: The images removed (C(repository:tag)).
  type: list
  elements: str
  returned: always
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.django_deploy.stack.plugins.module_utils.docker_cli import DockerCli


class PruneError(Exception):
    """A failure, with the message the run stops with."""


def tagged_images(docker, repository):
    """The repository's images as repository:tag, untagged ones left out."""
    rc, out, err = docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}", repository)
    if rc != 0:
        raise PruneError("docker image ls %s failed: %s" % (repository, err.strip()))
    return [line for line in out.split() if not line.endswith(":<none>")]


def prune_images(docker, repository, keep, check_mode=False):
    removed = []
    for image in tagged_images(docker, repository):
        if image in keep:
            continue
        if check_mode:
            removed.append(image)
            continue
        # An image a container uses is refused ("image is being used"): it stays.
        rc, _out, _err = docker("image", "rm", image)
        if rc == 0:
            removed.append(image)
    return {"changed": bool(removed), "removed": removed}


def main():
    module = AnsibleModule(
        argument_spec={
            "repository": {"type": "str", "required": True},
            "keep": {"type": "list", "elements": "str", "default": []},
        },
        supports_check_mode=True,
    )
    docker = DockerCli(module.run_command, module.get_bin_path("docker", required=True))
    try:
        result = prune_images(
            docker, module.params["repository"], module.params["keep"], module.check_mode
        )
    except PruneError as error:
        module.fail_json(msg=str(error))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
