"""plugins/modules/systemd_calendar.py: the host's systemd has the last word on a calendar event,
and a host whose systemd cannot tell leaves the word to the controller's filter."""

import shutil

import pytest
from ansible_collections.django_deploy.stack.plugins.modules import systemd_calendar as module_code


class Failed(Exception):
    pass


class FakeModule:
    """AnsibleModule as the module uses it, with systemd-analyze's answer made up."""

    def __init__(self, rc=0, out="", err="", path="/usr/bin/systemd-analyze"):
        self.answer = (rc, out, err)
        self.path = path
        self.commands = []

    def get_bin_path(self, _name):
        return self.path

    def run_command(self, argv):
        self.commands.append(argv)
        return self.answer

    def fail_json(self, msg):
        raise Failed(msg)


def test_accepted_value_is_checked_with_its_next_elapse():
    out = (
        "  Original form: daily\n"
        "Normalized form: *-*-* 00:00:00\n"
        "    Next elapse: Sun 2026-12-06 00:00:00 UTC\n"
    )
    module = FakeModule(out=out)
    result = module_code.check(module, "daily", "site_backup_schedule")
    assert result == {
        "changed": False,
        "checked": True,
        "next_elapse": "Sun 2026-12-06 00:00:00 UTC",
    }
    assert module.commands == [["/usr/bin/systemd-analyze", "calendar", "--", "daily"]]


def test_refused_value_fails_naming_the_setting_and_systemds_reason():
    module = FakeModule(
        rc=1, err="Failed to parse calendar specification 'every day': Invalid argument\n"
    )
    with pytest.raises(Failed) as failed:
        module_code.check(module, "every day", "site_backup_schedule")
    message = str(failed.value)
    assert message.startswith('site_backup_schedule: "every day" is not a calendar event')
    assert "Invalid argument" in message and "man systemd.time" in message


@pytest.mark.parametrize(
    "answer",
    [
        {"rc": 1, "err": "Unknown operation calendar\n"},  # systemd 229 (Ubuntu 16.04)
        {"rc": 1, "err": "Unknown command verb calendar.\n"},
        {"path": None},  # no systemd-analyze at all
    ],
)
def test_host_without_the_calendar_verb_is_not_checked(answer):
    result = module_code.check(FakeModule(**answer), "daily", "site_backup_schedule")
    assert result["checked"] is False and result["changed"] is False


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_real_systemd_analyze_refuses_what_the_issue_reported():
    """The value of the report, against this machine's own systemd-analyze."""

    class RealModule(FakeModule):
        def run_command(self, argv):
            import subprocess

            done = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
            return done.returncode, done.stdout, done.stderr

    real = RealModule(path=shutil.which("systemd-analyze"))
    assert module_code.check(real, "*-*-* 03:15:00", "site_backup_schedule")["checked"] is True
    with pytest.raises(Failed):
        module_code.check(real, "every day", "site_backup_schedule")
