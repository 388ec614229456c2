#!/usr/bin/python
# -*- coding: utf-8 -*-
# Runs on the managed host: Python 2.7 (Ubuntu 16.04) up to the newest python3, so no f-strings
# and no type hints.
"""The web releases kept on the host, the live one, and the one a rollback goes back to.

The live socket link and the live release's record are the one place a deploy, a rollback and
the status read which release serves and what it runs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: django_releases
author: django-deploy maintainers
version_added: 0.1.0
short_description: Read the kept web releases and pick the one a rollback goes back to
description:
  - Reads each kept release's record (C(<releases_dir>/<id>/release.json), written when the release
    went live) and when it last went live (the time of its C(live_since) file), the most recently
    live first.
  - The live release is the one the live socket link points at (C(web-<id>.sock)), or in Swarm mode
    the one O(live) names (the web service's label); its record is the one source of what it runs
    (image, code version, migrations), which a deploy's quick path reuses.
  - With O(wanted), or without it the release live before the current one, names the rollback
    target, the migrations the live release has that the target has not (they stay applied), or,
    when there is no such release, an error that lists the kept ones.
  - Changes nothing.
options:
  releases_dir:
    description: The directory of the kept releases.
    type: path
    required: true
  live_link:
    description:
      - The live socket link. One of O(live_link) and O(live) is required.
    type: path
  live:
    description:
      - The live release's id, where no live socket link names it (in Swarm mode, the web service's
        label). C(-) for none.
    type: str
  wanted:
    description: The release to go back to; empty for the one live before the current one.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Read the kept releases
  django_deploy.stack.django_releases:
    releases_dir: /srv/blog/releases
    live_link: /srv/blog/run/web.sock
    wanted: "{{ release | default('') }}"
  register: releases
"""

RETURN = r"""
releases:
  description:
    - The kept releases' records, each with C(live_since) (UTC), the most recently live first.
  type: list
  elements: dict
  returned: always
live:
  description: The live release's id; C(-) when none is live.
  type: str
  returned: always
live_record:
  description: The live release's record; empty when none is live or it has no record.
  type: dict
  returned: always
target:
  description: The release a rollback goes back to; empty when there is none (see RV(error)).
  type: str
  returned: always
target_record:
  description: The target's record; empty when there is no target.
  type: dict
  returned: always
newer_migrations:
  description: The live release's migrations the target does not have.
  type: list
  elements: str
  returned: always
error:
  description: Why there is no target, with the kept releases; empty when there is one.
  type: str
  returned: always
"""

import json
import os
import re
import time

from ansible.module_utils.basic import AnsibleModule

LIVE_LINK_TARGET = re.compile(r"^web-(.+)\.sock$")


def kept_releases(releases_dir):
    """The records of the releases that went live, the most recently live first."""
    kept = []
    if not os.path.isdir(releases_dir):
        return kept
    for name in os.listdir(releases_dir):
        # releases/current is a link to the live release's directory.
        if os.path.islink(os.path.join(releases_dir, name)):
            continue
        marker = os.path.join(releases_dir, name, "live_since")
        record_file = os.path.join(releases_dir, name, "release.json")
        if not (os.path.isfile(marker) and os.path.isfile(record_file)):
            continue
        with open(record_file) as handle:
            record = json.load(handle)
        mtime = os.path.getmtime(marker)
        record["live_since"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(mtime))
        kept.append((mtime, name, record))
    kept.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [record for _, _, record in kept]


def live_release(live_link):
    if not os.path.islink(live_link):
        return "-"
    match = LIVE_LINK_TARGET.match(os.path.basename(os.readlink(live_link)))
    return match.group(1) if match else "-"


def pick_target(kept, live, wanted):
    """(target id, error): the wanted release, or the one live before the current one."""
    ids = [record["id"] for record in kept]
    if wanted:
        if wanted == live:
            problem = (
                'Release "%s" is not kept on this host as an earlier one: it is the live release.'
            )
        elif wanted not in ids:
            problem = 'Release "%s" is not kept on this host.'
        else:
            return wanted, ""
        problem = problem % wanted
    else:
        earlier = [release_id for release_id in ids if release_id != live]
        if earlier:
            return earlier[0], ""
        problem = "No earlier release is kept on this host."
    listed = "; ".join(
        "%s (live since %s, image %s)" % (r["id"], r["live_since"], r.get("image", "?"))
        for r in kept
    )
    return "", "%s Kept releases, the live one first: %s." % (problem, listed or "none")


def describe(releases_dir, live_link, wanted, live=None):
    kept = kept_releases(releases_dir)
    if live is None:
        live = live_release(live_link)
    target, error = pick_target(kept, live, wanted)
    records = dict((record["id"], record) for record in kept)
    target_record = records.get(target, {})
    live_migrations = records.get(live, {}).get("migrations", [])
    newer = [m for m in live_migrations if m not in target_record.get("migrations", [])]
    return {
        "releases": kept,
        "live": live,
        "live_record": records.get(live, {}),
        "target": target,
        "target_record": target_record,
        "newer_migrations": newer if target else [],
        "error": error,
    }


def main():
    module = AnsibleModule(
        argument_spec={
            "releases_dir": {"type": "path", "required": True},
            "live_link": {"type": "path"},
            "live": {"type": "str"},
            "wanted": {"type": "str", "default": ""},
        },
        required_one_of=[["live_link", "live"]],
        mutually_exclusive=[["live_link", "live"]],
        supports_check_mode=True,
    )
    params = module.params
    try:
        result = describe(
            params["releases_dir"], params["live_link"], params["wanted"], live=params["live"]
        )
    except (OSError, IOError, ValueError, KeyError) as error:
        module.fail_json(
            msg="Cannot read the kept releases in %s: %s" % (params["releases_dir"], error)
        )
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
