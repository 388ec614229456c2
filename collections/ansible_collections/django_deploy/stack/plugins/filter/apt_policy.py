"""Filter apt_policy_version: the version of a package that `apt-cache policy PACKAGE` shows.

    apt_cache_policy.stdout | django_deploy.stack.apt_policy_version

returns {"installed": bool, "version": "5:27.3.1-1~debian.12~bookworm", "upstream": "27.3.1"}: the
installed version when there is one, else apt's candidate; upstream without the epoch and the
packaging revision, "0" when apt knows no version (so a version comparison fails plainly).
"""

import re

DOCUMENTATION = r"""
name: apt_policy_version
author: django-deploy maintainers
version_added: 0.1.0
short_description: The installed or candidate version of a package, from apt-cache policy
description:
  - Reads the output of C(apt-cache policy PACKAGE) (run with C(LC_ALL=C)) for one package.
  - Returns C(installed) (whether a version is installed), C(version) (the installed one, else apt's
    candidate, else an empty string) and C(upstream) (that version's upstream part, such as
    C(18.09.7), or C(0) when there is none).
options:
  _input:
    description: The standard output of C(apt-cache policy PACKAGE).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Check the engine is recent enough
  ansible.builtin.assert:
    that: >-
      (policy.stdout | django_deploy.stack.apt_policy_version).upstream is version('18.09', '>=')
"""

RETURN = r"""
_value:
  description: C(installed), C(version) and C(upstream).
  type: dict
"""

FIELD = re.compile(r"^\s+(Installed|Candidate):\s+(\S+)", re.MULTILINE)
UPSTREAM = re.compile(r"^(?:\d+:)?(\d+(?:\.\d+)*)")


def apt_policy_version(output: str) -> dict:
    fields = {name: value for name, value in FIELD.findall(output or "") if value != "(none)"}
    version = fields.get("Installed") or fields.get("Candidate") or ""
    upstream = UPSTREAM.match(version)
    return {
        "installed": "Installed" in fields,
        "version": version,
        "upstream": upstream.group(1) if upstream else "0",
    }


class FilterModule:
    def filters(self):
        return {"apt_policy_version": apt_policy_version}
