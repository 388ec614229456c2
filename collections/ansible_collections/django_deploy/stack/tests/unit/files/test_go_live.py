"""roles/django_web/files/go-live.sh, as tasks/switch.yml runs it on the host once the new release
passed its health check: the release's record from stdin, the restart policy, the live socket
link, live_since and the current links, then the earlier containers drained, stopped and removed,
the new one renamed to the live name, and a deploy's pruning (prune-releases.sh) after.

Docker, nsenter, ss, chown and sleep are fakes on PATH that log their calls (sleep returns at
once; chown changes nothing, so no test needs root); the other tools are the real ones, logged.
Release directories and links are real, in tmp_path."""

import json
import os
import re
from pathlib import Path

import pytest

FILES = Path(__file__).resolve().parents[3] / "roles/django_web/files"
SCRIPT = FILES / "go-live.sh"

# ps: a header, then NAMES last (FAKE_PS). container inspect: the containers of FAKE_CONTAINERS
# (name=pid), as docker prints them. update, stop, rm and rename fail when FAKE_DOCKER_FAIL names
# them. image ls lists none (prune-releases.sh).
FAKE_DOCKER = r"""
log_call "$@"
for step in ${FAKE_DOCKER_FAIL:-}; do
    if [[ $1 == "$step" ]]; then
        echo "Error response from daemon: cannot $1 ${!#}: device or resource busy" >&2
        exit 1
    fi
done
case $1 in
    ps)
        printf 'CONTAINER ID   IMAGE         COMMAND   CREATED      STATUS      PORTS   NAMES\n'
        for name in ${FAKE_PS:-}; do
            printf '0123456789ab   blog/web:t1   "uwsgi"   1 hour ago   Up 1 hour           %s\n' \
                "$name"
        done ;;
    container)
        for entry in ${FAKE_CONTAINERS:-}; do
            if [[ ${entry%%=*} == "$3" ]]; then
                printf '[\n    {\n        "Id": "0123",\n        "State": {\n'
                printf '            "Status": "running",\n            "Pid": %s,\n' "${entry#*=}"
                printf '            "ExitCode": 0\n        }\n    }\n]\n'
                exit 0
            fi
        done
        echo "Error: No such container: $3" >&2
        exit 1 ;;
    update) echo "$4" ;;
    stop | rm) shift; [[ $1 == --time ]] && shift 2; printf '%s\n' "$@" ;;
    image) [[ $2 == ls ]] && printf 'REPOSITORY   TAG   IMAGE ID   CREATED   SIZE\n' ;;
esac
exit 0
"""

# nsenter --target PID --net ss -xln: the sockets of the container whose main process is PID.
# FAKE_QUEUES_<PID>: the accept queue of its uWSGI socket at each call, the last one repeating;
# "fail" when the namespace cannot be entered. FAKE_OLD_SS=1: ss without the Netid column.
FAKE_NSENTER = r"""
log_call "$@"
pid=$2
var=FAKE_QUEUES_$pid
read -r -a queues <<<"${!var:-0}"
calls=0
[[ -f $FAKE_STATE/nsenter-$pid ]] && calls=$(<"$FAKE_STATE/nsenter-$pid")
echo $((calls + 1)) >"$FAKE_STATE/nsenter-$pid"
queue=${queues[calls]:-${queues[-1]}}
if [[ $queue == fail ]]; then
    echo "nsenter: cannot open /proc/$pid/ns/net: Permission denied" >&2
    exit 1
fi
netid="u_str "
[[ ${FAKE_OLD_SS:-0} == 1 ]] && netid=""
[[ -z $netid ]] || printf 'Netid '
printf 'State  Recv-Q Send-Q Local Address:Port  Peer Address:Port\n'
printf '%sLISTEN %s 100 /run/uwsgi/web.sock 40%s * 0\n' "$netid" "$queue" "$pid"
printf '%sLISTEN 0 100 /run/uwsgi/stats.sock 41%s * 0\n' "$netid" "$pid"
printf '%sESTAB 7 0 /run/uwsgi/web.sock 42%s * 43%s\n' "$netid" "$pid" "$pid"
"""

PROJECT, LIVE_NAME, NEW = "blog", "blog-web", "blog-web-r2"
OWNER = "1000:101"
RECORD = {"id": "r2", "image": "blog/web:t2", "code_version": "abc123", "env": {"DEBUG": "0"}}


@pytest.fixture
def host(host_bin, tmp_path):
    # go-live.sh's tools, and prune-releases.sh's.
    host_bin.real("cat", "chmod", "mv", "ln", "date", "sed", "head", "awk", "grep", "sort")
    host_bin.real("find", "cut", "rm")
    host_bin.fake("docker", FAKE_DOCKER)
    host_bin.fake("chown", 'log_call "$@"\n')
    host_bin.fake("sleep", 'log_call "$@"\n')
    state = tmp_path / "state"
    state.mkdir()
    releases = tmp_path / "releases"
    sockets = tmp_path / "run/web"
    sockets.mkdir(parents=True)
    for release in ("r1", "r2"):
        (releases / release / "code").mkdir(parents=True)
    (releases / "r1/release.json").write_text('{"id": "r1"}\n')
    (releases / "r1/live_since").write_text("2024-01-01T00:00:00Z\n")
    (sockets / "live.sock").symlink_to("web-r1.sock")
    (releases / "current").symlink_to("r1")
    code = tmp_path / "code"
    code.symlink_to(releases / "r1/code")
    return {
        "bin": host_bin,
        "state": state,
        "releases": releases,
        "sockets": sockets,
        "code": code,
    }


def with_nsenter(host: dict) -> None:
    host["bin"].fake("nsenter", FAKE_NSENTER)
    host["bin"].fake("ss", 'log_call "$@"\n')


def go_live(
    host: dict,
    record: str = json.dumps(RECORD, indent=2),
    ps: str = f"{NEW} {LIVE_NAME}",
    containers: str = f"{LIVE_NAME}=4242 {NEW}=4343",
    drain: int = 2,
    then: tuple[str, ...] = (),
    **env: str,
):
    argv = [
        PROJECT,
        str(host["releases"]),
        "r2",
        NEW,
        LIVE_NAME,
        str(host["sockets"]),
        "live.sock",
        str(host["code"]),
        OWNER,
        str(drain),
        "35",
        *then,
    ]
    fake_env = {"FAKE_PS": ps, "FAKE_CONTAINERS": containers, "FAKE_STATE": str(host["state"])}
    return host["bin"].run(SCRIPT, *argv, stdin=record, env={**fake_env, **env})


def docker_steps(host: dict) -> list[str]:
    """The docker calls that change something."""
    return [
        line
        for line in host["bin"].lines("docker")
        if line.split()[1] in ("update", "stop", "rm", "rename")
    ]


def position(lines: list[str], wanted: str) -> int:
    matching = [index for index, line in enumerate(lines) if line == wanted]
    assert len(matching) == 1, (wanted, lines)
    return matching[0]


def test_a_deploy_switch_writes_the_record_and_moves_every_link_to_the_new_release(host):
    result = go_live(host)

    assert result.returncode == 0, result.stderr
    release = host["releases"] / "r2"
    written = (release / "release.json").read_text()
    assert json.loads(written) == RECORD
    assert written.endswith("}\n")
    assert (release / "release.json").stat().st_mode & 0o777 == 0o644
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n", (release / "live_since").read_text())
    assert (release / "live_since").stat().st_mode & 0o777 == 0o644
    assert (host["sockets"] / "live.sock").readlink() == Path("web-r2.sock")
    assert (host["releases"] / "current").readlink() == Path("r2")
    assert host["code"].readlink() == release / "code"
    # The earlier release's record and directory stay (a rollback goes back to them).
    assert (host["releases"] / "r1/release.json").read_text() == '{"id": "r1"}\n'
    # No half-made file or link is left behind.
    assert list(host["bin"].root.rglob("*.new")) == []
    # The socket link belongs to the web user and nginx's group; the others to root.
    chowns = host["bin"].lines("chown")
    assert chowns == [
        f"chown -h {OWNER} {host['sockets']}/live.sock.new",
        f"chown -h root:root {host['releases']}/current.new",
        f"chown -h root:root {host['code']}.new",
    ]


def test_traffic_moves_by_renaming_a_new_link_over_the_live_socket_before_anything_stops(host):
    result = go_live(host)

    assert result.returncode == 0, result.stderr
    live = f"{host['sockets']}/live.sock"
    calls = host["bin"].lines()
    # The live link is only ever replaced by a rename, which nginx sees happen at once: it is
    # never removed, and never rewritten in place (ln -sf unlinks first).
    touching_live = [line for line in calls if live in line.split()]
    assert touching_live == [f"mv -T {live}.new {live}"]
    assert f"ln -sfn web-r2.sock {live}.new" in calls
    switched = position(calls, f"mv -T {live}.new {live}")
    assert position(calls, f"docker update --restart unless-stopped {NEW}") < switched
    assert switched < position(calls, f"docker stop --time 35 {LIVE_NAME}")


def test_the_earlier_containers_are_stopped_removed_and_the_new_one_takes_the_live_name(host):
    # blog-web-r0: left over from a killed run; blog-web-r9: listed, but gone by now.
    result = go_live(
        host,
        ps=f"{NEW} {LIVE_NAME} blog-web-r0 blog-web-r9",
        containers=f"{LIVE_NAME}=4242 {NEW}=4343 blog-web-r0=4141",
    )

    assert result.returncode == 0, result.stderr
    assert docker_steps(host) == [
        f"docker update --restart unless-stopped {NEW}",
        f"docker stop --time 35 {LIVE_NAME} blog-web-r0",
        f"docker rm {LIVE_NAME} blog-web-r0",
        f"docker rename {NEW} {LIVE_NAME}",
    ]
    # Only this project's web containers are looked for.
    (ps,) = [call.args for call in host["bin"].calls("docker") if call.args[0] == "ps"]
    assert ps == [
        "ps",
        "--all",
        "--filter",
        f"label=django-deploy.project={PROJECT}",
        "--filter",
        "label=django-deploy.service=web",
    ]
    assert result.stdout == ""


def test_a_container_made_before_releases_had_labels_goes_by_its_live_name(host):
    result = go_live(host, ps=NEW)

    assert result.returncode == 0, result.stderr
    assert f"docker stop --time 35 {LIVE_NAME}" in docker_steps(host)


def test_the_first_release_stops_nothing_and_takes_the_live_name(host):
    result = go_live(host, ps=NEW, containers=f"{NEW}=4343")

    assert result.returncode == 0, result.stderr
    assert docker_steps(host) == [
        f"docker update --restart unless-stopped {NEW}",
        f"docker rename {NEW} {LIVE_NAME}",
    ]
    assert host["bin"].lines("sleep") == []  # nothing to drain, no wait


def test_a_rollback_keeps_the_record_its_release_has(host):
    (host["releases"] / "r2/release.json").write_text('{"id": "r2", "image": "blog/web:t2"}\n')

    result = go_live(host, record="{}")

    assert result.returncode == 0, result.stderr
    assert (host["releases"] / "r2/release.json").read_text() == (
        '{"id": "r2", "image": "blog/web:t2"}\n'
    )
    assert (host["sockets"] / "live.sock").readlink() == Path("web-r2.sock")


def test_a_code_directory_from_before_releases_moves_aside(host):
    host["code"].unlink()
    host["code"].mkdir()
    (host["code"] / "manage.py").write_text("# the old layout's code\n")

    result = go_live(host)

    assert result.returncode == 0, result.stderr
    assert host["code"].is_symlink()
    assert host["code"].readlink() == host["releases"] / "r2/code"
    moved = host["releases"] / "before-releases/manage.py"
    assert moved.read_text() == "# the old layout's code\n"


def test_without_nsenter_and_ss_the_earlier_containers_get_the_whole_drain_time(host):
    result = go_live(host, drain=7)

    assert result.returncode == 0, result.stderr
    calls = host["bin"].lines("sleep", "docker")
    assert position(calls, "sleep 7") < position(calls, f"docker stop --time 35 {LIVE_NAME}")


@pytest.mark.parametrize("old_ss", ["0", "1"])
def test_the_drain_ends_once_no_container_has_a_connection_queued(host, old_ss):
    with_nsenter(host)

    result = go_live(
        host,
        ps=f"{NEW} {LIVE_NAME} blog-web-r0",
        containers=f"{LIVE_NAME}=4242 {NEW}=4343 blog-web-r0=4141",
        FAKE_QUEUES_4242="3 0",
        FAKE_QUEUES_4141="0 2 0",
        FAKE_OLD_SS=old_ss,
    )

    assert result.returncode == 0, result.stderr
    # Polled every 0.25 s until both queues were empty at once, the new container never.
    calls = host["bin"].lines("sleep", "nsenter", "docker")
    stop = position(calls, f"docker stop --time 35 {LIVE_NAME} blog-web-r0")
    assert [line for line in calls[:stop] if line.startswith("sleep")] == ["sleep 0.25"] * 3
    entered = {call.args[1] for call in host["bin"].calls("nsenter")}
    assert entered == {"4242", "4141"}
    assert host["bin"].lines("nsenter")[0] == "nsenter --target 4242 --net ss -xln"


def test_the_drain_gives_up_after_the_drain_time(host):
    with_nsenter(host)

    result = go_live(host, drain=2, FAKE_QUEUES_4242="5")

    assert result.returncode == 0, result.stderr
    assert host["bin"].lines("sleep") == ["sleep 0.25"] * 8
    assert f"docker stop --time 35 {LIVE_NAME}" in docker_steps(host)


def test_a_queue_that_cannot_be_read_waits_out_the_drain_time(host):
    with_nsenter(host)

    result = go_live(host, drain=3, FAKE_QUEUES_4242="fail")

    assert result.returncode == 0, result.stderr
    assert host["bin"].lines("sleep") == ["sleep 0.25", "sleep 2"]
    assert f"docker stop --time 35 {LIVE_NAME}" in docker_steps(host)


def test_a_new_container_that_cannot_be_updated_leaves_the_live_release_serving(host):
    result = go_live(host, FAKE_DOCKER_FAIL="update")

    assert result.returncode != 0
    assert f"cannot update {NEW}: device or resource busy" in result.stderr
    assert (host["sockets"] / "live.sock").readlink() == Path("web-r1.sock")
    assert (host["releases"] / "current").readlink() == Path("r1")
    assert not (host["releases"] / "r2/live_since").exists()
    assert docker_steps(host) == [f"docker update --restart unless-stopped {NEW}"]


def test_a_failed_stop_fails_the_switch_before_the_rename(host):
    result = go_live(host, FAKE_DOCKER_FAIL="stop")

    assert result.returncode != 0
    assert f"cannot stop {LIVE_NAME}: device or resource busy" in result.stderr
    steps = docker_steps(host)
    assert steps[-1] == f"docker stop --time 35 {LIVE_NAME}"
    assert not any(step.startswith(("docker rm", "docker rename")) for step in steps)


def test_a_new_container_that_cannot_take_the_live_name_fails_the_switch(host):
    result = go_live(host, FAKE_DOCKER_FAIL="rename")

    assert result.returncode != 0
    assert f"cannot rename {LIVE_NAME}: device or resource busy" in result.stderr


def test_a_deploy_prunes_after_the_switch_in_the_same_run(host):
    # r0: live before r1, kept by nothing once r2 is live and two releases are kept.
    (host["releases"] / "r0/code").mkdir(parents=True)
    (host["releases"] / "r0/live_since").write_text("2023-01-01T00:00:00Z\n")
    # prune-releases.sh orders by the modification time of live_since, not its text.
    for number, mtime in (("r0", 1_000), ("r1", 2_000)):
        live_since = host["releases"] / number / "live_since"
        os.utime(live_since, (mtime, mtime))
    then = (
        str(FILES / "prune-releases.sh"),
        str(host["releases"]),
        "r2",
        "2",
        str(host["bin"].root / "build/code"),
        "blog/web",
        "no",
    )

    result = go_live(host, then=then)

    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in host["releases"].iterdir()) == ["current", "r1", "r2"]
    assert result.stdout == "removed release directories: r0\n"
    # The pruning ran once the switch was done.
    steps = host["bin"].lines("docker", "rm")
    assert position(steps, f"docker rename {NEW} {LIVE_NAME}") < position(
        steps, f"rm -rf {host['releases']}/r0"
    )
