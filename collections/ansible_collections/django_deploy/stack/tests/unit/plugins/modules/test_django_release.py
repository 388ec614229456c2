"""plugins/modules/django_release.py, as django_web's switch runs it once the new release passed its
health check: the record, the restart policy, the live socket link, live_since and the current
links, then the earlier containers drained, stopped and removed, the new one renamed to the live
name, and a deploy's pruning last.

The docker CLI, nsenter and ss are a fake (a run function); the clock moves only when the module
sleeps; release directories and links are real, in tmp_path."""

import json
import os

import pytest
from ansible_collections.django_deploy.stack.plugins.module_utils.docker_cli import DockerError
from ansible_collections.django_deploy.stack.plugins.modules.django_release import (
    ReleaseError,
    Switch,
)

PROJECT = "blog"
LIVE_NAME = "blog-web"
NEW = "blog-web-r2"
RECORD = {"id": "r2", "image": "blog/web:t2", "code_version": "abc123", "env": {"DEBUG": "0"}}


class FakeHost:
    def __init__(self, root):
        self.root = root
        self.releases = root / "releases"
        self.sockets = root / "run/web"
        self.code = root / "code"
        self.sockets.mkdir(parents=True)
        for release in ("r1", "r2"):
            (self.releases / release / "code").mkdir(parents=True)
        (self.releases / "r1/release.json").write_text('{"id": "r1"}\n')
        (self.releases / "r1/live_since").write_text("2024-01-01T00:00:00Z\n")
        (self.sockets / "live.sock").symlink_to("web-r1.sock")
        (self.releases / "current").symlink_to("r1")
        self.code.symlink_to(self.releases / "r1/code")
        self.labelled = [NEW, LIVE_NAME]  # what docker ps lists
        self.containers = {LIVE_NAME: 4242, NEW: 4343}  # name -> main pid
        self.queues = {}  # pid -> accept queue at each ss call, the last one repeating
        self.old_ss = False
        self.failing = set()
        self.tools = {"nsenter": "/usr/bin/nsenter", "ss": "/usr/bin/ss"}
        self.commands = []
        self.events = []  # what changed, in order: docker steps and the live link's target
        self.chowned = {}
        self.now = 1_700_000_000.0
        self.prune_output = "removed release r0\n"

    def live_target(self):
        return os.readlink(self.sockets / "live.sock")

    def run(self, argv, data=None, environ_update=None):
        self.commands.append(list(argv))
        tool = os.path.basename(argv[0])
        if tool == "nsenter":
            return self.ss(int(argv[2]))
        if tool == "prune-releases.sh":
            self.events.append("prune")
            if "prune" in self.failing:
                return 1, "", "cannot prune"
            return 0, self.prune_output, ""
        assert tool == "docker", argv
        verb = argv[1]
        if verb in self.failing:
            return 1, "", "Error response from daemon: cannot %s %s: busy" % (verb, argv[-1])
        if verb == "ps":
            assert argv[-2:] == ["--format", "{{.Names}}"]
            assert "label=django-deploy.project=blog" in argv
            return 0, "".join(name + "\n" for name in self.labelled), ""
        if argv[1:3] == ["container", "inspect"]:
            pid = self.containers.get(argv[3])
            if pid is None:
                return 1, "[]", "Error: No such container: " + argv[3]
            return 0, json.dumps([{"Id": "0123", "State": {"Running": True, "Pid": pid}}]), ""
        self.events.append(" ".join([verb, *argv[2:]]) + " | live=" + self.live_target())
        if verb in ("stop", "rm"):
            for name in argv[2:]:
                if name in self.containers and verb == "rm":
                    del self.containers[name]
        if verb == "rename":
            self.containers[argv[3]] = self.containers.pop(argv[2])
        return 0, "", ""

    def ss(self, pid):
        queues = self.queues.get(pid, [0])
        calls = sum(1 for c in self.commands if c[0].endswith("nsenter") and c[2] == str(pid))
        queue = queues[min(calls, len(queues)) - 1]
        if queue == "fail":
            return 1, "", "nsenter: cannot open /proc/%d/ns/net: Permission denied" % pid
        netid = "" if self.old_ss else "u_str "
        lines = ["Netid " if netid else ""]
        lines[0] += "State  Recv-Q Send-Q Local Address:Port  Peer Address:Port"
        lines.append("%sLISTEN %s 100 /run/uwsgi/web.sock 40%d * 0" % (netid, queue, pid))
        lines.append("%sLISTEN 0 100 /run/uwsgi/stats.sock 41%d * 0" % (netid, pid))
        lines.append("%sESTAB 7 0 /run/uwsgi/web.sock 42%d * 43%d" % (netid, pid, pid))
        return 0, "\n".join(lines) + "\n", ""

    def sleep(self, seconds):
        self.events.append("sleep %s" % seconds)
        self.now += seconds

    def lchown(self, path, uid, gid):
        self.chowned[os.path.basename(path)] = (uid, gid)

    def go_live(self, record=RECORD, drain=2, prune=False):
        params = {
            "project": PROJECT,
            "releases_dir": str(self.releases),
            "release": "r2",
            "container": NEW,
            "live_name": LIVE_NAME,
            "socket_dir": str(self.sockets),
            "live_socket": "live.sock",
            "socket_owner": "1000:101",
            "code_link": str(self.code),
            "record": record,
            "drain_seconds": drain,
            "stop_seconds": 35,
            "prune_command": ["/srv/blog/bin/prune-releases.sh", "blog"] if prune else [],
        }
        switch = Switch(
            self.run,
            params,
            which=self.tools.get,
            clock=lambda: self.now,
            sleep=self.sleep,
            lchown=self.lchown,
        )
        return switch.go_live()

    def steps(self):
        return [event.split(" | ")[0] for event in self.events if not event.startswith("sleep")]

    def sleeps(self):
        return [event for event in self.events if event.startswith("sleep")]


@pytest.fixture
def host(tmp_path):
    return FakeHost(tmp_path)


def test_a_deploy_switch_writes_the_record_and_moves_every_link_to_the_new_release(host):
    result = host.go_live()

    assert result["changed"] is True
    assert json.loads((host.releases / "r2/release.json").read_text()) == RECORD
    assert (host.releases / "r2/release.json").stat().st_mode & 0o777 == 0o644
    assert host.live_target() == "web-r2.sock"
    assert host.chowned["live.sock.new"] == (1000, 101)
    assert (host.releases / "r2/live_since").read_text() == "2023-11-14T22:13:20Z\n"
    assert os.readlink(host.releases / "current") == "r2"
    assert os.readlink(host.code) == str(host.releases / "r2/code")
    assert not list(host.releases.glob("**/*.new")) and not list(host.sockets.glob("*.new"))


def test_traffic_moves_by_renaming_a_new_link_over_the_live_socket_before_anything_stops(host):
    host.go_live()

    # The restart policy first, then the link: every stop sees the new release live.
    assert host.events[0] == "update --restart unless-stopped blog-web-r2 | live=web-r1.sock"
    stops = [event for event in host.events if event.startswith(("stop", "rm"))]
    assert stops and all(event.endswith("live=web-r2.sock") for event in stops)


def test_the_earlier_containers_are_stopped_removed_and_the_new_one_takes_the_live_name(host):
    host.labelled = [NEW, LIVE_NAME, "blog-web-r0"]
    host.containers["blog-web-r0"] = 4141

    result = host.go_live()

    assert host.steps() == [
        "update --restart unless-stopped blog-web-r2",
        "stop --time 35 blog-web blog-web-r0",
        "rm blog-web blog-web-r0",
        "rename blog-web-r2 blog-web",
    ]
    assert result["retired"] == ["blog-web", "blog-web-r0"]
    assert list(host.containers) == [LIVE_NAME]
    assert host.containers[LIVE_NAME] == 4343


def test_a_container_made_before_releases_had_labels_goes_by_its_live_name(host):
    host.labelled = [NEW]

    host.go_live()

    assert "stop --time 35 blog-web" in host.steps()


def test_the_first_release_stops_nothing_and_takes_the_live_name(host):
    host.labelled = [NEW]
    del host.containers[LIVE_NAME]

    result = host.go_live()

    assert host.steps() == [
        "update --restart unless-stopped blog-web-r2",
        "rename blog-web-r2 blog-web",
    ]
    assert result["retired"] == [] and host.sleeps() == []


def test_a_rollback_keeps_the_record_its_release_has(host):
    (host.releases / "r2/release.json").write_text('{"id": "r2", "kept": true}\n')

    host.go_live(record={})

    assert (host.releases / "r2/release.json").read_text() == '{"id": "r2", "kept": true}\n'
    assert host.live_target() == "web-r2.sock"


def test_a_code_directory_from_before_releases_moves_aside(host):
    host.code.unlink()
    host.code.mkdir()
    (host.code / "manage.py").write_text("# the old code\n")

    host.go_live()

    assert (host.releases / "before-releases/manage.py").read_text() == "# the old code\n"
    assert os.readlink(host.code) == str(host.releases / "r2/code")


def test_without_nsenter_and_ss_the_earlier_containers_get_the_whole_drain_time(host):
    host.tools = {}

    result = host.go_live(drain=3)

    assert host.sleeps() == ["sleep 3"]
    assert result["drained"] == "waited"


def test_the_drain_ends_once_no_container_has_a_connection_queued(host):
    host.queues = {4242: [3, 1, 0]}

    result = host.go_live(drain=5)

    assert result["drained"] == "empty"
    assert host.sleeps() == ["sleep 0.25"] * 3
    nsenter = [c for c in host.commands if c[0].endswith("nsenter")]
    assert nsenter[0] == ["/usr/bin/nsenter", "--target", "4242", "--net", "/usr/bin/ss", "-xln"]


def test_old_ss_output_without_the_netid_column_is_read_too(host):
    host.old_ss = True
    host.queues = {4242: [2, 0]}

    assert host.go_live()["drained"] == "empty"
    assert len(host.sleeps()) == 2


def test_the_drain_gives_up_after_the_drain_time(host):
    host.queues = {4242: [5]}

    result = host.go_live(drain=2)

    assert result["drained"] == "timeout"
    assert host.sleeps() == ["sleep 0.25"] * 8
    assert "stop --time 35 blog-web" in host.steps()


def test_a_queue_that_cannot_be_read_waits_out_the_drain_time(host):
    host.queues = {4242: [4, "fail"]}

    result = host.go_live(drain=2)

    assert result["drained"] == "waited"
    assert host.sleeps() == ["sleep 0.25", "sleep 0.25", "sleep 1.5"]


def test_a_new_container_that_cannot_be_updated_leaves_the_live_release_serving(host):
    host.failing = {"update"}

    with pytest.raises(DockerError, match="docker update --restart unless-stopped blog-web-r2"):
        host.go_live()
    assert host.live_target() == "web-r1.sock"
    assert os.readlink(host.releases / "current") == "r1"
    assert host.steps() == []


def test_a_failed_stop_fails_the_switch_before_the_rename(host):
    host.failing = {"stop"}

    with pytest.raises(DockerError, match="docker stop --time 35 blog-web failed: .*busy"):
        host.go_live()
    assert not any(command[1:2] == ["rename"] for command in host.commands)


def test_a_new_container_that_cannot_take_the_live_name_fails_the_switch(host):
    host.failing = {"rename"}

    with pytest.raises(DockerError, match="docker rename blog-web-r2 blog-web failed"):
        host.go_live()


def test_a_deploy_prunes_after_the_switch_in_the_same_run(host):
    result = host.go_live(prune=True)

    assert host.steps()[-2:] == ["rename blog-web-r2 blog-web", "prune"]
    assert result["prune_output"] == "removed release r0\n"


def test_a_failed_pruning_says_the_release_is_live(host):
    host.failing = {"prune"}

    with pytest.raises(ReleaseError, match="release r2 is live, but prune-releases.sh failed"):
        host.go_live(prune=True)
    assert host.live_target() == "web-r2.sock"
