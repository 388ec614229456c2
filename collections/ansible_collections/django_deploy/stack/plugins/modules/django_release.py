#!/usr/bin/python
# -*- coding: utf-8 -*-
# Runs on the managed host: Python 2.7 (Ubuntu 16.04) up to the newest python3, so no f-strings
# and no type hints.
"""Puts a web release that passed its health check live and retires the releases it replaces."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: django_release
author: django-deploy maintainers
version_added: 0.1.0
short_description: Put a healthy web release live and retire the ones it replaces
description:
  - What follows the health check of a release switch (django_web's C(tasks/switch.yml)), for a
    deploy and a rollback alike, in one module run.
  - A new release's O(record) becomes C(<releases_dir>/<release>/release.json); a rollback's
    release has its record already.
  - The engine restarts the new container from now on (it had no restart policy until healthy).
  - Traffic moves at once, with no moment without a socket, by renaming a new link over the live
    socket link (O(socket_dir)/O(live_socket)), which nginx connects to.
  - The release's C(live_since), the C(<releases_dir>/current) link and O(code_link) follow; a code
    directory from before releases, still mounted by the old container, moves aside into
    O(releases_dir) as C(before-releases).
  - The containers of earlier releases drain until no connection waits in the accept queues of
    their listening sockets (read every 0.25 s with C(nsenter --net ss -xln) in their network
    namespaces; the whole O(drain_seconds) on a host without nsenter and ss, or when a queue cannot
    be read), for at most O(drain_seconds). Then they stop gracefully (uWSGI finishes the requests
    its workers took, for up to O(stop_seconds)) and are removed, and the new container takes
    O(live_name).
  - O(prune_command), when given, runs last (a deploy's pruning of old releases); its output is
    returned.
options:
  project:
    description: The project; its web containers carry the label C(django-deploy.project=<project>).
    type: str
    required: true
  releases_dir:
    description: The directory of the kept releases.
    type: path
    required: true
  release:
    description: The release going live.
    type: str
    required: true
  container:
    description: The release's container, which passed its health check.
    type: str
    required: true
  live_name:
    description: The live web container's name, which the new container takes.
    type: str
    required: true
  socket_dir:
    description: The host directory of the web sockets (C(web-<release>.sock)).
    type: path
    required: true
  live_socket:
    description: The name of the live socket link in O(socket_dir).
    type: str
    default: live.sock
  socket_owner:
    description: The live socket link's owner, C(uid:gid).
    type: str
    required: true
  code_link:
    description: The link to the live release's code.
    type: path
    required: true
  record:
    description: A new release's record; empty for a release that has one (a rollback).
    type: dict
    default: {}
  drain_seconds:
    description: How long the earlier containers may take to empty their queues.
    type: int
    default: 2
  stop_seconds:
    description: How long an earlier container may take to stop before it is killed.
    type: int
    default: 10
  prune_command:
    description: A command run last (argv), e.g. the pruning of old releases.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    support: none
"""

EXAMPLES = r"""
- name: Move traffic to the new release and retire the earlier ones
  django_deploy.stack.django_release:
    project: blog
    releases_dir: /srv/blog/releases
    release: 3b79c236a1a7
    container: blog_web_3b79c236a1a7
    live_name: blog_web
    socket_dir: /srv/blog/run/uwsgi
    socket_owner: "10001:101"
    code_link: /srv/blog/code
    record: "{{ release_record }}"
    drain_seconds: 2
    stop_seconds: 35
"""

RETURN = r"""
retired:
  description: The containers of earlier releases that were stopped and removed.
  type: list
  elements: str
  returned: always
drained:
  description: How the earlier containers drained (C(empty), C(timeout) or C(waited)).
  type: str
  returned: always
prune_output:
  description: What O(prune_command) printed.
  type: str
  returned: always
"""

import json
import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.django_deploy.stack.plugins.module_utils.docker_cli import (
    DockerCli,
    DockerError,
)


class ReleaseError(Exception):
    """A failure, with the message the run stops with."""


def write_atomic(path, text, mode=0o644):
    """PATH holds TEXT, written under a new name and renamed over it."""
    new = path + ".new"
    with open(new, "w") as handle:
        handle.write(text)
    os.chmod(new, mode)
    os.rename(new, path)


def relink(target, link, owner=(0, 0), lchown=os.lchown):
    """LINK points at TARGET, replaced in one rename (never missing)."""
    new = link + ".new"
    if os.path.lexists(new):
        os.unlink(new)
    os.symlink(target, new)
    lchown(new, owner[0], owner[1])
    os.rename(new, link)


def queued_connections(run, nsenter, ss, pids):
    """Connections waiting in the accept queues of the listening Unix sockets of the containers
    whose main processes are PIDS; None when a queue cannot be read."""
    total = 0
    for pid in pids:
        rc, out, _err = run([nsenter, "--target", str(pid), "--net", ss, "-xln"])
        if rc != 0:
            return None
        for line in out.splitlines():
            fields = line.split()
            # The queue is the column after LISTEN (old ss prints no Netid column for one family).
            if "LISTEN" in fields[:-1]:
                total += int(fields[fields.index("LISTEN") + 1])
    return total


class Switch:
    """One release going live. run(argv, data=None, environ_update=None): as run_command; which:
    a tool's path or None; the clock, sleep and lchown are the system's but in unit tests."""

    def __init__(self, run, params, docker="docker", which=None, **system):
        self.run = run
        self.docker = DockerCli(run, docker)
        self.params = params
        self.which = which or (lambda name: None)
        self.clock = system.get("clock", time.time)
        self.sleep = system.get("sleep", time.sleep)
        self.lchown = system.get("lchown", os.lchown)

    def earlier_containers(self):
        """The project's web containers but the new one, with the live name (a container made
        before releases carried labels), those that exist."""
        p = self.params
        listed = self.docker.checked(
            "ps",
            "--all",
            "--filter",
            "label=django-deploy.project=" + p["project"],
            "--filter",
            "label=django-deploy.service=web",
            "--format",
            "{{.Names}}",
        ).split()
        names = sorted(set(listed + [p["live_name"]]) - {p["container"]})
        return [name for name in names if self.docker.inspect(name) is not None]

    def drain(self, names):
        """Waits until the containers NAMES have no connection queued, at most drain_seconds."""
        seconds = self.params["drain_seconds"]
        nsenter, ss = self.which("nsenter"), self.which("ss")
        if not (nsenter and ss):
            self.sleep(seconds)
            return "waited"
        pids = []
        for name in names:
            pid = ((self.docker.inspect(name) or {}).get("State") or {}).get("Pid") or 0
            if pid > 0:
                pids.append(pid)
        deadline = self.clock() + seconds
        while self.clock() < deadline:
            self.sleep(0.25)
            queued = queued_connections(self.run, nsenter, ss, pids)
            if queued == 0:
                return "empty"
            if queued is None:
                self.sleep(max(0, deadline - self.clock()))
                return "waited"
        return "timeout"

    def go_live(self):
        p = self.params
        directory = os.path.join(p["releases_dir"], p["release"])
        if p["record"]:
            text = json.dumps(p["record"], indent=2, sort_keys=True, separators=(",", ": "))
            write_atomic(os.path.join(directory, "release.json"), text + "\n")

        self.docker.checked("update", "--restart", "unless-stopped", p["container"])
        owner = tuple(int(part) for part in p["socket_owner"].split(":"))
        live_link = os.path.join(p["socket_dir"], p["live_socket"])
        relink("web-%s.sock" % p["release"], live_link, owner, self.lchown)

        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock()))
        write_atomic(os.path.join(directory, "live_since"), now + "\n")
        code_link = p["code_link"]
        if os.path.isdir(code_link) and not os.path.islink(code_link):
            os.rename(code_link, os.path.join(p["releases_dir"], "before-releases"))
        relink(p["release"], os.path.join(p["releases_dir"], "current"), lchown=self.lchown)
        relink(os.path.join(directory, "code"), code_link, lchown=self.lchown)

        earlier = self.earlier_containers()
        drained = "empty"
        if earlier:
            drained = self.drain(earlier)
            self.docker.retire(earlier, p["stop_seconds"])
        self.docker.checked("rename", p["container"], p["live_name"])

        output = ""
        if p["prune_command"]:
            rc, out, err = self.run(p["prune_command"])
            if rc != 0:
                raise ReleaseError(
                    "release %s is live, but %s failed: %s"
                    % (p["release"], os.path.basename(p["prune_command"][0]), err.strip())
                )
            output = out
        return {"changed": True, "retired": earlier, "drained": drained, "prune_output": output}


def main():
    module = AnsibleModule(
        argument_spec={
            "project": {"type": "str", "required": True},
            "releases_dir": {"type": "path", "required": True},
            "release": {"type": "str", "required": True},
            "container": {"type": "str", "required": True},
            "live_name": {"type": "str", "required": True},
            "socket_dir": {"type": "path", "required": True},
            "live_socket": {"type": "str", "default": "live.sock"},
            "socket_owner": {"type": "str", "required": True},
            "code_link": {"type": "path", "required": True},
            "record": {"type": "dict", "default": {}},
            "drain_seconds": {"type": "int", "default": 2},
            "stop_seconds": {"type": "int", "default": 10},
            "prune_command": {"type": "list", "elements": "str", "default": []},
        },
    )
    switch = Switch(
        module.run_command,
        module.params,
        docker=module.get_bin_path("docker", required=True),
        which=module.get_bin_path,
    )
    try:
        result = switch.go_live()
    except (ReleaseError, DockerError, OSError) as error:
        module.fail_json(msg="Release %s: %s" % (module.params["release"], error))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
