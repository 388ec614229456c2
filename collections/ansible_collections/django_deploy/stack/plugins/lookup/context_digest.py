"""Lookup context_digest: the content hash of a Docker build context, on the controller.

    lookup('django_deploy.stack.context_digest', src, extra_files=[...], build_args={...})

returns one sha256 hex digest of every regular file below `src` (its path relative to `src`, the
sha1 of its content and its mode), of each extra file (its `dest` and the sha1 of its `content`,
or of the controller file `src`) and of the build arguments. An image tagged with it is rebuilt
exactly when one of them changed.
"""

import hashlib
import json
import os
import stat

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

DOCUMENTATION = r"""
name: context_digest
short_description: sha256 of a build context's files, extra files and build arguments
description:
  - One digest of the files below a directory (path, content, mode), extra files given by content or
    by a controller path, and the build arguments.
options:
  _terms:
    description: The context directory on the controller.
    required: true
  extra_files:
    description: More files of the context, each with C(dest) and either C(content) or C(src).
    type: list
    elements: dict
    default: []
  build_args:
    description: The build arguments.
    type: dict
    default: {}
"""

RETURN = r"""
_raw:
  description: One sha256 hex digest.
  type: list
  elements: str
"""


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def context_entries(top: str, extra_files: list[dict]) -> list[list[str]]:
    """[path, sha1 of the content, mode] of each file of the context, sorted."""
    entries = []
    for directory, subdirectories, files in os.walk(top):
        subdirectories.sort()
        for name in files:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            if stat.S_ISREG(info.st_mode):
                mode = f"{stat.S_IMODE(info.st_mode):04o}"
                entries.append([os.path.relpath(path, top), _sha1(_read(path)), mode])
    for extra in extra_files:
        content = extra["content"].encode() if "content" in extra else _read(extra["src"])
        entries.append([extra["dest"], _sha1(content), ""])
    return sorted(entries)


def context_digest(top: str, extra_files: list[dict], build_args: dict) -> str:
    if not os.path.isdir(top):
        raise AnsibleLookupError(f"context_digest: {top} is not a directory")
    text = json.dumps(context_entries(top, extra_files)) + json.dumps(build_args, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        try:
            return [
                context_digest(
                    str(term), self.get_option("extra_files"), self.get_option("build_args")
                )
                for term in terms
            ]
        except (OSError, KeyError) as error:
            raise AnsibleLookupError(f"context_digest: {error}") from error
