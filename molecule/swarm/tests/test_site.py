"""The site deployed by site.yml in Swarm mode, as its users see it: through nginx on every edge
node, releases rolled out under a request loop through all of them without a failed request, a
broken release refused while the old tasks serve, the web service scaled out, a web host lost
and web spread again over the hosts by the next deploy."""

import collections
import ipaddress
import json
import re
import shutil
import socket
import ssl
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
import urllib3
from certificates import site_certificate, tls_files_settings
from conftest import (
    MANAGER,
    PLATFORMS,
    PROJECT,
    SECRETS,
    SETTINGS,
    changed,
    docker_json,
    on,
    run_scenario_playbook,
    secret,
)
from request_loop import RequestLoops

REPO = Path(__file__).resolve().parents[3]
WEB = f"{PROJECT}_web"
NGINX = f"{PROJECT}_nginx"
SITE_NAME = SETTINGS["django_stack_site_names"][0]
HTTPS_PORT = SETTINGS.get("django_stack_https_port", 443)
EDGES = [p["name"] for p in PLATFORMS if "swarm_edge" in p["groups"]]
WEB_NODES = [p["name"] for p in PLATFORMS if "swarm_web" in p["groups"]]
# When a web host is lost, requests may fail for this long after (none do here: nginx tries the
# next task when one does not answer within its 1 s connect timeout).
FIRST_SECONDS = 10
# A page that takes this long has waited on something: the database's connection, say.
SLOW_PAGE = 2.0
# Longer than Swarm takes to replace a task whose health check fails: 3 failed checks, 10 s apart
# for nginx's service (15 s apart with the image's own check, which asks web).
WEB_DOWN_SECONDS = 60


def address(host: str) -> str:
    """The throwaway host's address on the harness network, where its published ports are."""
    out = subprocess.run(
        ["docker", "inspect", "--format", "{{json .NetworkSettings.Networks}}", host],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return next(iter(json.loads(out).values()))["IPAddress"]


def start_at(host: str, network: str, ip: str) -> None:
    """Start the stopped host with address IP: the one it had, as a real host keeps its private
    one (Docker may give a restarted container another), or a new one."""
    alias = f"{host}.test"
    for argv in (
        ["docker", "network", "disconnect", network, host],
        ["docker", "network", "connect", "--ip", ip, "--alias", alias, network, host],
        ["docker", "start", host],
    ):
        subprocess.run(argv, check=True, capture_output=True)


def free_address(network: str) -> str:
    """An address of the network's subnet that no container has, from its top."""
    [detail] = json.loads(
        subprocess.run(
            ["docker", "network", "inspect", network], capture_output=True, text=True, check=True
        ).stdout
    )
    taken = {c["IPv4Address"].split("/")[0] for c in (detail.get("Containers") or {}).values()}
    subnet = ipaddress.ip_network(detail["IPAM"]["Config"][0]["Subnet"])
    return next(str(ip) for ip in reversed(list(subnet.hosts())) if str(ip) not in taken)


def url(host: str, path: str = "/") -> str:
    return f"http://{address(host)}{path}"


def get(host: str, path: str = "/") -> requests.Response:
    return requests.get(url(host, path), headers={"Host": SITE_NAME}, timeout=10)


def deploy(*extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run_scenario_playbook("site.yml", *extra, check=check)


def tasks(service: str) -> list[dict]:
    """The service's running tasks: node and release."""
    running = docker_json(MANAGER, "service", "ps", service, "--filter", "desired-state=running")
    return [task for task in running if task["CurrentState"].startswith("Running")]


def task_ids(service: str) -> set[str]:
    """The IDs of the service's running tasks: the same set later means no task was replaced."""
    return {task["ID"] for task in tasks(service)}


def task_releases() -> dict[str, str]:
    """Each running web task's ID -> the release its container runs."""
    releases = {}
    for task in tasks(WEB):
        [detail] = docker_json(MANAGER, "inspect", task["ID"])
        releases[task["ID"]] = detail["Spec"]["ContainerSpec"]["Labels"]["django-deploy.release"]
    return releases


def release_of_service() -> str:
    [service] = docker_json(MANAGER, "service", "inspect", WEB)
    return service["Spec"]["Labels"]["django-deploy.release"]


def task_history() -> str:
    """What Swarm did with nginx's and web's tasks (node, state, error), on one line: what a
    failed request loop's message needs to tell its cause from CI's log."""
    history = []
    for service in (NGINX, WEB):
        listing = on(
            MANAGER, "docker", "service", "ps", "--no-trunc", "--format",
            "{{.Name}} {{.Node}} {{.DesiredState}} {{.CurrentState}} {{.Error}}", service,
            check=False,
        ).stdout  # fmt: skip
        history.append(f"{service}: " + " | ".join(listing.split("\n")[:12]))
    return "; ".join(history)


class EdgeLoops(RequestLoops):
    def assert_none_failed(self) -> None:
        try:
            super().assert_none_failed()
        except AssertionError as error:
            raise AssertionError(f"{error}; tasks: {task_history()}") from None


def edge_loops() -> EdgeLoops:
    """A request loop through each edge node at once."""
    return EdgeLoops([url(edge) for edge in EDGES], host=SITE_NAME)


def changed_site(tmp_path: Path, marker: str, broken: bool = False) -> Path:
    """The sample site with MARKER in its pages' template; BROKEN: its pages fail to load."""
    source = tmp_path / "django_site"
    shutil.copytree(REPO / "django_site", source, ignore=shutil.ignore_patterns("__pycache__"))
    base = source / "blog" / "templates" / "blog" / "base.html"
    base.write_text(base.read_text().replace("</body>", f"<!-- {marker} --></body>"))
    if broken:
        urls = source / "config" / "urls.py"
        urls.write_text(urls.read_text() + f"\nraise RuntimeError('{marker} does not load')\n")
    return source


def test_site_answers_through_every_edge_node():
    for edge in EDGES:
        page = get(edge)
        assert page.status_code == 200, f"{edge}: {page.status_code}"
        assert "<html" in page.text.lower()


def test_web_runs_one_task_on_each_web_node_and_nginx_on_each_edge():
    assert sorted(task["Node"] for task in tasks(WEB)) == sorted(WEB_NODES)
    assert sorted(task["Node"] for task in tasks(NGINX)) == sorted(EDGES)
    # Found by DNS round robin, no virtual IP, no routing mesh.
    [service] = docker_json(MANAGER, "service", "inspect", WEB)
    assert service["Spec"]["EndpointSpec"]["Mode"] == "dnsrr"
    assert "@sha256:" in service["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"]


def test_static_files_come_from_the_web_tasks_with_long_caching():
    page = get(EDGES[0], "/admin/login/").text
    css = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
    for edge in EDGES:
        answer = get(edge, css)
        assert answer.status_code == 200, f"{edge} {css}: {answer.status_code}"
        assert "text/css" in answer.headers["Content-Type"]
        assert "immutable" in answer.headers["Cache-Control"]


def test_no_secret_in_the_service_specs():
    specs = on(MANAGER, "docker", "service", "inspect", WEB, NGINX).stdout
    for variable in SECRETS:
        if variable.startswith("vault_"):
            assert secret(variable) not in specs, variable


def served_serial(edge: str, ca_file: Path) -> int:
    """The serial number of the certificate the edge node serves for the site's name, verified
    against CA_FILE for that name."""
    context = ssl.create_default_context(cafile=str(ca_file))
    with (
        socket.create_connection((address(edge), HTTPS_PORT), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=SITE_NAME) as tls,
    ):
        return int(tls.getpeercert()["serialNumber"], 16)


def https_get(edge: str, ca_file: Path, path: str = "/") -> urllib3.BaseHTTPResponse:
    """PATH over HTTPS from the edge node, the certificate checked for the site's name."""
    pool = urllib3.HTTPSConnectionPool(
        address(edge), HTTPS_PORT, server_hostname=SITE_NAME, assert_hostname=SITE_NAME,
        ca_certs=str(ca_file), timeout=10, retries=False,
    )  # fmt: skip
    return pool.request("GET", path, headers={"Host": SITE_NAME}, redirect=False)


def test_tls_from_the_vault_is_served_by_every_edge_node_and_turned_off_by_a_reload(tmp_path):
    """django_stack_tls: files in Swarm mode: every edge node serves the vault's certificate and
    sends plain HTTP to HTTPS; turning TLS on and off again reloads nginx, its tasks stay."""
    made = site_certificate(SITE_NAME)
    ca_file, settings = tls_files_settings(tmp_path, made)
    nginx_tasks = task_ids(NGINX)
    result = deploy("-e", f"@{settings}")
    try:
        key_body = "".join(made.key_pem.strip().splitlines()[1:-1])
        assert key_body[:40] not in result.stdout + result.stderr, "the key is in the output"
        for edge in EDGES:
            assert served_serial(edge, ca_file) == made.serial, edge
            page = https_get(edge, ca_file)
            assert page.status == 200, f"{edge}: {page.status}"
            assert "<html" in page.data.decode().lower()
            plain = requests.get(
                url(edge), headers={"Host": SITE_NAME}, allow_redirects=False, timeout=10
            )
            assert plain.status_code == 301, f"{edge}: {plain.status_code}"
            assert plain.headers["Location"] == f"https://{SITE_NAME}/"
            key = on(edge, "stat", "--format", "%a %u", f"/srv/{PROJECT}/secrets/nginx/privkey.pem")
            assert key.stdout.split() == ["400", "10002"], edge
    finally:
        deploy()
    for edge in EDGES:
        assert get(edge).status_code == 200, edge
        key = on(edge, "test", "-e", f"/srv/{PROJECT}/secrets/nginx/privkey.pem", check=False)
        assert key.rc != 0, f"{edge} kept the key"
    assert task_ids(NGINX) == nginx_tasks, "nginx's tasks were replaced"


def test_what_swarm_mode_does_not_run_yet_is_refused_before_the_stack_changes():
    versions = {
        service: docker_json(MANAGER, "service", "inspect", service)[0]["Version"]["Index"]
        for service in (WEB, NGINX)
    }
    acme = {
        "django_stack_tls": "acme",
        "django_stack_site_names": ["www.example.com"],
        "nginx_proxy_acme_email": "webmaster@example.com",
    }
    result = deploy("-e", json.dumps(acme), check=False)
    assert result.returncode != 0
    assert "Swarm mode does not run TLS from the ACME CA" in result.stdout, result.stdout[-3000:]
    for service, version in versions.items():
        assert docker_json(MANAGER, "service", "inspect", service)[0]["Version"]["Index"] == version


def test_code_change_rolls_out_and_back_through_every_edge_without_a_failed_request(tmp_path):
    """A code change rolled out, rollback.yml back to the release before, then forward again to
    the kept release named with -e release: under a request loop through each edge node, not one
    failed request. A release that is not kept is refused, naming the kept ones."""
    marker = f"swarm-release-{uuid.uuid4().hex[:8]}"
    before = release_of_service()
    source = changed_site(tmp_path, marker)
    with edge_loops() as loops:
        deploy("-e", f"django_web_source_dir={source}")
    for edge in EDGES:
        assert marker in get(edge).text, f"{edge} serves the old release"
    changed_release = release_of_service()
    assert changed_release != before
    with edge_loops() as back:
        result = run_scenario_playbook("playbooks/rollback.yml")
    loops.assert_none_failed()
    back.assert_none_failed()
    print(f"code change: {loops.sent} requests through {len(EDGES)} edges, 0 failed;")
    print(f"rollback: {back.sent} requests, 0 failed")
    assert f"Back from release {changed_release} to {before}" in result.stdout
    assert release_of_service() == before
    for edge in EDGES:
        assert marker not in get(edge).text
    refused = run_scenario_playbook(
        "playbooks/rollback.yml", "-e", "release=0123456789ab", check=False
    )
    assert refused.returncode != 0
    assert 'Release "0123456789ab" is not kept' in refused.stdout, refused.stdout[-3000:]
    assert changed_release in refused.stdout, "the refusal does not list the kept releases"
    with edge_loops() as forward:
        run_scenario_playbook("playbooks/rollback.yml", "-e", f"release={changed_release}")
    forward.assert_none_failed()
    print(f"rollback.yml -e release=<kept>: {forward.sent} requests, 0 failed")
    assert release_of_service() == changed_release
    for edge in EDGES:
        assert marker in get(edge).text, f"{edge} does not serve the kept release"
    # site.yml with the code of the release live again finds nothing to do.
    counts = changed(deploy("-e", f"django_web_source_dir={source}"))
    assert set(counts.values()) == {0}, counts


def test_broken_release_is_refused_while_the_old_tasks_serve(tmp_path):
    marker = f"swarm-broken-{uuid.uuid4().hex[:8]}"
    before = release_of_service()
    serving = task_releases()
    source = changed_site(tmp_path, marker, broken=True)
    with edge_loops() as loops:
        result = deploy("-e", f"django_web_source_dir={source}", check=False)
    assert result.returncode != 0
    assert "does not load" in result.stdout, result.stdout[-3000:]
    loops.assert_none_failed()
    assert release_of_service() == before
    # The tasks that served before the refused release are the ones serving after it.
    assert task_releases() == serving, on(MANAGER, "docker", "service", "ps", WEB).stdout
    for edge in EDGES:
        assert marker not in get(edge).text


def release_dirs(host: str) -> dict[str, bool]:
    """Each release directory on the web node -> whether it went live (has live_since)."""
    listing = on(
        host, "sh", "-c",
        f"cd /srv/{PROJECT}/releases && for d in */; do "
        'd=${d%/}; if [ -e "$d/live_since" ]; then echo "$d live"; else echo "$d never"; fi; done',
    ).stdout  # fmt: skip
    return {line.split()[0]: line.split()[1] == "live" for line in listing.splitlines()}


@pytest.mark.parametrize("replicas", [4])
def test_web_scales_out_without_a_failed_request(replicas):
    """Two tasks on each web node; they stay for the host-loss test, whose site.yml at the end
    scales web back to one task per web node."""
    with edge_loops() as out:
        deploy("-e", f"django_web_replicas={replicas}")
    out.assert_none_failed()
    # This deploy also took the sample site's release live again, and pruned on the web nodes the
    # code of the refused release (it never went live).
    for web in WEB_NODES:
        dirs = release_dirs(web)
        assert all(dirs.values()), f"{web} kept code that never went live: {dirs}"
        assert release_of_service() in dirs, dirs
    per_node = {node: nodes_of_web().count(node) for node in WEB_NODES}
    assert set(per_node.values()) == {replicas // len(WEB_NODES)}, per_node


def test_status_and_logs_show_the_services_from_the_manager():
    """status.yml: each service with its tasks by node, the live release and the one rollback.yml
    goes back to; logs.yml: the end of each service's log, every task's lines."""
    status = run_scenario_playbook("playbooks/status.yml").stdout
    for service in (WEB, NGINX, f"{PROJECT}_mysql"):
        assert re.search(rf"\b{service}\W+(image|mode)\b", status), status
    for node in WEB_NODES:
        assert f"{node}: Running" in status, status
    assert re.search(rf"live release\W+{release_of_service()}", status), status
    assert "rollback.yml goes back to" in status
    logs = run_scenario_playbook("playbooks/logs.yml", "-e", "service=web", "-e", "lines=5").stdout
    for node in WEB_NODES:
        assert f"@{node}" in logs, logs[-3000:]
    assert NGINX not in logs


def test_losing_a_web_host_keeps_the_site_answering_and_a_deploy_spreads_web_again():
    """A web node dies (its host container killed) under the request loop through both edges:
    its tasks are started again on the other web node, nginx stops sending to them, the site keeps
    answering. Then the host comes back: Swarm leaves the tasks where they are, and the next
    site.yml (one task per web node again, after the scale-out test) spreads them over both
    nodes, under the loop, without a failed request. Before that, the host comes back with another
    address: its node is ready, but no task of it could join the overlay network, so site.yml
    refuses to go on, saying how to rejoin it."""
    lost = WEB_NODES[-1]
    assert lost not in EDGES and lost != MANAGER
    assert lost in nodes_of_web(), on(MANAGER, "docker", "service", "ps", WEB).stdout
    count = len(nodes_of_web())
    [(network, settings)] = json.loads(
        subprocess.run(
            ["docker", "inspect", "--format", "{{json .NetworkSettings.Networks}}", lost],
            capture_output=True, text=True, check=True,
        ).stdout
    ).items()  # fmt: skip
    with edge_loops() as loops:
        started = time.monotonic()
        time.sleep(3)
        killed_at = time.monotonic() - started
        subprocess.run(["docker", "kill", lost], check=True, capture_output=True)
        try:
            wait_until(lambda: nodes_of_web() == [WEB_NODES[0]] * count, 120)
            rescheduled_after = time.monotonic() - started - killed_at
            # The site keeps answering from the node left, through both edges.
            time.sleep(10)
        finally:
            start_at(lost, network, free_address(network))
    failed = [moment - killed_at for moment in loops.moments()]
    window = f"{min(failed):.1f} s to {max(failed):.1f} s after" if failed else "none"
    print(
        f"web host lost: {len(failed)} of {loops.sent} requests failed ({window} the kill); "
        f"its tasks ran again on another node {rescheduled_after:.1f} s after"
    )
    assert all(moment < FIRST_SECONDS for moment in failed), window
    wait_until(lambda: node_ready(lost), 180)
    refused = run_scenario_playbook("site.yml", check=False)
    assert refused.returncode != 0
    said = " ".join(refused.stdout.split())
    assert f"{lost} joined the Swarm as {settings['IPAddress']}, but its address is now" in said, (
        said
    )
    subprocess.run(["docker", "kill", lost], check=True, capture_output=True)
    start_at(lost, network, settings["IPAddress"])
    wait_until(lambda: node_ready(lost), 180)
    assert nodes_of_web() == [WEB_NODES[0]] * count
    with edge_loops() as again:
        deploy()
    again.assert_none_failed()
    assert nodes_of_web() == sorted(WEB_NODES)
    print(f"web spread again by the next site.yml: {again.sent} requests, 0 failed")


def node_ready(host: str) -> bool:
    found = on(MANAGER, "docker", "node", "inspect", host, "--format", "{{.Status.State}}",
               check=False)  # fmt: skip
    return found.stdout.strip() == "ready"


def nodes_of_web() -> list[str]:
    return sorted(task["Node"] for task in tasks(WEB))


def wait_until(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not so after {seconds} s"
        time.sleep(1)


def page_status(host: str) -> tuple[int | str, float]:
    """The home page's status, or what stopped it, and how long it took (a page may wait on the
    database's connection)."""
    started = time.monotonic()
    try:
        status = requests.get(url(host), headers={"Host": SITE_NAME}, timeout=60).status_code
    except requests.RequestException as error:
        status = type(error).__name__
    return status, time.monotonic() - started


def database_servers() -> list[str]:
    """The running containers of the database server's tasks, on the db node."""
    return on(
        MANAGER, "docker", "ps", "--quiet", "--filter",
        f"label=com.docker.swarm.service.name={PROJECT}_mysql",
    ).stdout.split()  # fmt: skip


def database_server() -> str:
    [server] = database_servers()
    return server


def test_a_database_outage_leaves_web_up_and_ends_when_the_server_is_back():
    """No database failover: the server killed, pages that query it fail, or wait on their
    connection, until Swarm has started it again on the db node. The web tasks are not replaced
    meanwhile (their health check does not ask the database), static files keep being served, and
    pages answer again once it is back."""
    serving = task_releases()
    css = re.search(r'href="(/static/[^"]+\.css)"', get(EDGES[0], "/admin/login/").text).group(1)
    killed_server = database_server()
    on(MANAGER, "docker", "kill", killed_server)
    killed = time.monotonic()
    static, pages = [], []
    # Pages until one answers at once after the server's new task runs (a page that started
    # during the outage may wait on its connection and still answer 200 once the server is back).
    while time.monotonic() - killed < 180:
        static.append(get(EDGES[-1], css).status_code)
        status, took = page_status(EDGES[0])
        pages.append((time.monotonic() - killed, status, took))
        if status == 200 and took < SLOW_PAGE and database_server_restarted(killed_server):
            break
        time.sleep(0.5)
    hit = [(end, status, took) for end, status, took in pages if status != 200 or took >= SLOW_PAGE]
    assert database_server_restarted(killed_server), "Swarm did not start the server again"
    assert pages[-1][1] == 200, f"the site did not answer again within 180 s: {pages[-5:]}"
    assert hit, f"no page failed or waited: the kill did not reach the server: {pages}"
    failed = sum(1 for _, status, _ in hit if status != 200)
    last = max(end for end, _, _ in hit)
    print(
        f"database server killed: pages failed or waited until {last:.1f} s after"
        f" ({failed} failed, {len(hit) - failed} waited, of {len(pages)}), "
        f"{len(static)} static files served meanwhile"
    )
    assert set(static) == {200}, static
    assert task_releases() == serving, on(MANAGER, "docker", "service", "ps", WEB).stdout


def maintenance_answer(edge: str) -> str:
    """The home page's status through EDGE, marked when a 503 is not the maintenance page; or
    what stopped the request."""
    try:
        page = get(edge)
    except requests.RequestException as error:
        return type(error).__name__
    maintenance = "Down for maintenance" in page.text and "Retry-After" in page.headers
    return f"{page.status_code}{'' if maintenance else ' (not the maintenance page)'}"


def test_while_web_is_down_every_edge_shows_the_maintenance_page_and_keeps_its_nginx():
    """Web with no task for longer than Swarm takes to replace a task that fails its health check:
    every edge node answers with the maintenance page throughout (nginx's health check asks nginx
    alone, so Swarm keeps its tasks), and the pages come back with web."""
    nginx_tasks = task_ids(NGINX)
    [service] = docker_json(MANAGER, "service", "inspect", WEB)
    replicas = service["Spec"]["Mode"]["Replicated"]["Replicas"]
    answers: collections.Counter[tuple[str, str]] = collections.Counter()
    on(MANAGER, "docker", "service", "scale", "--detach", f"{WEB}=0")
    try:
        # Web's tasks stop after their drain; until then they serve.
        wait_until(lambda: all(maintenance_answer(edge) == "503" for edge in EDGES), 120)
        until = time.monotonic() + WEB_DOWN_SECONDS
        while time.monotonic() < until:
            for edge in EDGES:
                answers[(edge, maintenance_answer(edge))] += 1
            time.sleep(0.5)
    finally:
        on(MANAGER, "docker", "service", "scale", "--detach", f"{WEB}={replicas}")
    print(f"web down {WEB_DOWN_SECONDS} s: {dict(answers)}; tasks: {task_history()}")
    assert {answer for _, answer in answers} == {"503"}, f"{dict(answers)}; {task_history()}"
    assert task_ids(NGINX) == nginx_tasks, task_history()
    wait_until(lambda: all(get(edge).status_code == 200 for edge in EDGES), 180)


def database_server_restarted(killed_server: str) -> bool:
    running = database_servers()
    return bool(running) and killed_server not in running


def sql(statement: str) -> str:
    """STATEMENT in the site's database, as the server's administrator in its task's container."""
    return on(
        MANAGER, "docker", "exec", database_server(), "mariadb", "--user=mysql", "--batch",
        "--skip-column-names", PROJECT, "--execute", statement,
    ).stdout.strip()  # fmt: skip


def test_backup_and_restore_run_on_the_database_node_behind_every_edges_maintenance_page():
    """backup.yml backs up on the db node (its database server, its media directory: the uploads'
    shared storage); restore.yml brings both back while every edge node shows the maintenance
    page (503, nothing else fails), then the site answers again through every edge."""
    backups = f"/srv/{PROJECT}/backups"
    upload = f"/srv/{PROJECT}/data/media/restore-check.txt"
    sql("CREATE TABLE IF NOT EXISTS restore_check (n INT); DELETE FROM restore_check; "
        "INSERT INTO restore_check VALUES (1)")  # fmt: skip
    on(MANAGER, "sh", "-c", f"echo kept > {upload}")
    taken = run_scenario_playbook("playbooks/backup.yml", "-e", "label=swarm-test")
    [name] = re.findall(r"backup (\S+-swarm-test):", taken.stdout)
    assert on(MANAGER, "test", "-f", f"{backups}/{name}/manifest.json").rc == 0
    for web in WEB_NODES:
        assert on(web, "test", "-e", backups, check=False).rc != 0, f"backups on {web}"
    # What the restore must undo.
    sql("INSERT INTO restore_check VALUES (2)")
    on(MANAGER, "rm", upload)
    with edge_loops() as loops:
        run_scenario_playbook("playbooks/restore.yml", "-e", f"backup={name}")
        wait_until(lambda: all(get(edge).status_code == 200 for edge in EDGES), 60)
    assert sql("SELECT GROUP_CONCAT(n) FROM restore_check") == "1"
    assert on(MANAGER, "cat", upload).stdout.strip() == "kept"
    for edge_url, loop in loops.loops.items():
        statuses = {entry.rsplit(" at ", 1)[0] for entry in loop.failed}
        assert statuses == {"503"}, f"{edge_url}: {loop.summary()}"
    print(f"restore: the maintenance page (503) answered {loops.figure()} requests; the rest 200")


def test_manage_runs_a_command_in_a_one_off_task_of_the_live_release():
    """manage.yml: the command's output, from a job of the web service's template; a failing
    command fails the run with its output; no job is left behind."""
    # The web service's environment: uWSGI's socket on the overlay network.
    command = "shell -c \"import os; print('answer', 6 * 7, os.environ['UWSGI_SOCKET'])\""
    said = run_scenario_playbook(
        "playbooks/manage.yml", "-e", json.dumps({"command": command})
    ).stdout
    assert "answer 42 :" in said, said
    failed = run_scenario_playbook(
        "playbooks/manage.yml", "-e", json.dumps({"command": "migrate no_such_app"}), check=False
    )
    assert failed.returncode != 0
    assert "No installed app with label 'no_such_app'" in failed.stdout, failed.stdout[-3000:]
    assert on(MANAGER, "docker", "service", "ls", "--quiet", "--filter",
              f"name={WEB}_manage").stdout.strip() == ""  # fmt: skip
