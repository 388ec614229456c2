"""plugins/lookup/context_archive: the same files give the same tar, which unarchive extracts into
the context exactly as the files are (paths, contents, modes), whenever they were checked out."""

import io
import os
import tarfile

import pytest
from ansible.errors import AnsibleLookupError
from ansible_collections.django_deploy.stack.plugins.lookup.context_archive import (
    LookupModule,
    context_tar,
)


@pytest.fixture
def context(tmp_path):
    top = tmp_path / "image"
    (top / "runtime" / "pkg").mkdir(parents=True)
    (top / "Dockerfile").write_text("FROM base\n")
    (top / "runtime" / "pkg" / "__init__.py").write_text("")
    (top / "start").write_text("#!/bin/sh\n")
    (top / "start").chmod(0o755)
    (top / "link").symlink_to("Dockerfile")
    return top


def members(data: bytes) -> dict:
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return {
            item.name: (archive.extractfile(item).read(), item.mode, item.mtime, item.uname)
            for item in archive.getmembers()
        }


def test_archive_holds_each_regular_file_with_its_mode_and_no_date(context):
    assert members(context_tar(str(context))) == {
        "Dockerfile": (b"FROM base\n", 0o644, 0, "root"),
        "runtime/pkg/__init__.py": (b"", 0o644, 0, "root"),
        "start": (b"#!/bin/sh\n", 0o755, 0, "root"),
    }


def test_same_files_give_the_same_bytes_whenever_they_were_written(context):
    first = context_tar(str(context))
    os.utime(context / "Dockerfile", (0, 1_000_000))
    assert context_tar(str(context)) == first
    (context / "Dockerfile").write_text("FROM other\n")
    assert context_tar(str(context)) != first


def test_lookup_returns_one_archive_per_content(context, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    (path,) = LookupModule().run([str(context)])
    assert os.path.dirname(path) == str(tmp_path)
    assert LookupModule().run([str(context)]) == [path]
    with open(path, "rb") as handle:
        assert handle.read() == context_tar(str(context))
    (context / "start").chmod(0o700)
    assert LookupModule().run([str(context)]) != [path]
    assert not list(tmp_path.glob("*.partial"))


def test_lookup_refuses_a_missing_directory(tmp_path):
    with pytest.raises(AnsibleLookupError, match="is not a directory"):
        LookupModule().run([str(tmp_path / "nowhere")])
