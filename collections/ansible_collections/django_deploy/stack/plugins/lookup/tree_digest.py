"""Lookup tree_digest: one sha256 of the files below each directory given, on the controller.

    lookup('tree_digest', '/path/to/roles', '/path/to/code', excludes=['*.pyc', '*.md'])

returns one hex digest per directory: of every file's path (relative to that directory) and
content, in sorted order; links count by their target; a missing directory by its absence. It
runs in the controller's own process: hundreds of files take milliseconds, where a find task
costs a worker process and a module round trip.
"""

import fnmatch
import hashlib
import os

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

DOCUMENTATION = r"""
name: tree_digest
short_description: sha256 of the paths and contents of the files below directories
description:
  - One digest per directory of the relative path and content of every file below it.
options:
  _terms:
    description: Directories on the controller.
    required: true
  excludes:
    description: Shell patterns of file and directory names to leave out.
    type: list
    elements: str
    default: []
"""


def _digest(top: str, excludes: list[str]) -> str:
    digest = hashlib.sha256()
    if not os.path.isdir(top):
        digest.update(b"absent")
        return digest.hexdigest()
    for directory, subdirectories, files in os.walk(top):
        subdirectories[:] = sorted(
            d for d in subdirectories if not any(fnmatch.fnmatch(d, p) for p in excludes)
        )
        for name in sorted(files):
            if any(fnmatch.fnmatch(name, pattern) for pattern in excludes):
                continue
            path = os.path.join(directory, name)
            digest.update(os.path.relpath(path, top).encode() + b"\0")
            if os.path.islink(path):
                digest.update(b"link " + os.readlink(path).encode())
            else:
                with open(path, "rb") as handle:
                    digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        excludes = self.get_option("excludes")
        try:
            return [_digest(str(term), excludes) for term in terms]
        except OSError as error:
            raise AnsibleLookupError(f"tree_digest: {error}") from error
