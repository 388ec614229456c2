#!/usr/bin/python
# -*- coding: utf-8 -*-
# Runs on the managed host: Python 2.7 (Ubuntu 16.04) up to the newest python3, so no f-strings
# and no type hints.
"""Ask the host's systemd whether it accepts a calendar event, before a timer unit is written."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: systemd_calendar
author: django-deploy maintainers
version_added: 0.1.0
short_description: Check a calendar event with the host's own systemd before a timer uses it
description:
  - Runs C(systemd-analyze calendar) on the host. A value it refuses fails the task with a message
    that names the setting, before any unit is written, so a timer never holds an C(OnCalendar=)
    that breaks at the next daemon reload.
  - Where the host's systemd has no C(calendar) verb (before systemd 235, e.g. Ubuntu 16.04 and
    18.04) or no systemd-analyze, the check is left to the controller's
    C(django_deploy.stack.systemd_calendar_error) filter, and C(checked) is false.
  - Changes nothing.
options:
  calendar:
    description: The calendar event, as it goes into C(OnCalendar=).
    type: str
    required: true
  variable:
    description: The setting it comes from, named in the failure message.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Check the backup schedule with the host's systemd
  django_deploy.stack.systemd_calendar:
    calendar: "{{ site_backup_schedule }}"
    variable: site_backup_schedule
"""

RETURN = r"""
checked:
  description: Whether the host's systemd could check the value.
  type: bool
  returned: always
next_elapse:
  description: When the event next comes, as systemd-analyze prints it (when checked).
  type: str
  returned: always
"""

import re

from ansible.module_utils.basic import AnsibleModule

# What systemd-analyze says when it has no calendar verb.
UNSUPPORTED = re.compile(r"Unknown (operation|command verb)", re.IGNORECASE)


def check(module, calendar, variable):
    """The module's result for one value; fail_json when the host's systemd refuses it."""
    analyze = module.get_bin_path("systemd-analyze")
    if analyze is None:
        return {"changed": False, "checked": False, "next_elapse": ""}
    rc, out, err = module.run_command([analyze, "calendar", "--", calendar])
    if rc != 0 and UNSUPPORTED.search(err + out):
        return {"changed": False, "checked": False, "next_elapse": ""}
    if rc != 0:
        reason = (err or out).strip().splitlines()
        module.fail_json(
            msg='%s: "%s" is not a calendar event this host\'s systemd accepts (%s); '
            'give one such as "daily" or "*-*-* 03:15:00" (man systemd.time).'
            % (variable, calendar, reason[-1] if reason else "exit code %d" % rc)
        )
    found = re.search(r"Next elapse:\s*(.+)", out)
    return {
        "changed": False,
        "checked": True,
        "next_elapse": found.group(1).strip() if found else "",
    }


def main():
    module = AnsibleModule(
        argument_spec={
            "calendar": {"type": "str", "required": True},
            "variable": {"type": "str", "required": True},
        },
        supports_check_mode=True,
    )
    module.exit_json(**check(module, module.params["calendar"], module.params["variable"]))


if __name__ == "__main__":
    main()
