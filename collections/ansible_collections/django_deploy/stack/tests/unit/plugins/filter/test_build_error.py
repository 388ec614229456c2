"""plugins/filter/build_error.py: a failed build shown as its failed step and that step's end."""

from ansible_collections.django_deploy.stack.plugins.filter.build_error import build_error

LOGS = [
    "Step 1/3 : FROM debian:trixie-slim AS build",
    "",
    " ---> df519ac256c9",
    "Step 2/3 : COPY project/ /tmp/project/",
    "",
    " ---> Using cache",
    "Step 3/3 : RUN /opt/venv/bin/pip install     -r /tmp/project/requirements.txt",
    "",
    " ---> Running in f879665c8955",
    "Collecting Django (from -r /tmp/project/requirements.txt (line 1))",
    "     \u2501\u2501\u2501\u2501\u2501\u2501 8.4/8.4 MB 533.0 MB/s eta 0:00:00",
    "\x1b[91mERROR: No matching distribution found for no-such-package==1.0\n\x1b[0m",
    " ---> Removed intermediate container f879665c8955",
]
MESSAGE = (
    "Error building mysite/web-build - code: 1, message: The command '/bin/sh -c pip install'"
    f" returned a non-zero code: 1, logs: {LOGS!r}"
)


def test_the_failed_step_and_its_own_output_are_kept():
    shown = build_error(MESSAGE)
    assert shown.startswith(
        "The image build failed at step 3/3 (RUN /opt/venv/bin/pip install -r "
        "/tmp/project/requirements.txt), exit status 1."
    )
    lines = shown.splitlines()[1:]
    assert lines == [
        "Collecting Django (from -r /tmp/project/requirements.txt (line 1))",
        "ERROR: No matching distribution found for no-such-package==1.0",
    ]


def test_only_the_last_lines_are_kept():
    logs = ["Step 1/1 : RUN make"] + [f"line {n}" for n in range(100)]
    shown = build_error(f"Error building x - code: 2, message: m, logs: {logs!r}", tail=3)
    assert shown.splitlines()[1:] == ["line 97", "line 98", "line 99"]
    assert "exit status 2" in shown


def test_a_message_without_a_build_log_is_its_end():
    assert build_error("Error pulling debian: connection refused") == (
        "Error pulling debian: connection refused"
    )
    assert build_error("x" * 5000) == "x" * 2000
    assert build_error(None) == ""
