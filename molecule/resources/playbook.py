"""Run ansible-playbook the way the tests and the benchmark need it: the project's ansible.cfg,
plain output captured as text, a failure that shows the end of the run.

Importable as `playbook`: pytest.ini puts this directory on sys.path, and so does benchmark.py.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _ansible_playbook() -> str:
    """The ansible-playbook of the Python running this code (.venv's), else the first on PATH."""
    beside_python = Path(sys.executable).with_name("ansible-playbook")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("ansible-playbook")
    if found is None:
        raise FileNotFoundError("ansible-playbook is neither beside this Python nor on PATH")
    return found


def run_playbook(
    playbook: str | Path,
    *args: str,
    inventory: str | Path | None = None,
    check: bool = True,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `ansible-playbook [-i inventory] playbook *args` and return the finished process.

    Relative playbook and inventory paths are relative to REPO, which is also the default working
    directory. `env` adds to (or overrides) this process's environment. With `check`, a non-zero
    exit raises AssertionError carrying the tail of the output.
    """
    command = [_ansible_playbook()]
    if inventory is not None:
        command += ["-i", str(REPO / inventory)]
    command += [str(REPO / playbook), *args]
    result = subprocess.run(
        command,
        cwd=REPO if cwd is None else cwd,
        env={
            **os.environ,
            "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            **(env or {}),
        },
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} exited with {result.returncode}:\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
        )
    return result
