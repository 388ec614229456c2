"""A Poetry project's lock as hash-pinned requirements: `python poetry_export.py poetry.lock`.

Run in the web image's build stage, which then installs the output with pip --require-hashes. It
reads what Poetry 2 writes in poetry.lock (lock-version 2.1): for every package of the main group
that is not only an extra's, `name==version`, the environment markers Poetry locked for the main
group, and the hashes of the files the lock lists: what `poetry export --only main` writes,
without installing Poetry. A package from git, a URL or a local directory has no hash to pin:
the project is told to export its requirements with Poetry. Exits 1 with the reason on stderr.
"""

import sys
import tomllib

SUPPORTED = (2, 1)
PINNABLE_SOURCES = {None, "legacy"}


def fail(message: str) -> None:
    print(f"poetry.lock: {message}", file=sys.stderr)
    sys.exit(1)


def lock_version(lock: dict) -> tuple[int, ...]:
    text = str(lock.get("metadata", {}).get("lock-version", "1.0"))
    return tuple(int(part) for part in text.split("."))


def requirement(package: dict) -> str | None:
    """The package's requirement line, or None when the main group does not install it."""
    groups = package.get("groups", [])
    if "main" not in groups or package.get("optional", False):
        return None
    source = package.get("source", {}).get("type")
    if source not in PINNABLE_SOURCES:
        fail(
            f"{package['name']} comes from a {source} source, which the lock gives no hash for:"
            " export the requirements with `poetry export --only main --output requirements.txt`"
            " and deploy that."
        )
    if not package.get("files"):
        fail(f"{package['name']} {package['version']} has no files with hashes in the lock.")
    markers = package.get("markers", "")
    if isinstance(markers, dict):
        markers = markers.get("main", "")
    line = f"{package['name']}=={package['version']}"
    if markers:
        line += f" ; {markers}"
    hashes = sorted({entry["hash"] for entry in package["files"]})
    return " \\\n    ".join([line, *(f"--hash={value}" for value in hashes)])


def export(lock: dict) -> str:
    if lock_version(lock) < SUPPORTED:
        fail(
            "written by Poetry 1 (lock-version below 2.1), which does not record each package's"
            " group: run `poetry lock` with Poetry 2, or export the requirements with"
            " `poetry export --only main --output requirements.txt` and deploy that."
        )
    lines = [line for line in map(requirement, lock.get("package", [])) if line]
    return "".join(f"{line}\n" for line in lines)


def main(path: str) -> None:
    with open(path, "rb") as handle:
        sys.stdout.write(export(tomllib.load(handle)))


if __name__ == "__main__":
    main(sys.argv[1])
