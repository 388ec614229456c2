#!/usr/bin/python
# -*- coding: utf-8 -*-
# Runs on the managed host: Python 2.7 (Ubuntu 16.04) up to the newest python3, so no f-strings
# and no type hints.
"""The host's deploy lock and audit log: one run at a time, one line per run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: deploy_lock
author: django-deploy maintainers
version_added: 0.1.0
short_description: Take and release the host's deploy lock, and log the run in the audit log
description:
  - C(take) creates the lock file atomically (C(O_EXCL)); of two runs, exactly one gets it. The
    other's attempt is logged as refused, and the task fails naming who holds the lock and the
    option that breaks a stale one.
  - C(log) appends one line to the audit log (time, who, what ran, the live release before and
    after, what changed, the result) and, with O(release), releases the lock in the same step.
  - C(release) removes the lock only when this run holds it (its token); a lock another run took
    after breaking this one's stays.
  - C(read) changes nothing and returns the holder and the end of the audit log.
  - The lock and the audit log are bookkeeping of the run, not changes to the site, so the
    module reports C(changed=false).
options:
  action:
    description: What to do.
    type: str
    required: true
    choices: [take, log, release, read]
  path:
    description: The lock file.
    type: path
    required: true
  audit_log:
    description: The audit log (made root-owned, mode 0640).
    type: path
    required: true
  actor:
    description: Who runs, as C(user@controller), for the lock and the audit log.
    type: str
    default: ""
  break_stale:
    description: With C(take), remove a lock left by a run that was killed first.
    type: bool
    default: false
  token:
    description: With C(log) and C(release), the token C(take) returned.
    type: str
    default: ""
  run:
    description: With C(take) (a refused run) and C(log), what runs (deploy, rollback, ...).
    type: str
    default: deploy
  live_release:
    description: With C(log), the live release after the run (C(-) when none).
    type: str
    default: "-"
  previous_release:
    description: With C(log), the live release before the run.
    type: str
    default: "-"
  changes:
    description: With C(log), what the run replaced (empty for nothing).
    type: list
    elements: str
    default: []
  result:
    description: With C(log), C(ok) or what failed.
    type: str
    default: ok
  release:
    description: With C(log), also release the lock this run holds.
    type: bool
    default: false
  lines:
    description: With C(read), how many lines of the audit log to return.
    type: int
    default: 10
"""

EXAMPLES = r"""
- name: Take the deploy lock
  django_deploy.stack.deploy_lock:
    action: take
    path: /srv/blog/deploy.lock
    audit_log: /srv/blog/logs/deploy.log
    actor: alice@laptop
  register: lock

- name: Log the deploy and release the lock
  django_deploy.stack.deploy_lock:
    action: log
    path: /srv/blog/deploy.lock
    audit_log: /srv/blog/logs/deploy.log
    actor: alice@laptop
    token: "{{ lock.token }}"
    changes: [web-image]
    result: ok
    release: true
"""

RETURN = r"""
token:
  description: With C(take), what the lock file holds; C(log) and C(release) need it.
  type: str
  returned: when action is take
line:
  description: With C(log), the line appended to the audit log.
  type: str
  returned: when action is log
unlocked:
  description: With C(log) and C(release), whether this step released the lock.
  type: bool
  returned: when action is log or release
holder:
  description: With C(read), what the lock file holds, or C(not held).
  type: str
  returned: when action is read
audit:
  description: With C(read), the last lines of the audit log.
  type: list
  elements: str
  returned: when action is read
"""

import errno
import os
import random
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text


def now():
    """The time for the lock and the audit line: UTC, to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def read_text(path):
    """The file's text without its trailing newline, or None when it does not exist."""
    try:
        with open(path, "rb") as handle:
            return to_text(handle.read()).rstrip("\n")
    except (IOError, OSError) as error:
        if error.errno == errno.ENOENT:
            return None
        raise


def make_dir(path):
    """The file's directory, root-owned 0755 when made here."""
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)


def one_line(text):
    return " ".join(to_text(text).split())


def audit_line(params, at=None):
    """The audit log's line for this run."""
    return "%s %s %s release=%s previous=%s changed=%s result=%s" % (
        at or now(),
        params["actor"],
        params["run"],
        params["live_release"] or "-",
        params["previous_release"] or "-",
        ",".join(params["changes"]) or "nothing",
        one_line(params["result"]),
    )


def append(audit_log, line):
    make_dir(audit_log)
    with open(audit_log, "ab") as handle:
        handle.write(to_bytes(line + "\n"))
    os.chmod(audit_log, 0o640)
    if os.geteuid() == 0:
        os.chown(audit_log, 0, 0)


def release(path, token):
    """Remove the lock when it holds the token; whether it did."""
    if not token or read_text(path) != token:
        return False
    try:
        os.remove(path)
    except OSError as error:
        if error.errno != errno.ENOENT:
            raise
        return False
    return True


def take(module, params):
    """The lock for this run, or fail_json naming who holds it."""
    path = params["path"]
    if params["break_stale"]:
        try:
            os.remove(path)
        except OSError as error:
            if error.errno != errno.ENOENT:
                raise
    make_dir(path)
    make_dir(params["audit_log"])
    token = "%s since %s (run %d)" % (
        params["actor"],
        now(),
        random.SystemRandom().randint(0, 999999999),
    )
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as error:
        if error.errno != errno.EEXIST:
            raise
        holder = read_text(path) or "(an empty lock file)"
        refused = dict(params, result="refused: locked by %s" % holder)
        append(params["audit_log"], audit_line(refused))
        module.fail_json(
            msg="Another deploy or rollback holds the lock on this host: %s (%s). Wait for it to "
            "end; if no run is going on (one was killed), rerun with -e deploy_lock_break=true."
            % (holder, path)
        )
    with os.fdopen(handle, "wb") as lock:
        lock.write(to_bytes(token + "\n"))
    return {"changed": False, "token": token}


def log(params):
    line = audit_line(params)
    append(params["audit_log"], line)
    unlocked = release(params["path"], params["token"]) if params["release"] else False
    return {"changed": False, "line": line, "unlocked": unlocked}


def read(params):
    holder = read_text(params["path"])
    lines = (read_text(params["audit_log"]) or "").splitlines()
    return {
        "changed": False,
        "holder": holder if holder is not None else "not held",
        "audit": lines[-params["lines"] :] if params["lines"] > 0 else [],
    }


def main():
    module = AnsibleModule(
        argument_spec=dict(
            action=dict(type="str", required=True, choices=["take", "log", "release", "read"]),
            path=dict(type="path", required=True),
            audit_log=dict(type="path", required=True),
            actor=dict(type="str", default=""),
            break_stale=dict(type="bool", default=False),
            token=dict(type="str", default="", no_log=False),
            run=dict(type="str", default="deploy"),
            live_release=dict(type="str", default="-"),
            previous_release=dict(type="str", default="-"),
            changes=dict(type="list", elements="str", default=[]),
            result=dict(type="str", default="ok"),
            release=dict(type="bool", default=False),
            lines=dict(type="int", default=10),
        ),
        supports_check_mode=True,
    )
    params = module.params
    action = params["action"]
    if action == "read":
        module.exit_json(**read(params))
    if module.check_mode:
        # Check mode changes nothing: no lock taken, no line written.
        module.exit_json(changed=False, token="", unlocked=False, line="")
    if action == "take":
        module.exit_json(**take(module, params))
    if action == "log":
        module.exit_json(**log(params))
    module.exit_json(changed=False, unlocked=release(params["path"], params["token"]))


if __name__ == "__main__":
    main()
