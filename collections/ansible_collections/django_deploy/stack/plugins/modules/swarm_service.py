#!/usr/bin/python
# -*- coding: utf-8 -*-
# Runs on a Swarm manager (Docker 20.10 or later, so Python 3); no f-strings, as in the other
# modules.
"""A Swarm service brought to a spec by a rolling update that is waited for and judged."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: swarm_service
author: django-deploy maintainers
version_added: 0.1.0
short_description: Create or update a Swarm service, wait until its tasks run the new spec
description:
  - Sends the service's whole spec to the engine (create, or update at the version it read), then
    waits until every task the service wants runs that spec and passed the image's health check
    (a task counts as running only once healthy), or until O(timeout).
  - Swarm rolls a failed update back by itself (C(failure_action=rollback)) yet C(docker service
    update) still exits 0; this module reads the service's update status and fails with what the
    failing task said (its error, exit code and last log lines, secrets replaced by their
    settings' names) once the rollback is complete, so the tasks of the previous spec serve.
  - An update rolled back only because a node rejected its new tasks as its overlay network was not
    ready (a node that just restarted) is sent once more, 15 seconds later; the release did not
    fail. A task rejected for another reason (an image that cannot be pulled, a missing mount) is
    not retried.
  - A job (O(mode=job)) runs without a health check, the image's included.
  - An update whose new tasks cannot even be placed (no suitable node, a port in use) never fails
    in Swarm; after O(timeout) the module rolls it back and fails with the scheduler's reason.
  - The spec's digest is kept in the service label C(django-deploy.spec), so a rerun with the same
    options changes nothing. Changed by hand, the service is not noticed until an option changes.
options:
  name:
    description: The service's name.
    type: str
    required: true
  state:
    description: V(present) creates or updates the service; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  image:
    description:
      - The image, best pinned by digest (C(registry/name@sha256:...)), which every node pulls.
    type: str
  mode:
    description:
      - V(replicated) runs O(replicas) tasks; V(global) one on every node the constraints allow.
      - V(job) runs one task to its end, a one-off such as a release step - every time, so the
        result is always changed. A job of the same name is replaced; the finished one is removed.
        Its output is returned; a task that does not exit 0 fails the run with its last log lines.
    type: str
    choices: [replicated, global, job]
    default: replicated
  replicas:
    description: Tasks of a replicated service.
    type: int
    default: 1
  command:
    description: Replaces the image's entrypoint; empty keeps it.
    type: list
    elements: str
    default: []
  args:
    description: Replaces the image's command; empty keeps it.
    type: list
    elements: str
    default: []
  env:
    description:
      - Environment variables of the tasks (no secrets - C(docker service inspect) shows them).
    type: dict
    default: {}
  hostname:
    description:
      - The tasks' host name (Go template such as C({{.Node.Hostname}})); empty for the task id.
    type: str
    default: ""
  mounts:
    description:
      - Bind mounts (C(source) on the node, C(target) in the task, C(read_only)), volumes or tmpfs
        (C(type)).
    type: list
    elements: dict
    default: []
  secrets:
    description:
      - Swarm secrets as files in C(/run/secrets) - C(name) of the secret, C(target) (its file name,
        by default
        the name), C(uid), C(gid), C(mode) (an octal string).
    type: list
    elements: dict
    default: []
  networks:
    description:
      - Networks the tasks join, each a name or C(name) and C(aliases) (more names the tasks
        answer to there, beside the service's).
    type: list
    elements: raw
    default: []
  endpoint_mode:
    description:
      - V(dnsrr) gives each task's address by DNS (no virtual IP, no routing mesh); V(vip) a virtual
        IP.
    type: str
    choices: [dnsrr, vip]
    default: dnsrr
  publish:
    description:
      - Ports published on the node that runs each task (C(published), C(target), C(protocol); host
        mode).
    type: list
    elements: dict
    default: []
  constraints:
    description: Placement constraints such as C(node.labels.web==true).
    type: list
    elements: str
    default: []
  max_replicas_per_node:
    description: At most this many tasks on one node; 0 for no limit.
    type: int
    default: 0
  spread:
    description:
      - A node label the scheduler spreads the tasks over (C(node.labels.web)); empty for none.
    type: str
    default: ""
  update_order:
    description:
      - V(start-first) starts each new task before its old one stops; V(stop-first) the reverse.
    type: str
    choices: [start-first, stop-first]
    default: start-first
  monitor:
    description: Seconds a new task must keep running (and healthy) before the update moves on.
    type: int
    default: 5
  stop_grace_period:
    description: Seconds a task has between its stop signal and SIGKILL.
    type: int
    default: 10
  stop_signal:
    description: The tasks' stop signal; empty for the image's.
    type: str
    default: ""
  healthcheck:
    description:
      - Replaces the image's health check - C(test) (an argv, run in the task), C(interval),
        C(timeout),
        C(start_period) (seconds) and C(retries). A new task counts as running only once healthy.
        Empty keeps the
        image's.
    type: dict
    default: {}
  init:
    description: Run an init process in each task that reaps zombies and passes signals on.
    type: bool
    default: false
  labels:
    description: Labels of the service.
    type: dict
    default: {}
  container_labels:
    description: Labels of the tasks' containers.
    type: dict
    default: {}
  template:
    description:
      - O(mode=job) only, in place of O(image) and the options that shape a task - the name of a
        service whose task template (image, environment, mounts, secrets, networks, placement) the
        job's task takes, with O(args) (and O(command), if given) as its command, without that
        service's health check, and O(container_labels) added to its labels. The job runs what
        that service runs now, e.g. a one-off command in the live release.
    type: str
    default: ""
  revision:
    description:
      - Any value; a new one replaces every task (rolling) although nothing else changed, e.g. after
        a file they mount changed.
    type: str
    default: ""
  timeout:
    description: Seconds the service has to run the new spec everywhere.
    type: int
    default: 300
  log_lines:
    description: How many of a failed task's last log lines a failure shows.
    type: int
    default: 20
  redact:
    description: Setting name -> value of every secret a task's output may echo.
    type: dict
    default: {}
attributes:
  check_mode:
    support: full
"""

EXAMPLES = r"""
- name: Roll out a new web image, one task at a time, each new one healthy before an old one stops
  django_deploy.stack.swarm_service:
    name: blog_web
    image: 10.0.0.11:5000/blog/web@sha256:4f0c...
    replicas: 2
    networks: [blog_swarm]
    constraints: [node.labels.web==true]
    stop_grace_period: 30
"""

RETURN = r"""
created:
  description: Whether the service was new.
  type: bool
  returned: success
seconds:
  description: How long the tasks took to run the new spec.
  type: float
  returned: changed
spec_digest:
  description: The digest of the options that shaped the spec (label C(django-deploy.spec)).
  type: str
  returned: success
stdout:
  description: A job's standard output, secrets blanked out.
  type: str
  returned: O(mode=job), not in check mode
stderr:
  description: A job's error output, secrets blanked out.
  type: str
  returned: O(mode=job), not in check mode
"""

import copy
import hashlib
import json
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.django_deploy.stack.plugins.module_utils.docker_api import (
    DockerApi,
    DockerApiError,
    unix_socket_transport,
)
from ansible_collections.django_deploy.stack.plugins.module_utils.docker_cli import DockerCli
from ansible_collections.django_deploy.stack.plugins.module_utils.redact import redact

SPEC_LABEL = "django-deploy.spec"
# The options that shape the spec (the others say how to wait and what to show).
SPEC_OPTIONS = (
    "image", "mode", "replicas", "command", "args", "env", "hostname", "mounts", "secrets",
    "networks", "endpoint_mode", "publish", "constraints", "max_replicas_per_node", "spread",
    "update_order", "monitor", "stop_grace_period", "stop_signal", "init", "labels",
    "container_labels", "revision", "healthcheck",
)  # fmt: skip
NANOSECONDS = 1000000000
FAILED_STATES = ("failed", "rejected")
# An update rolled back because a node rejected its new tasks as its overlay network was not ready
# is sent again this many times, this many seconds later.
REJECTED_RETRIES = 1
REJECTED_DELAY = 15
# What a node that cannot attach a task to the overlay network yet says.
NETWORK_NOT_READY = ("sandbox join failed", "data-plane address", "attaching to network")


class ServiceError(Exception):
    """A failure, with the message the run stops with."""


def spec_digest(params):
    shaping = dict((name, params[name]) for name in SPEC_OPTIONS)
    return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode("utf-8")).hexdigest()


def _mount(mount):
    kind = mount.get("type", "bind")
    spec = {
        "Type": kind,
        "Target": mount["target"],
        "ReadOnly": bool(mount.get("read_only", False)),
    }
    if kind != "tmpfs":
        spec["Source"] = mount["source"]
    return spec


def _network(network):
    if not isinstance(network, dict):
        return {"Target": network}
    return {"Target": network["name"], "Aliases": list(network.get("aliases") or [])}


def _secret(secret, ids):
    return {
        "SecretID": ids[secret["name"]],
        "SecretName": secret["name"],
        "File": {
            "Name": secret.get("target") or secret["name"],
            "UID": str(secret.get("uid", 0)),
            "GID": str(secret.get("gid", 0)),
            "Mode": int(str(secret.get("mode", "0400")), 8),
        },
    }


def build_spec(params, secret_ids, force_update):
    """The engine's ServiceSpec for the options; secret_ids maps secret names to their ids."""
    container = {
        "Image": params["image"],
        "Env": ["%s=%s" % (key, params["env"][key]) for key in sorted(params["env"])],
        "Mounts": [_mount(mount) for mount in params["mounts"]],
        "Secrets": [_secret(secret, secret_ids) for secret in params["secrets"]],
        "StopGracePeriod": params["stop_grace_period"] * NANOSECONDS,
        "Labels": dict(params["container_labels"]),
        "Init": params["init"],
    }
    health = params["healthcheck"]
    if params["mode"] == "job":
        # The image's own health check (a server's) would have Swarm kill a long job.
        container["Healthcheck"] = {"Test": ["NONE"]}
    elif health:
        container["Healthcheck"] = {
            "Test": ["CMD"] + list(health["test"]),
            "Interval": int(health.get("interval", 10)) * NANOSECONDS,
            "Timeout": int(health.get("timeout", 5)) * NANOSECONDS,
            "StartPeriod": int(health.get("start_period", 0)) * NANOSECONDS,
            "Retries": int(health.get("retries", 3)),
        }
    for option, key in (("command", "Command"), ("args", "Args")):
        if params[option]:
            container[key] = list(params[option])
    for option, key in (("hostname", "Hostname"), ("stop_signal", "StopSignal")):
        if params[option]:
            container[key] = params[option]
    placement = {"Constraints": list(params["constraints"])}
    if params["max_replicas_per_node"]:
        placement["MaxReplicas"] = params["max_replicas_per_node"]
    if params["spread"]:
        placement["Preferences"] = [{"Spread": {"SpreadDescriptor": params["spread"]}}]
    rolling = {
        "Parallelism": 1,
        "Delay": 0,
        "Monitor": params["monitor"] * NANOSECONDS,
        "MaxFailureRatio": 0,
        "Order": params["update_order"],
    }
    endpoint = {"Mode": params["endpoint_mode"]}
    if params["publish"]:
        endpoint["Ports"] = [
            {
                "Protocol": port.get("protocol", "tcp"),
                "TargetPort": int(port["target"]),
                "PublishedPort": int(port["published"]),
                "PublishMode": "host",
            }
            for port in params["publish"]
        ]
    modes = {
        "global": {"Global": {}},
        "job": {"ReplicatedJob": {"MaxConcurrent": 1, "TotalCompletions": 1}},
        "replicated": {"Replicated": {"Replicas": params["replicas"]}},
    }
    restart = {"Condition": "any", "Delay": 5 * NANOSECONDS, "MaxAttempts": 0}
    if params["mode"] == "job":
        restart = {"Condition": "none"}
    spec = {
        "Name": params["name"],
        "Labels": dict(params["labels"], **{SPEC_LABEL: spec_digest(params)}),
        "TaskTemplate": {
            "ContainerSpec": container,
            "RestartPolicy": restart,
            "Placement": placement,
            "Networks": [_network(network) for network in params["networks"]],
            "ForceUpdate": force_update,
        },
        "Mode": modes[params["mode"]],
        "UpdateConfig": dict(rolling, FailureAction="rollback"),
        "RollbackConfig": dict(rolling, FailureAction="pause"),
        "EndpointSpec": endpoint,
    }
    if params["mode"] == "job":
        # A job is not updated: a new one replaces it.
        del spec["UpdateConfig"], spec["RollbackConfig"]
    return spec


def secret_ids(api, secrets):
    """Secret name -> id, for the secrets the spec names; a missing one is a failure."""
    wanted = sorted(set(secret["name"] for secret in secrets))
    if not wanted:
        return {}
    found = api("GET", "/secrets", {"filters": {"name": wanted}}) or []
    ids = dict((item["Spec"]["Name"], item["ID"]) for item in found)
    missing = [name for name in wanted if name not in ids]
    if missing:
        raise ServiceError("No Swarm secret named %s exists." % ", ".join(missing))
    return ids


def _up_to_date(task, service):
    template = service["Spec"]["TaskTemplate"]
    spec = task.get("Spec") or {}
    return spec.get("ContainerSpec") == template.get("ContainerSpec") and spec.get(
        "ForceUpdate", 0
    ) == template.get("ForceUpdate", 0)


def progress(service, tasks, settled=False):
    """(done, update state, the wanted tasks that are not running the new spec yet). SETTLED: the
    service was not updated now, so how its last update ended (a rollback, say) does not count."""
    state = (service.get("UpdateStatus") or {}).get("State")
    if settled:
        state = None
    # "ready": a task the scheduler places again after it failed or was rejected.
    wanted = [task for task in tasks if task.get("DesiredState") in ("running", "ready")]
    behind = [
        task
        for task in wanted
        if task["Status"]["State"] != "running" or not _up_to_date(task, service)
    ]
    mode = service["Spec"]["Mode"]
    enough = "Global" in mode or len(wanted) == mode["Replicated"]["Replicas"]
    done = state in (None, "completed") and not behind and enough
    return done, state, behind


def wait(api, name, timeout, clock=time.time, sleep=time.sleep, settled=False):
    """Polls until the service runs its spec everywhere (returns the seconds taken), its update
    ends other than completed (ServiceError), or timeout passes (ServiceError, with the tasks
    still behind)."""
    start = clock()
    while True:
        service = api.service(name)
        done, state, behind = progress(service, api.tasks(name), settled)
        if done:
            return clock() - start
        if state in ("paused", "rollback_completed", "rollback_paused"):
            raise ServiceError(state)
        if clock() - start >= timeout:
            raise ServiceError("timeout", behind)
        sleep(1)


def failure_report(api, docker, name, params, since):
    """The newest task created since SINCE (the engine's time, RFC 3339) that failed: its error,
    exit status and last log lines."""
    for task in api.tasks(name):
        status = task.get("Status") or {}
        if task.get("CreatedAt", "")[:19] < since[:19]:
            continue
        if status.get("State") not in FAILED_STATES and not status.get("Err"):
            continue
        exit_code = (status.get("ContainerStatus") or {}).get("ExitCode")
        logs = "its container never started."
        if (status.get("ContainerStatus") or {}).get("ContainerID"):
            _rc, out, err = docker(
                "service", "logs", "--no-task-ids", "--tail", str(params["log_lines"]), task["ID"]
            )
            logs = "\n".join(part.strip() for part in (out, err) if part.strip()) or "none."
        return "A new task (%s) failed: %s%s. Its last log lines: %s" % (
            status.get("State"),
            status.get("Err") or status.get("Message") or "no error given",
            "" if exit_code in (None, 0) else " (exit status %s)" % exit_code,
            logs,
        )
    return "No new task reported an error."


def job_from_template(api, params):
    """A job's spec with the task template of the service params["template"] names."""
    service = api.service(params["template"])
    if service is None:
        raise ServiceError(
            "No service %s runs, whose task template the job %s takes: deploy the site first."
            % (params["template"], params["name"])
        )
    spec = build_spec(dict(params, image="", secrets=[]), {}, 0)
    template = copy.deepcopy(service["Spec"]["TaskTemplate"])
    container = template["ContainerSpec"]
    # No server listens in a job: the service's or the image's health check would have it killed.
    container["Healthcheck"] = {"Test": ["NONE"]}
    container["Labels"] = dict(container.get("Labels") or {}, **params["container_labels"])
    for option, key in (("command", "Command"), ("args", "Args")):
        if params[option]:
            container[key] = list(params[option])
    template.update(RestartPolicy={"Condition": "none"}, ForceUpdate=0)
    (template.get("Placement") or {}).pop("MaxReplicas", None)
    spec["TaskTemplate"] = template
    return spec


def run_job(api, docker, params, check_mode=False, clock=time.time, sleep=time.sleep):
    """mode=job: the result with the task's output, or ServiceError with its error and log."""
    name = params["name"]
    if check_mode:
        return {"changed": True, "created": True, "spec_digest": spec_digest(params)}
    if params["template"]:
        spec = job_from_template(api, params)
    else:
        spec = build_spec(params, secret_ids(api, params["secrets"]), 0)
    if api.service(name) is not None:
        api("DELETE", "/services/%s" % name)
    try:
        api("POST", "/services/create", body=spec)
    except DockerApiError as error:
        raise ServiceError("The engine refused the spec of %s: %s" % (name, error.message))
    start = clock()
    try:
        while True:
            tasks = api.tasks(name)
            states = [(task.get("Status") or {}).get("State") for task in tasks]
            if "complete" in states or any(state in FAILED_STATES for state in states):
                break
            if clock() - start >= params["timeout"]:
                raise ServiceError(
                    "%s did not finish within %d s (its task: %s)."
                    % (name, params["timeout"], ", ".join(s or "none" for s in states) or "none")
                )
            sleep(1)
        task = tasks[states.index("complete")] if "complete" in states else None
        if task is None:
            raise ServiceError(
                "%s failed. %s" % (name, failure_report(api, docker, name, params, ""))
            )
        _rc, out, err = docker("service", "logs", "--raw", "--no-task-ids", task["ID"])
    finally:
        api("DELETE", "/services/%s" % name)
    return {
        "changed": True,
        "created": True,
        "seconds": round(clock() - start, 1),
        "spec_digest": spec_digest(params),
        "stdout": redact(out, params["redact"]),
        "stderr": redact(err, params["redact"]),
    }


def apply(api, docker, params, check_mode=False, clock=time.time, sleep=time.sleep):
    """state=present: the result, or ServiceError with the report."""
    name = params["name"]
    current = api.service(name)
    digest = spec_digest(params)
    if current is not None:
        labels = current["Spec"].get("Labels") or {}
        if labels.get(SPEC_LABEL) == digest:
            # Unchanged, but each task must run it: one the scheduler is still placing (a node
            # that just got what it lacked, a task that restarts) is waited for.
            if not check_mode:
                try:
                    wait(api, name, params["timeout"], clock, sleep, settled=True)
                except ServiceError as error:
                    raise ServiceError(explain(api, docker, params, "", None, error, clock, sleep))
            return {"changed": False, "created": False, "spec_digest": digest}
    if check_mode:
        return {"changed": True, "created": current is None, "spec_digest": digest}
    force = 0
    if current is not None:
        old = current["Spec"]["TaskTemplate"]
        force = old.get("ForceUpdate", 0)
        old_revision = (current["Spec"].get("Labels") or {}).get("django-deploy.revision", "")
        if old_revision != params["revision"]:
            force += 1
    spec = build_spec(params, secret_ids(api, params["secrets"]), force)
    spec["Labels"]["django-deploy.revision"] = params["revision"]
    retries = REJECTED_RETRIES
    while True:
        since = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(clock()))
        send(api, name, spec, current)
        try:
            seconds = wait(api, name, params["timeout"], clock, sleep)
            break
        except ServiceError as error:
            rejected = error.args[0] == "rollback_completed" and only_rejected(api, name, since)
            if retries and rejected:
                # A node that just joined or restarted can refuse tasks for a while (its overlay
                # data plane not set up yet): that is not the release's fault, so try again.
                retries -= 1
                sleep(REJECTED_DELAY)
                current = api.service(name)
                continue
            raise ServiceError(explain(api, docker, params, since, current, error, clock, sleep))
    return {
        "changed": True,
        "created": current is None,
        "seconds": round(seconds, 1),
        "spec_digest": digest,
    }


def send(api, name, spec, current):
    """Creates the service, or updates it at the version read."""
    try:
        if current is None:
            api("POST", "/services/create", body=spec)
        else:
            api(
                "POST",
                "/services/%s/update" % current["ID"],
                {"version": current["Version"]["Index"]},
                body=spec,
            )
    except DockerApiError as error:
        raise ServiceError("The engine refused the spec of %s: %s" % (spec["Name"], error.message))


def only_rejected(api, name, since):
    """Whether every task created since SINCE that failed was rejected by its node because its
    overlay network was not ready (a node that just joined or restarted): the node could not run it
    yet, the release did not fail. An image that cannot be pulled, a missing mount or secret is not
    retried."""
    failed = [
        task.get("Status") or {}
        for task in api.tasks(name)
        if task.get("CreatedAt", "")[:19] >= since[:19]
        and (task.get("Status") or {}).get("State") in FAILED_STATES
    ]
    return bool(failed) and all(
        status.get("State") == "rejected"
        and any(sign in (status.get("Err") or "") for sign in NETWORK_NOT_READY)
        for status in failed
    )


def explain(api, docker, params, since, previous, error, clock, sleep):
    """The message for an update or a creation that did not converge."""
    name = params["name"]
    state = error.args[0]
    report = failure_report(api, docker, name, params, since)
    if state == "timeout":
        behind = error.args[1]
        reasons = sorted(
            set(
                task["Status"].get("Err")
                or "%s: %s" % (task["Status"]["State"], task["Status"].get("Message"))
                for task in behind
                if task["Status"]["State"] != "running"
            )
        )
        message = "%s did not run its new spec on every task within %d s (%s)." % (
            name,
            params["timeout"],
            "; ".join(reasons) or "no task reported why",
        )
        if previous is not None:
            docker("service", "rollback", "--detach", name)
            try:
                wait_rolled_back(api, name, params["timeout"], clock, sleep)
                message += " It was rolled back: the tasks of the previous spec serve."
            except ServiceError:
                message += (
                    " Rolling it back did not complete either: see docker service ps %s." % name
                )
        text = message + " " + report
    elif previous is None:
        text = "%s did not start (update status %s). %s" % (name, state, report)
    else:
        text = (
            "The update of %s failed and Swarm rolled it back (update status %s): the tasks of the "
            "previous spec serve. %s" % (name, state, report)
        )
    return redact(text, params["redact"])


def wait_rolled_back(api, name, timeout, clock, sleep):
    start = clock()
    while clock() - start < timeout:
        state = (api.service(name).get("UpdateStatus") or {}).get("State")
        if state == "rollback_completed":
            return
        if state in ("rollback_paused", "paused"):
            break
        sleep(1)
    raise ServiceError("rollback")


def main():
    module = AnsibleModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
            "image": {"type": "str"},
            "mode": {
                "type": "str",
                "choices": ["replicated", "global", "job"],
                "default": "replicated",
            },
            "replicas": {"type": "int", "default": 1},
            "command": {"type": "list", "elements": "str", "default": []},
            "args": {"type": "list", "elements": "str", "default": []},
            "env": {"type": "dict", "default": {}},
            "hostname": {"type": "str", "default": ""},
            "mounts": {"type": "list", "elements": "dict", "default": []},
            "secrets": {"type": "list", "elements": "dict", "default": []},
            "networks": {"type": "list", "elements": "raw", "default": []},
            "endpoint_mode": {"type": "str", "choices": ["dnsrr", "vip"], "default": "dnsrr"},
            "publish": {"type": "list", "elements": "dict", "default": []},
            "constraints": {"type": "list", "elements": "str", "default": []},
            "max_replicas_per_node": {"type": "int", "default": 0},
            "spread": {"type": "str", "default": ""},
            "update_order": {
                "type": "str",
                "choices": ["start-first", "stop-first"],
                "default": "start-first",
            },
            "monitor": {"type": "int", "default": 5},
            "stop_grace_period": {"type": "int", "default": 10},
            "stop_signal": {"type": "str", "default": ""},
            "healthcheck": {"type": "dict", "default": {}},
            "init": {"type": "bool", "default": False},
            "labels": {"type": "dict", "default": {}},
            "container_labels": {"type": "dict", "default": {}},
            "revision": {"type": "str", "default": ""},
            "template": {"type": "str", "default": ""},
            "timeout": {"type": "int", "default": 300},
            "log_lines": {"type": "int", "default": 20},
            "redact": {"type": "dict", "default": {}, "no_log": True},
        },
        required_if=[("state", "present", ["image", "template"], True)],
        supports_check_mode=True,
    )
    api = DockerApi(unix_socket_transport())
    docker = DockerCli(module.run_command, module.get_bin_path("docker", required=True))
    params = module.params
    try:
        if params["state"] == "absent":
            exists = api.service(params["name"]) is not None
            if exists and not module.check_mode:
                api("DELETE", "/services/%s" % params["name"])
            module.exit_json(changed=exists, created=False)
        run = run_job if params["mode"] == "job" else apply
        result = run(api, docker, params, module.check_mode)
    except (ServiceError, DockerApiError) as error:
        module.fail_json(msg=redact(str(error), params["redact"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
