"""A host for the roles' shell scripts: a bin directory that is the scripts' whole PATH, holding
fakes of the tools a test stands in for (docker, the MariaDB client and server, ...) and logged
wrappers of the real tools a script may use. Every call of either is logged with its arguments
(and, for a fake that reads it, its stdin), so a test can say which commands ran in which order
and that a secret never was a process argument."""

import contextlib
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

BASH = shutil.which("bash") or "/bin/bash"

# Sourced by every fake: log_call ARGS... logs a call, log_call_stdin TEXT ARGS... one that read
# TEXT from its stdin. A call is a record (\x1e) of fields (\x1f): the tool's name, then its
# arguments; a name followed by \x1d and text carries the stdin. Each record is one write to the
# log, appended: the tools of a pipeline run at once.
PRELUDE = r"""
log_record() {
    local head=$1 args
    shift
    printf -v args '\x1f%s' "$@"
    (($# > 0)) || args=""
    printf '%s%s\x1e' "$head" "$args" >>"$CALLS_LOG"
}
log_call() {
    log_record "${0##*/}" "$@"
}
log_call_stdin() {
    local stdin=$1
    shift
    log_record "${0##*/}"$'\x1d'"$stdin" "$@"
}
# A database client's call: SQL comes from --execute, else from stdin, which is logged too and
# left in $stdin for the fake.
log_client_call() {
    local arg
    stdin=""
    for arg in "$@"; do
        [[ $arg == --execute=* ]] && { log_call "$@"; return; }
    done
    stdin=$(</dev/stdin)
    log_call_stdin "$stdin" "$@"
}
"""


@dataclass
class Call:
    tool: str
    args: list[str]
    stdin: str | None

    @property
    def line(self) -> str:
        return " ".join([self.tool, *self.args])


class HostBin:
    """The PATH of a script under test, and the log of the calls made through it."""

    def __init__(self, root: Path):
        self.root = root
        self.dir = root / "bin"
        self.dir.mkdir()
        self.log = root / "calls.log"
        (self.dir / "bash").symlink_to(BASH)

    def fake(self, name: str, body: str) -> None:
        """A bash script NAME whose body may call log_call and log_call_stdin."""
        path = self.dir / name
        path.write_text(f"#!{BASH}\n{PRELUDE}\n{body}")
        path.chmod(0o755)

    def real(self, *names: str) -> None:
        """Logged wrappers of real tools."""
        for name in names:
            found = shutil.which(name)
            if found is None:
                pytest.skip(f"no {name} on this host")
            self.fake(name, f'log_call "$@"\nexec {found} "$@"\n')

    def calls(self, *tools: str) -> list[Call]:
        if not self.log.exists():
            return []
        result = []
        for record in self.log.read_text().split("\x1e")[:-1]:
            head, *args = record.split("\x1f")
            tool, _, stdin = head.partition("\x1d")
            if not tools or tool in tools:
                result.append(Call(tool, args, stdin if _ else None))
        return result

    def lines(self, *tools: str) -> list[str]:
        return [call.line for call in self.calls(*tools)]

    def arguments(self) -> str:
        """Every argument of every logged call, for checks that a secret never was one."""
        return "\n".join(call.line for call in self.calls())

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "PATH": str(self.dir),
            "CALLS_LOG": str(self.log),
            "LC_ALL": "C",
            "HOME": str(self.root),
            **extra,
        }

    def run(
        self, script: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [BASH, str(script), *args],
            input=stdin,
            env=self.env(**(env or {})),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            cwd=self.root,
        )


@pytest.fixture
def host_bin(tmp_path: Path):
    host = HostBin(tmp_path)
    yield host
    # A fake server a script left running when it died (pids the fakes wrote there).
    for pid_file in tmp_path.glob("*.pid"):
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
