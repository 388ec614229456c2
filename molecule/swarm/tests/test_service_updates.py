"""The collection's swarm_service module on the scenario's Swarm: a rolling update that drops no
request of a client that resolves the service's tasks by DNS as nginx does, a broken update
rolled back with its task's error, and scaling out and back."""

import json
import re
import time

from conftest import MANAGER, NETWORK, PROBE_IMAGE, on, registry_address, run_scenario_playbook

SERVICE = "verify_rolling"
# A release whose process dies after printing a line with the secret in it.
BROKEN = ["sh", "-c", "echo 'starting with key not-a-real-key-123'; sleep 2; exit 3"]
# Until stopped: every 50 ms, resolve tasks.<service> (each task's address) and ask them in turn,
# moving to the next address when one refuses, as nginx's resolver and upstream retries do.
# Prints one JSON line: requests, failures (no address answered) and the versions that answered.
CLIENT = (
    "my ($stop, $requests, $failures, %seen) = (0, 0, 0); $SIG{TERM} = sub { $stop = 1 }; "
    "until ($stop) { "
    "my (undef, undef, undef, undef, @addresses) = gethostbyname($ARGV[0]); "
    "my $answer; for my $address (map { inet_ntoa($_) } @addresses) { "
    "my $peer = IO::Socket::INET->new(PeerAddr => $address, PeerPort => 8000, Timeout => 1) "
    "or next; $answer = <$peer>; last if defined $answer } "
    "$requests++; if (defined $answer) { $seen{(split ' ', $answer)[0]}++ } else { $failures++ } "
    "select(undef, undef, undef, 0.05) } "
    'print "{\\"requests\\": $requests, \\"failures\\": $failures, \\"versions\\": {", '
    'join(", ", map { "\\"$_\\": $seen{$_}" } sort keys %seen), "}}\\n"'
)


def bring(version: str, command=None, replicas: int = 2, check: bool = True):
    """Build the echo image of this VERSION, push it and roll the service out to it by digest."""
    extra = {
        "echo_name": SERVICE,
        "echo_network": NETWORK,
        "echo_registry": registry_address(),
        "echo_version": version,
        "echo_command": command or [],
        "echo_replicas": replicas,
        "echo_secret": "not-a-real-key-123",
    }
    return run_scenario_playbook(
        "molecule/swarm/tests/echo_service.yml", "-e", json.dumps(extra), check=check
    )


def service_image() -> str:
    return on(
        MANAGER, "docker", "service", "inspect", SERVICE,
        "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
    ).stdout.strip()  # fmt: skip


def running_tasks() -> list[str]:
    """Node and state of each task the service wants running."""
    return on(
        MANAGER, "docker", "service", "ps", SERVICE, "--filter", "desired-state=running",
        "--format", "{{.Node}} {{.CurrentState}}",
    ).stdout.splitlines()  # fmt: skip


def test_updates_roll_without_a_dropped_request_and_a_broken_one_rolls_back():
    bring("1")
    first = service_image()
    assert first.startswith(f"{registry_address()}/verify/echo@sha256:"), first
    loop = on(
        MANAGER, "docker", "run", "--detach", "--network", NETWORK, PROBE_IMAGE,
        "perl", "-MSocket", "-MIO::Socket::INET", "-e", CLIENT, f"tasks.{SERVICE}",
    ).stdout.strip()  # fmt: skip
    try:
        time.sleep(3)
        bring("2")
        second = service_image()
        assert second != first and second.startswith(f"{registry_address()}/verify/echo@sha256:")
        assert "changed=0" in bring("2").stdout

        broken = bring("3", command=BROKEN, check=False)
        assert broken.returncode != 0
        assert "failed and Swarm rolled it back" in broken.stdout
        assert "exit status 3" in broken.stdout
        assert "starting with key <echo_secret>" in broken.stdout
        assert "not-a-real-key-123" not in broken.stdout

        assert service_image() == second
        bring("2", replicas=4)
        assert len(running_tasks()) == 4
        bring("2", replicas=2)
        assert len(running_tasks()) == 2
        time.sleep(2)
    finally:
        on(MANAGER, "docker", "stop", loop)
        summary = on(MANAGER, "docker", "logs", loop).stdout
        on(MANAGER, "docker", "rm", loop)
        on(MANAGER, "docker", "service", "rm", SERVICE, check=False)
    result = json.loads(re.search(r"\{.*\}", summary).group(0))
    assert result["requests"] > 200, result
    assert result["failures"] == 0, result
    assert set(result["versions"]) == {"1", "2"}, result
