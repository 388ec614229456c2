#!/usr/bin/python
# -*- coding: utf-8 -*-
# Runs on the managed host: Python 2.7 (Ubuntu 16.04) up to the newest python3, so no f-strings
# and no type hints.
"""What each role of a deploy left on the host, so an unchanged rerun can skip the role."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: django_stack_state
author: django-deploy maintainers
version_added: 0.1.0
short_description: Record and compare what each role of the deploy left on the host
description:
  - C(record) writes, per role, the fingerprint of its settings and code (computed on the
    controller) and what the role's files, containers and systemd units look like now.
  - C(check) reports a role as current when its record holds the same fingerprint and every file,
    container and unit it lists still looks the same (a file's content, link target, mode and
    owner; a container's id, image, state and whether it is unhealthy; a unit's enabled and active
    state).
  - A fingerprint may be a dict of named parts (e.g. settings and code). When what the record
    lists still looks the same but only some parts differ, C(check) names the parts that did not
    change in C(unchanged_parts), so the role can do only what the changed parts need.
  - Records are bookkeeping of the deploy, not changes to the site, so the module never reports
    changed.
options:
  dir:
    description: Directory of the records (created, mode 0700, on record).
    type: path
    required: true
  action:
    description: What to do.
    type: str
    choices: [check, record]
    default: check
  roles:
    description:
      - Role name -> what it looks after, as each role publishes it after it ran (record) - the
        C(files), C(containers) and C(units) to watch - or the roles to check. A check watches what
        the record lists. A role's entry may also hold its C(fingerprint).
    type: dict
    default: {}
  fingerprints:
    description:
      - Role name -> the fingerprint of its settings and code, computed on the controller. A check
        covers every role named here or in O(roles); a record takes each recorded role's from here.
    type: dict
    default: {}
"""

RETURN = r"""
current:
  description: Roles whose record matches (check).
  type: list
  returned: always
reasons:
  description: Role -> why it is not current (check).
  type: dict
  returned: always
unchanged_parts:
  description:
    - Role -> the names of its fingerprint's parts that match the record (check), for a role that
      is not current only because its other parts changed.
  type: dict
  returned: always
"""

import hashlib
import json
import os
import stat

from ansible.module_utils.basic import AnsibleModule


def observe_file(path):
    """A file's content hash, a link's target or a directory, with its mode and owner."""
    try:
        info = os.lstat(path)
    except OSError:
        return "absent"
    if stat.S_ISLNK(info.st_mode):
        # A link to a file (/etc/os-release) changes with the file it names too.
        target = observe_file(os.path.realpath(path)) if os.path.isfile(path) else ""
        return ("link %s %s" % (os.readlink(path), target)).strip()
    owner = "%o %d:%d" % (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid)
    if stat.S_ISDIR(info.st_mode):
        return "dir " + owner
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return "file %s %s" % (digest.hexdigest(), owner)


def observe_containers(module, names):
    """Name -> "id image status unhealthy|ok" for the named containers ("absent" when missing)."""
    seen = dict((name, "absent") for name in names)
    if not names:
        return seen
    docker = module.get_bin_path("docker")
    if docker is None:
        return seen
    # Exits 1 when one of them is missing, but still prints the others.
    _rc, out, _err = module.run_command([docker, "container", "inspect"] + list(names))
    try:
        found = json.loads(out or "[]")
    except ValueError:
        return seen
    for container in found:
        state = container.get("State") or {}
        # Unhealthy or not: a container that was starting when recorded is healthy by the next run.
        health = "unhealthy" if (state.get("Health") or {}).get("Status") == "unhealthy" else "ok"
        seen[container.get("Name", "").lstrip("/")] = " ".join(
            [container.get("Id", ""), container.get("Image", ""), state.get("Status", ""), health]
        )
    return seen


def observe_units(module, names):
    """Unit -> "enabled-state active-state"."""
    seen = {}
    systemctl = module.get_bin_path("systemctl")
    for name in names:
        if systemctl is None:
            seen[name] = "no systemctl"
            continue
        states = []
        for verb in ("is-enabled", "is-active"):
            _rc, out, _err = module.run_command([systemctl, verb, name])
            states.append(out.strip() or "unknown")
        seen[name] = " ".join(states)
    return seen


def observe(module, wanted):
    return {
        "files": dict((path, observe_file(path)) for path in wanted.get("files") or []),
        "containers": observe_containers(module, wanted.get("containers") or []),
        "units": observe_units(module, wanted.get("units") or []),
    }


def record_path(directory, role):
    return os.path.join(directory, role + ".json")


def read_record(directory, role):
    try:
        with open(record_path(directory, role)) as handle:
            return json.load(handle)
    except (IOError, OSError, ValueError):
        return None


def difference(recorded, now):
    """The first thing that differs between two observations, in words."""
    for kind in ("files", "containers", "units"):
        before, after = recorded.get(kind, {}), now.get(kind, {})
        for name in sorted(set(before) | set(after)):
            if before.get(name) != after.get(name):
                return "%s %s changed since the last deploy" % (kind[:-1], name)
    return None


def changed_parts(recorded, wanted):
    """The names of the fingerprint parts that differ (["*"]: all of them, or they do not compare
    part by part)."""
    if recorded == wanted:
        return []
    by_parts = isinstance(recorded, dict) and isinstance(wanted, dict)
    if not by_parts or set(recorded) != set(wanted):
        return ["*"]
    changed = sorted(part for part in wanted if recorded[part] != wanted[part])
    return changed if len(changed) < len(wanted) else ["*"]


def check(module, directory, roles):
    current, reasons, unchanged = [], {}, {}
    for role in sorted(roles):
        wanted = roles[role] or {}
        recorded = read_record(directory, role)
        if recorded is None:
            reasons[role] = "no record of a complete run"
            continue
        parts = changed_parts(recorded.get("fingerprint"), wanted.get("fingerprint"))
        if parts == ["*"]:
            reasons[role] = "its settings or code changed"
            continue
        observed = recorded.get("observed", {})
        watched = dict((kind, sorted(observed.get(kind, {}))) for kind in observed)
        changed = difference(observed, observe(module, watched))
        if changed:
            reasons[role] = changed
            continue
        if parts:
            reasons[role] = "only its %s changed" % " and ".join(parts)
            unchanged[role] = sorted(set(wanted["fingerprint"]) - set(parts))
            continue
        current.append(role)
    return current, reasons, unchanged


def record(module, directory, roles):
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o700)
    for role in sorted(roles):
        wanted = roles[role] or {}
        content = {
            "fingerprint": wanted.get("fingerprint"),
            "observed": observe(module, wanted),
        }
        path = record_path(directory, role)
        partial = path + ".partial"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(content, handle, indent=1, sort_keys=True)
        os.rename(partial, path)


def merge(action, roles, fingerprints):
    """Role -> its entry with its fingerprint: for a check every role named anywhere,
    for a record the roles that published what they look after."""
    names = set(roles) | (set(fingerprints) if action == "check" else set())
    merged = {}
    for role in names:
        entry = dict(roles.get(role) or {})
        if role in fingerprints:
            entry["fingerprint"] = fingerprints[role]
        merged[role] = entry
    return merged


def main():
    module = AnsibleModule(
        argument_spec={
            "dir": {"type": "path", "required": True},
            "action": {"type": "str", "choices": ["check", "record"], "default": "check"},
            "roles": {"type": "dict", "default": {}},
            "fingerprints": {"type": "dict", "default": {}},
        },
        supports_check_mode=True,
    )
    directory, action = module.params["dir"], module.params["action"]
    roles = merge(action, module.params["roles"], module.params["fingerprints"])
    result = {"changed": False, "current": [], "reasons": {}, "unchanged_parts": {}}
    if action == "check":
        result["current"], result["reasons"], result["unchanged_parts"] = check(
            module, directory, roles
        )
    elif not module.check_mode:
        record(module, directory, roles)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
