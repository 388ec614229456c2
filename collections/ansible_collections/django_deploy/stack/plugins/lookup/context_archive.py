"""Lookup context_archive: a build context's files in one tar, on the controller.

    lookup('django_deploy.stack.context_archive', src)

returns the path of a tar of every regular file below `src` (relative paths, sorted, each with its
mode, owned by root, dated 1970-01-01), in the controller's temporary directory and named by its
contents, so the same files always give the same archive. ansible.builtin.unarchive sends it in one
transfer and extracts only when a file differs, where a copy of the directory costs a round trip
per file.
"""

import hashlib
import io
import os
import stat
import tarfile
import tempfile

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

DOCUMENTATION = r"""
name: context_archive
short_description: A reproducible tar of a directory's files, for ansible.builtin.unarchive
description:
  - Writes the regular files below a directory (path, content, mode; owner root, time zero) to a tar
    named by its contents in the controller's temporary directory, and returns its path.
options:
  _terms:
    description: The directory on the controller.
    required: true
"""

RETURN = r"""
_raw:
  description: The path of the tar.
  type: list
  elements: str
"""


def context_tar(top: str) -> bytes:
    """The tar of the regular files below `top`, the same bytes for the same files."""
    paths = []
    for directory, subdirectories, files in os.walk(top):
        subdirectories.sort()
        paths.extend(os.path.join(directory, name) for name in sorted(files))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for path in paths:
            status = os.lstat(path)
            if not stat.S_ISREG(status.st_mode):
                continue
            info = tarfile.TarInfo(os.path.relpath(path, top))
            info.size = status.st_size
            info.mode = stat.S_IMODE(status.st_mode)
            info.uname = info.gname = "root"
            with open(path, "rb") as handle:
                archive.addfile(info, handle)
    return buffer.getvalue()


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        paths = []
        for top in terms:
            if not os.path.isdir(top):
                raise AnsibleLookupError(f"context_archive: {top} is not a directory")
            data = context_tar(top)
            name = f"django-deploy-context-{hashlib.sha256(data).hexdigest()[:16]}.tar"
            path = os.path.join(tempfile.gettempdir(), name)
            if not os.path.exists(path):
                # Written whole, then renamed: runs at the same time never read half a file.
                handle, partial = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".partial")
                with os.fdopen(handle, "wb") as output:
                    output.write(data)
                os.chmod(partial, 0o644)
                os.replace(partial, path)
            paths.append(path)
        return paths
