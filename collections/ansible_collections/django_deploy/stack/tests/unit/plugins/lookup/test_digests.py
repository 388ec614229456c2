"""plugins/lookup: tree_digest and context_digest change exactly when what they cover changes."""

import os

import pytest
from ansible.errors import AnsibleLookupError
from ansible_collections.django_deploy.stack.plugins.lookup.context_digest import context_digest
from ansible_collections.django_deploy.stack.plugins.lookup.tree_digest import (
    _digest as tree_digest,
)


@pytest.fixture
def context(tmp_path):
    top = tmp_path / "image"
    (top / "conf").mkdir(parents=True)
    (top / "Dockerfile").write_text("FROM base\n")
    (top / "conf" / "app.ini").write_text("[app]\n")
    (top / "entrypoint").write_text("#!/bin/sh\n")
    (top / "entrypoint").chmod(0o755)
    return top


def digest(top, extra_files=(), build_args=None):
    return context_digest(str(top), list(extra_files), build_args or {})


def test_context_digest_is_stable_and_ignores_file_order_and_build_arg_order(context):
    first = digest(context, build_args={"A": "1", "B": "2"})
    assert first == digest(context, build_args={"B": "2", "A": "1"})
    assert len(first) == 64


@pytest.mark.parametrize(
    "change",
    [
        lambda top: (top / "conf" / "app.ini").write_text("[app]\nx = 1\n"),
        lambda top: (top / "entrypoint").chmod(0o644),
        lambda top: (top / "conf" / "app.ini").rename(top / "conf" / "other.ini"),
        lambda top: (top / "new").write_text(""),
    ],
    ids=["content", "mode", "name", "new file"],
)
def test_context_digest_changes_with_each_file_change(context, change):
    before = digest(context)
    change(context)
    assert digest(context) != before


def test_context_digest_covers_extra_files_and_build_args(context, tmp_path):
    source = tmp_path / "requirements.txt"
    source.write_text("Django==5.2\n")
    extra = [{"dest": "requirements.txt", "src": str(source)}, {"dest": "VERSION", "content": "1"}]
    before = digest(context, extra)
    assert before != digest(context)
    source.write_text("Django==5.2.1\n")
    assert digest(context, extra) != before
    assert digest(context, extra, {"PYTHON": "3.13"}) != digest(context, extra)


def test_context_digest_leaves_out_symbolic_links(context):
    before = digest(context)
    os.symlink("Dockerfile", context / "link")
    assert digest(context) == before


def test_context_digest_names_a_missing_directory(tmp_path):
    with pytest.raises(AnsibleLookupError, match="is not a directory"):
        digest(tmp_path / "absent")


def test_tree_digest_follows_content_and_names_and_honours_excludes(context):
    before = tree_digest(str(context), ["*.md"])
    (context / "README.md").write_text("docs")
    assert tree_digest(str(context), ["*.md"]) == before
    (context / "conf" / "app.ini").write_text("changed")
    assert tree_digest(str(context), ["*.md"]) != before


def test_tree_digest_of_a_missing_directory_is_its_absence(tmp_path):
    assert tree_digest(str(tmp_path / "a"), []) == tree_digest(str(tmp_path / "b"), [])
    assert tree_digest(str(tmp_path / "a"), []) != tree_digest(str(tmp_path), [])
