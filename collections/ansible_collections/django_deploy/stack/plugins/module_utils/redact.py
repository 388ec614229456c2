# -*- coding: utf-8 -*-
# Used by modules on the managed host (Python 2.7 up to the newest python3) and by the redact
# filter on the controller.
"""Text a task shows, with every secret in it replaced by its setting's name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def redact(text, secrets):
    """TEXT with each value of SECRETS (setting name -> value) replaced by <name>, the longest
    first, so a secret that contains another is replaced whole; empty values are left alone."""
    shown = "" if text is None else str(text)
    for name, value in sorted(secrets.items(), key=lambda item: -len(str(item[1] or ""))):
        if value:
            shown = shown.replace(str(value), "<%s>" % name)
    return shown
