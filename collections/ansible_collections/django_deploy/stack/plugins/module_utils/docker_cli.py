# -*- coding: utf-8 -*-
# Used by modules on the managed host: Python 2.7 (Ubuntu 16.04) up to the newest python3.
"""The docker CLI on the managed host, as the modules call it.

The CLI, not the Docker API: it is on every host the engine role sets up, whatever the SDK, and
`docker exec --env NAME` hands a secret to a process in a container from the CLI's own
environment, never on a command line."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json


class DockerError(Exception):
    """A docker command that failed: its arguments and its error output."""

    def __init__(self, args, err):
        Exception.__init__(self, "docker %s failed: %s" % (" ".join(args), err.strip()))


class DockerCli:
    """run(argv, data=None, environ_update=None) -> (rc, stdout, stderr): AnsibleModule.run_command,
    or a fake in the unit tests."""

    def __init__(self, run, docker="docker"):
        self.run = run
        self.docker = docker

    def __call__(self, *args):
        return self.run([self.docker] + list(args))

    def exec_in(self, container, argv, environ=None, stdin=None):
        """Runs ARGV in CONTAINER; ENVIRON's values reach it through the CLI's environment."""
        command = [self.docker, "exec"]
        if stdin is not None:
            command.append("--interactive")
        for name in sorted(environ or {}):
            command.extend(["--env", name])
        command.append(container)
        command.extend(argv)
        return self.run(command, data=stdin, environ_update=dict(environ or {}))

    def inspect(self, container):
        """The container's `docker container inspect` record; None when there is none."""
        rc, out, _err = self("container", "inspect", container)
        if rc != 0:
            return None
        return json.loads(out)[0]

    def logs(self, container, lines):
        """The last LINES lines of the container's output (stdout and stderr)."""
        _rc, out, err = self("logs", "--tail", str(lines), container)
        return "\n".join(part for part in (out.strip(), err.strip()) if part)

    def checked(self, *args):
        """The command's output; DockerError when it fails."""
        rc, out, err = self(*args)
        if rc != 0:
            raise DockerError(args, err)
        return out

    def retire(self, names, stop_seconds):
        """Stops the containers NAMES gracefully (SIGTERM, SIGKILL after STOP_SECONDS), then
        removes them."""
        if names:
            self.checked("stop", "--time", str(stop_seconds), *names)
            self.checked("rm", *names)
