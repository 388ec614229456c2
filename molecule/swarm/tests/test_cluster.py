"""Swarm mode's cluster: the hosts form one Swarm with their roles as node labels, the engines are
set up for it, and the stack's overlay network carries traffic between hosts (checked with a
service on the web nodes answered from the manager, as web tasks will be by nginx)."""

import contextlib
import ipaddress
import json
import re
import time

import pytest
from conftest import (
    HOSTS,
    MANAGER,
    NETWORK,
    PLATFORMS,
    PROBE_IMAGE,
    PROJECT,
    SETTINGS,
    docker_json,
    on,
    registry_address,
    run_swarm_playbook,
)

# Answers each connection on port 8000 with the name of the node its task runs on.
ECHO_SERVER = (
    'open my $f, "/etc/hostname"; my $name = <$f>; '
    "my $server = IO::Socket::INET->new(LocalPort => 8000, Listen => 16, ReuseAddr => 1) "
    "or die $!; "
    "while (my $client = $server->accept) { print $client $name; close $client }"
)
# Resolves tasks.<service> (every task's address: DNS round robin) and asks each address its name.
ECHO_CLIENT = (
    "my (undef, undef, undef, undef, @addresses) = gethostbyname($ARGV[0]); "
    "for my $address (map { inet_ntoa($_) } @addresses) { "
    "my $peer = IO::Socket::INET->new(PeerAddr => $address, PeerPort => 8000, Timeout => 5); "
    'print $address, " ", ($peer ? scalar(<$peer>) : "unreachable\\n") }'
)


@contextlib.contextmanager
def echo_service(name: str, network: str):
    """A global dnsrr service on the web nodes, removed afterwards."""
    on(
        MANAGER, "docker", "service", "create", "--detach", "--quiet", "--name", name,
        "--mode", "global",
        "--endpoint-mode", "dnsrr", "--network", network, "--constraint", "node.labels.web==true",
        "--hostname", "{{.Node.Hostname}}",
        PROBE_IMAGE, "perl", "-MIO::Socket::INET", "-e", ECHO_SERVER,
    )  # fmt: skip
    try:
        yield
    finally:
        on(MANAGER, "docker", "service", "rm", name, check=False)


def answers_from(network: str, service: str, wanted: int, timeout: float = 60) -> dict[str, str]:
    """Address -> node name (or "unreachable") of each task of the service, asked from a one-off
    container on the manager attached to the network; waits until DNS lists `wanted` tasks and
    each answers (a task just started on another node is reachable once the nodes' gossip has
    told the manager where it is: seconds on a busy machine)."""
    deadline = time.monotonic() + timeout
    while True:
        output = on(
            MANAGER, "docker", "run", "--rm", "--network", network, PROBE_IMAGE,
            "perl", "-MSocket", "-MIO::Socket::INET", "-e", ECHO_CLIENT, f"tasks.{service}",
            check=False,
        ).stdout  # fmt: skip
        found = dict(line.split(" ", 1) for line in output.splitlines() if " " in line)
        answered = len(found) >= wanted and "unreachable" not in {n.strip() for n in found.values()}
        if answered or time.monotonic() > deadline:
            return {address: name.strip() for address, name in found.items()}
        time.sleep(2)


def expected_labels(platform: dict) -> dict[str, str]:
    return {role: "true" for role in ("web", "db", "edge") if f"swarm_{role}" in platform["groups"]}


def test_hosts_form_one_swarm_labelled_for_their_roles():
    nodes = {node["Hostname"]: node for node in docker_json(MANAGER, "node", "ls")}
    assert sorted(nodes) == sorted(HOSTS)
    assert all(
        node["Status"] == "Ready" and node["Availability"] == "Active" for node in nodes.values()
    )
    for platform in PLATFORMS:
        [spec] = docker_json(MANAGER, "node", "inspect", platform["name"])
        manager = "swarm_managers" in platform["groups"]
        assert spec["Spec"]["Role"] == ("manager" if manager else "worker"), platform["name"]
        assert spec["Spec"].get("Labels", {}) == expected_labels(platform), platform["name"]
    assert nodes[MANAGER]["ManagerStatus"] == "Leader"


@pytest.mark.parametrize("host", HOSTS)
def test_engines_run_without_live_restore_and_have_the_docker_sdk(host):
    assert (
        on(host, "docker", "info", "--format", "{{json .LiveRestoreEnabled}}").stdout.strip()
        == "false"
    )
    on(host, "python3", "-c", "import docker")


def test_overlay_network_carries_traffic_between_hosts():
    [network] = docker_json(MANAGER, "network", "inspect", NETWORK)
    assert network["Driver"] == "overlay" and network["Scope"] == "swarm" and network["Attachable"]
    subnet = ipaddress.ip_network(network["IPAM"]["Config"][0]["Subnet"])
    assert subnet.subnet_of(ipaddress.ip_network(SETTINGS["swarm_cluster_default_addr_pool"][0]))
    web_nodes = sorted(p["name"] for p in PLATFORMS if "swarm_web" in p["groups"])
    with echo_service("verify_echo", NETWORK):
        answers = answers_from(NETWORK, "verify_echo", len(web_nodes))
    assert sorted(answers.values()) == web_nodes, answers
    assert all(ipaddress.ip_address(address) in subnet for address in answers)


def test_registry_serves_every_node_by_digest_over_tls_it_verifies():
    """An image pushed on the manager, as the stack's images will be, is pulled by digest on the
    other nodes; the registry listens on the manager's Swarm address only, and its certificate is
    checked against the deploy's CA (a node without that CA is refused)."""
    registry = registry_address()
    image = f"{registry}/{PROJECT}/probe:verify"
    on(MANAGER, "docker", "tag", PROBE_IMAGE, image)
    pushed = on(MANAGER, "docker", "push", image).stdout
    digest = re.search(r"digest: (sha256:[0-9a-f]{64})", pushed).group(1)
    for host in HOSTS:
        if host != MANAGER:
            on(host, "docker", "pull", f"{registry}/{PROJECT}/probe@{digest}")
    assert on(MANAGER, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/5000", check=False).rc != 0
    trusted = f"/etc/docker/certs.d/{registry}/ca.crt"
    # The engine reads the *.crt files there only.
    on(HOSTS[-1], "mv", trusted, f"{trusted}.away")
    try:
        refused = on(HOSTS[-1], "docker", "pull", image, check=False)
    finally:
        on(HOSTS[-1], "mv", f"{trusted}.away", trusted)
    assert refused.rc != 0 and "certificate signed by unknown authority" in refused.stderr


def test_encryption_is_refused_exactly_where_the_kernel_cannot_carry_it():
    """An encrypted overlay network made by hand shows whether these kernels carry encrypted
    traffic between hosts; the role must accept swarm_cluster_encrypt: true exactly then, and
    otherwise refuse it before making its network."""
    probe, wanted = "verify_encrypted", "verify_encrypted_by_role"
    on(
        MANAGER,
        "docker",
        "network",
        "create",
        "--driver",
        "overlay",
        "--attachable",
        "--opt",
        "encrypted",
        probe,
    )
    try:
        with echo_service("verify_echo_encrypted", probe):
            answers = answers_from(probe, "verify_echo_encrypted", 2, timeout=30)
        carried = bool(answers) and "unreachable" not in answers.values()
        result = run_swarm_playbook(
            "-e",
            json.dumps({"swarm_cluster_encrypt": True, "swarm_cluster_network_name": wanted}),
            check=False,
        )
        made = on(MANAGER, "docker", "network", "inspect", wanted, check=False).rc == 0
        if carried:
            assert result.returncode == 0, result.stdout[-3000:]
            [network] = docker_json(MANAGER, "network", "inspect", wanted)
            assert "encrypted" in network["Options"]
        else:
            assert result.returncode != 0
            assert "cannot encrypt overlay network traffic" in result.stdout
            assert "swarm_cluster_encrypt: false" in result.stdout
            assert not made
    finally:
        on(MANAGER, "docker", "network", "rm", probe, wanted, check=False)


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        (
            {"swarm_cluster_managers": HOSTS[:2]},
            "swarm_cluster_managers (inventory group swarm_managers) names 2",
        ),
        (
            {"swarm_cluster_role_hosts": {"web": HOSTS, "db": HOSTS[1:], "edge": HOSTS[:1]}},
            "swarm_db names",
        ),
        ({"swarm_cluster_managers": ["elsewhere"]}, "elsewhere is in swarm_managers"),
        ({"swarm_cluster_advertise_address": "10.0.0"}, "swarm_cluster_advertise_address"),
    ],
    ids=["two-managers", "two-db-hosts", "manager-not-in-inventory", "bad-address"],
)
def test_bad_settings_are_refused_before_any_change(settings, named):
    before = {
        host: docker_json(MANAGER, "node", "inspect", host)[0]["Version"]["Index"] for host in HOSTS
    }
    result = run_swarm_playbook("-e", json.dumps(settings), check=False)
    assert result.returncode != 0
    assert named in result.stdout, result.stdout[-3000:]
    after = {
        host: docker_json(MANAGER, "node", "inspect", host)[0]["Version"]["Index"] for host in HOSTS
    }
    assert after == before


def test_a_host_that_changes_roles_gets_and_loses_their_labels():
    web_host = next(p["name"] for p in PLATFORMS if p["groups"] == ["django_hosts", "swarm_web"])
    roles = {
        "web": [p["name"] for p in PLATFORMS if "swarm_web" in p["groups"]],
        "db": [MANAGER],
        "edge": [web_host],
    }
    run_swarm_playbook("-e", json.dumps({"swarm_cluster_role_hosts": roles}))
    labels = {
        p["name"]: docker_json(MANAGER, "node", "inspect", p["name"])[0]["Spec"].get("Labels", {})
        for p in PLATFORMS
    }
    assert labels[web_host] == {"web": "true", "edge": "true"}
    assert labels[MANAGER] == {"db": "true"}
    run_swarm_playbook()
    for platform in PLATFORMS:
        [node] = docker_json(MANAGER, "node", "inspect", platform["name"])
        assert node["Spec"].get("Labels", {}) == expected_labels(platform), platform["name"]


def test_a_run_that_leaves_a_host_out_is_refused():
    result = run_swarm_playbook("--limit", MANAGER, check=False)
    assert result.returncode != 0
    assert "left out of this run" in result.stdout
