#!/usr/bin/python
# -*- coding: utf-8 -*-
# Runs on the managed host: Python 2.7 (Ubuntu 16.04) up to the newest python3, so no f-strings
# and no type hints.
"""Blue/green for one container: the new one proves healthy beside the live one, then takes over."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: blue_green
author: django-deploy maintainers
version_added: 0.1.0
short_description: Check a new container beside the live one, then hand the live name over to it
description:
  - The two halves of a blue/green switch of one container, for any role that starts a new
    container beside the live one (the web release, nginx).
  - O(state=healthy) runs the new container's health check at once and every second (not at
    Docker's interval) until it passes, the container stops or restarts, or O(timeout) passes. A
    container that does not pass is removed (the live one keeps serving) and the module fails with
    the health check's answer and the container's last log lines, secrets replaced by their
    settings' names.
  - O(state=live) gives the new container O(restart_policy), stops the live one gracefully
    (O(stop_timeout) seconds after C(SIGTERM), or the image's stop signal) and removes it, and
    renames the new one to O(live_name).
options:
  container:
    description: The new container.
    type: str
    required: true
  state:
    description: V(healthy) waits for the new container; V(live) hands it the live name.
    type: str
    choices: [healthy, live]
    default: healthy
  health_command:
    description:
      - The command that says the container is healthy (exit 0), run in it with C(docker exec).
      - Empty for the image's own C(HEALTHCHECK) command.
    type: list
    elements: str
    default: []
  timeout:
    description: How many seconds the new container has to pass its health check.
    type: int
    default: 60
  description:
    description: What the container is, for the failure message (C(The new release of blog_web)).
    type: str
    default: ""
  log_lines:
    description: How many of the container's last log lines a failure shows.
    type: int
    default: 20
  secrets:
    description: Setting name -> value of every secret the container's output may echo.
    type: dict
    default: {}
  live_name:
    description:
      - The live container's name, which the new one takes (O(state=live)).
      - With O(state=healthy), the failure message says it is still serving.
    type: str
  stop_timeout:
    description: Seconds the live container has to stop before it is killed (O(state=live)).
    type: int
    default: 10
  restart_policy:
    description: The new container's restart policy once it is live (O(state=live)).
    type: str
    default: unless-stopped
attributes:
  check_mode:
    support: none
"""

EXAMPLES = r"""
- name: Wait until the new nginx container answers its health check
  django_deploy.stack.blue_green:
    container: blog_nginx_next
    timeout: 60
    description: The new nginx container

- name: Stop the live nginx container gracefully and give its name to the new one
  django_deploy.stack.blue_green:
    container: blog_nginx_next
    state: live
    live_name: blog_nginx
    stop_timeout: 30
"""

RETURN = r"""
seconds:
  description: How long the new container took to pass its health check (O(state=healthy)).
  type: float
  returned: success
health:
  description: The health check's answer, secrets replaced (O(state=healthy)).
  type: str
  returned: success
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.django_deploy.stack.plugins.module_utils.docker_cli import (
    DockerCli,
    DockerError,
)
from ansible_collections.django_deploy.stack.plugins.module_utils.redact import redact


class HandoverError(Exception):
    """A failure, with the message the run stops with."""


def image_health_command(record):
    """The argv of the container's HEALTHCHECK (CMD or CMD-SHELL); [] when it has none."""
    test = ((record.get("Config") or {}).get("Healthcheck") or {}).get("Test") or []
    if test[:1] == ["CMD"]:
        return test[1:]
    if test[:1] == ["CMD-SHELL"]:
        return ["/bin/sh", "-c"] + test[1:]
    return []


def running(record):
    """Is the container up and not in a restart loop?"""
    state = (record or {}).get("State") or {}
    return bool(state.get("Running")) and not state.get("Restarting")


def wait_healthy(docker, container, health_command, timeout, clock=time.time, sleep=time.sleep):
    """Runs the health check until it passes; returns (seconds, answer) or raises why it did not."""
    start = clock()
    record = docker.inspect(container)
    if record is None:
        raise HandoverError("its container does not exist.")
    command = list(health_command) or image_health_command(record)
    if not command:
        raise HandoverError("its image has no health check and none was given.")
    while True:
        if not running(record):
            raise HandoverError("its container stopped or kept restarting.")
        rc, out, err = docker.exec_in(container, command)
        answer = " ".join(part.strip() for part in (err, out) if part.strip())
        if rc == 0:
            return clock() - start, answer
        if clock() - start >= timeout:
            raise HandoverError(answer or "no answer.")
        sleep(1)
        record = docker.inspect(container)


def check_healthy(docker, params, clock=time.time, sleep=time.sleep):
    """state=healthy: the result, or a failure with the report, the container removed."""
    container = params["container"]
    secrets = params["secrets"]
    try:
        seconds, answer = wait_healthy(
            docker, container, params["health_command"], params["timeout"], clock, sleep
        )
    except HandoverError as error:
        logs = redact(docker.logs(container, params["log_lines"]), secrets)
        docker("rm", "--force", "--volumes", container)
        what = params["description"] or "The new container %s" % container
        live = params["live_name"] or "the live container"
        message = (
            "%s is not healthy: it did not pass its health check within %d s and was removed; %s"
            " is still serving. Health check: %s Its last log lines: %s"
            % (what, params["timeout"], live, redact(str(error), secrets), logs or "none.")
        )
        raise HandoverError(message)
    return {"changed": False, "seconds": round(seconds, 1), "health": redact(answer, secrets)}


def hand_over(docker, params):
    """state=live: the new container gets the live name; the live one is stopped and removed."""
    container, live = params["container"], params["live_name"]
    try:
        docker.checked("update", "--restart", params["restart_policy"], container)
        if docker.inspect(live) is not None:
            docker.retire([live], params["stop_timeout"])
        docker.checked("rename", container, live)
    except DockerError as error:
        raise HandoverError("%s (%s keeps serving under its own name)" % (error, container))
    return {"changed": True, "health": ""}


def main():
    module = AnsibleModule(
        argument_spec={
            "container": {"type": "str", "required": True},
            "state": {"type": "str", "choices": ["healthy", "live"], "default": "healthy"},
            "health_command": {"type": "list", "elements": "str", "default": []},
            "timeout": {"type": "int", "default": 60},
            "description": {"type": "str", "default": ""},
            "log_lines": {"type": "int", "default": 20},
            "secrets": {"type": "dict", "default": {}, "no_log": True},
            "live_name": {"type": "str"},
            "stop_timeout": {"type": "int", "default": 10},
            "restart_policy": {"type": "str", "default": "unless-stopped"},
        },
        required_if=[("state", "live", ["live_name"])],
    )
    docker = DockerCli(module.run_command, module.get_bin_path("docker", required=True))
    try:
        if module.params["state"] == "healthy":
            result = check_healthy(docker, module.params)
        else:
            result = hand_over(docker, module.params)
    except HandoverError as error:
        module.fail_json(msg=str(error))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
