"""plugins/filter/apt_policy.py: which engine version a host runs or would install."""

import pytest
from ansible_collections.django_deploy.stack.plugins.filter import apt_policy


def policy(installed: str, candidate: str) -> str:
    return (
        "docker.io:\n"
        f"  Installed: {installed}\n"
        f"  Candidate: {candidate}\n"
        "  Version table:\n"
        f"     {candidate} 500\n"
        "        500 http://archive.invalid/ubuntu xenial/universe amd64 Packages\n"
    )


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        # Ubuntu 16.04 whose sources lack -updates: the release pocket's engine.
        (
            policy("(none)", "1.10.3-0ubuntu6"),
            {"installed": False, "version": "1.10.3-0ubuntu6", "upstream": "1.10.3"},
        ),
        # ... and with -updates.
        (
            policy("(none)", "18.09.7-0ubuntu1~16.04.7"),
            {"installed": False, "version": "18.09.7-0ubuntu1~16.04.7", "upstream": "18.09.7"},
        ),
        # The installed engine counts, not a newer candidate.
        (
            policy("20.10.5+dfsg1-1+deb11u2", "20.10.24+dfsg1-1+b3"),
            {"installed": True, "version": "20.10.5+dfsg1-1+deb11u2", "upstream": "20.10.5"},
        ),
        # Docker's repository: an epoch.
        (
            policy("(none)", "5:27.3.1-1~debian.12~bookworm"),
            {"installed": False, "version": "5:27.3.1-1~debian.12~bookworm", "upstream": "27.3.1"},
        ),
        # A package apt does not know: no output at all.
        ("", {"installed": False, "version": "", "upstream": "0"}),
        (policy("(none)", "(none)"), {"installed": False, "version": "", "upstream": "0"}),
    ],
)
def test_version_read_from_the_policy(output, expected):
    assert apt_policy.apt_policy_version(output) == expected


@pytest.mark.parametrize(
    ("upstream", "supported"),
    [("1.10.3", False), ("17.03.2", False), ("18.09.7", True), ("20.10.5", True), ("0", False)],
)
def test_minimum_version_comparison_as_the_role_makes_it(upstream, supported):
    """The role compares with Ansible's version test (loose): 18.09 is the oldest supported."""
    from ansible.plugins.test.core import version_compare

    assert version_compare(upstream, "18.09", ">=") is supported
