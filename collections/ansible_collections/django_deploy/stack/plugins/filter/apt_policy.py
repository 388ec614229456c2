"""Filter apt_policy_version: the version of a package that `apt-cache policy PACKAGE` shows.

    apt_cache_policy.stdout | django_deploy.stack.apt_policy_version

returns {"installed": bool, "version": "5:27.3.1-1~debian.12~bookworm", "upstream": "27.3.1"}: the
installed version when there is one, else apt's candidate; upstream without the epoch and the
packaging revision, "0" when apt knows no version (so a version comparison fails plainly).
"""

import re

# Its documentation: apt_policy_version.yml.

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
