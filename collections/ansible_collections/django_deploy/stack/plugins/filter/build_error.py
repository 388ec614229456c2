"""Filter build_error: what a user needs from a failed image build, in a few lines.

    result.msg | django_deploy.stack.build_error(tail=20)

community.docker's docker_image fails with one string: "Error building <name> - code: <n>,
message: <the failed command>, logs: [<every line of every step>]". This keeps the step that
failed and the end of its own output (pip's resolver error, a compiler's last lines), without
the terminal colours, progress bars and the steps that came from the cache. Its documentation:
build_error.yml.
"""

import ast
import re

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_STEP = re.compile(r"^Step (\d+/\d+) : (.*)$", re.S)
# Lines about the build itself, not the step's output.
_BUILDER = re.compile(r"^ ---> |^Removing intermediate container|^\s*[━╸]+")


def _log_lines(message: str) -> list[str] | None:
    start = message.find(", logs: [")
    if start < 0:
        return None
    try:
        logs = ast.literal_eval(message[start + len(", logs: ") :])
    except (ValueError, SyntaxError):
        return None
    return [str(entry) for entry in logs] if isinstance(logs, list) else None


def build_error(message: str, tail: int = 20) -> str:
    """The failed step and the last `tail` lines of its output; the message's end when it has no
    build log."""
    message = _ANSI.sub("", str(message or ""))
    logs = _log_lines(message)
    if not logs:
        return message[-2000:].strip()
    step, output = "", []
    for entry in logs:
        for line in _ANSI.sub("", entry).splitlines():
            found = _STEP.match(line)
            if found:
                step, output = f"step {found.group(1)} ({' '.join(found.group(2).split())})", []
            elif line.strip() and not _BUILDER.match(line):
                output.append(line.rstrip())
    code = re.search(r" - code: (\S+?),", message)
    status = f", exit status {code.group(1)}" if code else ""
    shown = "\n".join(output[-tail:]) or "(no output)"
    where = step or "its first step"
    return f"The image build failed at {where}{status}. The end of its output:\n{shown}"


class FilterModule:
    def filters(self):
        return {"build_error": build_error}
