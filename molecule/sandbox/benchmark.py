"""Measure the deploy on the sandbox host: cold run, unchanged rerun, code-only update, image sizes.

Run with `make benchmark` (it recreates the sandbox host first, so the cold figure is real).
Prints figures; it asserts nothing about them.
"""

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Run as a script: the shared ansible-playbook runner lives beside the harness.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "resources"))
from playbook import REPO, run_playbook  # noqa: E402

INVENTORY = "inventory/sandbox/hosts.yml"
HOST = "sandbox"
PROJECT = "blog"


def site_yml(*extra: str) -> float:
    """Run site.yml against the sandbox; return its wall time in seconds."""
    started = time.monotonic()
    result = run_playbook("site.yml", *extra, inventory=INVENTORY)
    elapsed = time.monotonic() - started
    recap = [line for line in result.stdout.splitlines() if f"{HOST} " in line and "ok=" in line]
    print(f"    recap: {recap[-1].split(':', 1)[1].strip() if recap else '?'}")
    return elapsed


def in_host(*command: str) -> str:
    return subprocess.run(
        ["docker", "exec", HOST, *command], capture_output=True, text=True, check=True
    ).stdout


def main() -> None:
    subprocess.run(["molecule", "destroy", "-s", "sandbox"], cwd=REPO, check=True)
    subprocess.run(["molecule", "create", "-s", "sandbox"], cwd=REPO, check=True)
    run_playbook("molecule/sandbox/secrets.yml")
    figures = {}
    print("cold site.yml on a fresh host ...")
    figures["cold site.yml (s)"] = site_yml()
    print("unchanged rerun ...")
    figures["unchanged rerun (s)"] = site_yml()
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "django_site"
        shutil.copytree(REPO / "django_site", source, ignore=shutil.ignore_patterns("__pycache__"))
        base = source / "blog/templates/blog/base.html"
        base.write_text(base.read_text() + "\n<!-- benchmark -->\n")
        print("code-only update ...")
        figures["code-only update (s)"] = site_yml("-e", f"django_web_source_dir={source}")
    print("restoring the code ...")
    site_yml()
    for line in in_host("docker", "images", "--format", "{{json .}}").splitlines():
        image = json.loads(line)
        if image["Repository"].startswith(f"{PROJECT}/"):
            figures[f"image {image['Repository']}:{image['Tag']}"] = image["Size"]
    print()
    for name, value in figures.items():
        shown = f"{value:.0f}" if isinstance(value, float) else value
        print(f"{name:<40} {shown}")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        sys.exit(str(failure))
