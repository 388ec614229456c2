"""Run ansible-playbook the way the tests and the benchmark need it: the project's ansible.cfg,
plain output captured as text, a failure that shows the tasks that failed.

Importable as `playbook`: pytest.ini puts this directory on sys.path, and so does benchmark.py.
"""

import os
import re
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
    exit raises AssertionError carrying the failed tasks (failures()).
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
            f"{failures(result.stdout)}\n{result.stderr[-2000:]}"
        )
    return result


# A task's result starts "fatal: [host]: FAILED!", "failed: [host] (item=...)" or, for a
# task that was rescued or ignored, is followed by "...ignoring"; its details follow indented.
_FAILED_RESULT = re.compile(r"^(fatal|failed): \[")
_TASK_HEADER = re.compile(r"^(TASK|RUNNING HANDLER) \[")


def failures(output: str, max_lines: int = 30) -> str:
    """What a reader of a failed run needs, for an assertion's message: each failed task's
    header and result (its first max_lines lines) and the play recap. Not the tail of the output,
    which at the end of a run is the profile of the slowest tasks. The tail when no task failed."""
    lines = output.splitlines()
    shown: list[str] = []
    task = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        if _TASK_HEADER.match(line):
            task = line
        elif _FAILED_RESULT.match(line):
            end = index + 1
            while end < len(lines) and lines[end][:1] in (" ", "\t"):
                end += 1
            shown += [task, *lines[index : min(end, index + max_lines)], ""]
            index = end
            continue
        elif line.startswith("PLAY RECAP"):
            end = index + 1
            while end < len(lines) and lines[end].strip():
                end += 1
            shown += lines[index:end]
        index += 1
    if not any(_FAILED_RESULT.match(line) for line in shown):
        return output[-3000:]
    return "\n".join(shown)
