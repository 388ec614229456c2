"""failures(): an assertion's message shows the failed tasks, not the profile at the end."""

from playbook import failures

RUN = """
TASK [django_web : Start the new release beside the live one, abc] *************
changed: [host]

TASK [django_web : Wait until the new release answers its health check, abc] ***
fatal: [host]: FAILED! =>
    changed: false
    msg: the container is not running

TASK [django_web : Report why the new release did not become healthy, abc] *****
fatal: [host]: FAILED! =>
    changed: false
    msg: The new release of blog_web is not healthy
...ignoring

PLAY RECAP *********************************************************************
host                       : ok=50   changed=3    unreachable=0    failed=1    skipped=9

Thursday 03 December 2026  22:25:45 +0000 (0:00:00.017)       0:01:00.017 *****
===============================================================================
django_web : Wait until the new release answers its health check ------- 31.00s
"""


def test_failures_shows_each_failed_task_with_its_result_and_the_recap():
    shown = failures(RUN)
    assert "Wait until the new release answers its health check, abc] ***" in shown
    assert "msg: the container is not running" in shown
    assert "msg: The new release of blog_web is not healthy" in shown
    assert "failed=1" in shown
    assert "31.00s" not in shown
    assert "changed: [host]" not in shown


def test_failures_of_a_run_without_a_failed_task_is_its_tail():
    run = "PLAY RECAP ***\nhost : ok=3 changed=0 failed=0\n" + "x" * 5000
    assert failures(run) == run[-3000:]
