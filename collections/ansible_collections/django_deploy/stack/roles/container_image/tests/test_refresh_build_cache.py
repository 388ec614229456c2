"""files/refresh-build-cache.sh: the context's copy of a build cache follows the host's store only
when the cache's key changed, so a build for the same key sees the same files."""

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "files" / "refresh-build-cache.sh"


def refresh(context: Path, store: Path, key: str) -> str:
    return subprocess.run(
        ["sh", str(SCRIPT), str(context), str(store), key],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def files(top: Path) -> dict:
    return {str(path.relative_to(top)): path.read_text() for path in top.rglob("*.whl")}


def test_a_new_key_copies_the_store_and_the_same_key_keeps_the_copy(tmp_path):
    store, context = tmp_path / "store", tmp_path / "build" / "wheel-cache"
    context.parent.mkdir()
    assert refresh(context, store, "deps-1") == "refreshed\n"
    assert store.is_dir() and files(context) == {}

    (store / "ab").mkdir()
    (store / "ab" / "one.whl").write_text("one")
    # What a build added to the store after it: not in the context until the key changes.
    assert refresh(context, store, "deps-1") == ""
    assert files(context) == {}

    assert refresh(context, store, "deps-2") == "refreshed\n"
    assert files(context) == {"ab/one.whl": "one"}
    assert (tmp_path / "build" / "wheel-cache.key").read_text() == "deps-2\n"


def test_the_copy_mirrors_the_store_so_an_emptied_store_empties_it(tmp_path):
    store, context = tmp_path / "store", tmp_path / "wheel-cache"
    store.mkdir()
    (store / "old.whl").write_text("old")
    refresh(context, store, "deps-1")
    (store / "old.whl").unlink()
    assert refresh(context, store, "deps-2") == "refreshed\n"
    assert files(context) == {}
    assert not (tmp_path / "wheel-cache.new").exists()
