"""Measure deploys on the sandbox host, each under a request loop, and print one table.

Run with `make benchmark` (it recreates the sandbox host first, so the cold figure is real). For
every row: the wall time of the run and how many requests of a loop (2 clients, one request
every 50 ms each, to the sandbox only) failed meanwhile. The rows run over the Docker API
connection of the sandbox inventory; the no-op, code-only and rollback rows run again over SSH,
the way real hosts are reached (the sandbox gets an SSH server and a throwaway key for it). Then
requests per second of the home page through nginx and from uWSGI's own HTTP server (the same
image and worker settings), image sizes, and the disk the releases take after ten deploys.
Then the rows of a project with Redis and a Celery worker beside the blog (sample_projects). With
`--projects-only` (`make benchmark BENCHMARK_ARGS=--projects-only`) only those, on a fresh sandbox.
Last, Swarm mode on the swarm scenario's three throwaway hosts (`--swarm-only` for those alone):
its deploys under a request loop through each edge node, and requests per second through nginx
with one web task and with two on separate hosts (on this one machine the ratio shows the
overhead of the extra hop and DNS, not capacity).
Prints figures; it asserts nothing.
"""

import json
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

# Run as a script: the shared ansible-playbook runner lives beside the harness.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "resources"))
from playbook import REPO, run_playbook  # noqa: E402
from request_loop import RequestLoop, RequestLoops  # noqa: E402
from sample_projects import FACTOR_PROJECT, append, write  # noqa: E402

INVENTORY = "inventory/sandbox/hosts.yml"
# A uWSGI release before the deployment's own pin (runtime/requirements/uwsgi.txt): a project that
# pins it has it compiled in its own image layer.
OTHER_UWSGI = "2.0.30"
HOST = "sandbox"
PROJECT = "blog"
URL = "http://localhost:8080/"
LOAD_SECONDS = 10
LOAD_CLIENTS = 4
# In the web container's socket directory, which its user may write.
BENCHMARK_PID = "/run/uwsgi/benchmark.pid"
SSH_THROWAWAY_HOST = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
# The PaaS-shaped sample project (Redis, a Celery worker), beside the blog on a port of its own,
# reached at the sandbox's address.
FACTOR = "factor"
FACTOR_PORT = 18091


def timed(playbook: str, *extra: str, loop: bool = True, url: str = URL) -> tuple[float, str]:
    """Run a playbook against the sandbox; return its wall time and the failed-request figure of
    a request loop on `url` meanwhile."""
    started = time.monotonic()
    if loop:
        with RequestLoop(url, host="localhost") as requests_during:
            result = run_playbook(playbook, *extra, inventory=INVENTORY, check=False)
        # How many failed, and for how long, e.g. a maintenance page.
        failed = requests_during.figure()
    else:
        result = run_playbook(playbook, *extra, inventory=INVENTORY, check=False)
        failed = "-"
    elapsed = time.monotonic() - started
    recap = [line for line in result.stdout.splitlines() if f"{HOST} " in line and "ok=" in line]
    summary = recap[-1].split(":", 1)[1].strip() if recap else "?"
    print(f"    {playbook} exit {result.returncode}: {summary}")
    return elapsed, failed


def in_host(*command: str, stdin: str | None = None, host: str = HOST) -> str:
    return subprocess.run(
        ["docker", "exec", "-i", host, *command],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def site_copy(scratch: Path) -> tuple[Path, Path]:
    """Copy django_site into scratch; return the copy and its base template, which rows edit."""
    source = scratch / "django_site"
    shutil.copytree(REPO / "django_site", source, ignore=shutil.ignore_patterns("__pycache__"))
    return source, source / "blog/templates/blog/base.html"


def sandbox_address() -> str:
    return address_of(HOST)


def over_ssh(scratch: Path) -> list[str]:
    """Start an SSH server in the sandbox for a new key; return the ansible-playbook arguments
    that reach the sandbox over it (the sandbox inventory stays first, for its group_vars)."""
    key = scratch / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    in_host("sh", "-c", "apt-get update -qq && apt-get install -qq -y openssh-server >/dev/null")
    in_host(
        "sh",
        "-c",
        "install -d -m 0700 /root/.ssh && cat > /root/.ssh/authorized_keys",
        stdin=(key.with_suffix(".pub")).read_text(),
    )
    in_host("systemctl", "start", "ssh")
    address = sandbox_address()
    # A second inventory source for the same host, not extra vars: extra vars would also send the
    # tasks delegated to localhost (packing the code on the controller) over SSH to the sandbox.
    inventory = scratch / "ssh.yml"
    inventory.write_text(
        json.dumps(
            {
                "django_hosts": {
                    "hosts": {
                        HOST: {
                            "ansible_connection": "ssh",
                            "ansible_host": address,
                            "ansible_user": "root",
                            "ansible_ssh_private_key_file": str(key),
                            # A throwaway host with a new host key every time.
                            "ansible_ssh_common_args": SSH_THROWAWAY_HOST,
                        }
                    }
                }
            }
        )
    )
    return ["-i", str(inventory)]


LOAD_SCRIPT = """
import sys, threading, time, urllib.request
url, seconds, clients = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
counts = [0] * clients
def run(i):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        request = urllib.request.Request(url, headers={"Host": "localhost"})
        with urllib.request.urlopen(request) as response:
            response.read()
        counts[i] += 1
threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
[t.start() for t in threads]; [t.join() for t in threads]
print(sum(counts) / seconds)
"""


def requests_per_second() -> dict[str, str]:
    """The home page through nginx, and from a second uWSGI in the live web container serving
    HTTP itself with the same uwsgi.ini; the same load generator (the web image's Python)."""
    image = in_host("docker", "inspect", "--format", "{{.Config.Image}}", f"{PROJECT}_web").strip()
    load = ["docker", "run", "--rm", "-i"]
    through_nginx = in_host(
        *load,
        "--network",
        "host",
        image,
        "python3",
        "-c",
        LOAD_SCRIPT,
        URL,
        str(LOAD_SECONDS),
        str(LOAD_CLIENTS),
    )
    in_host(
        "docker",
        "exec",
        "-d",
        "-e",
        "UWSGI_SOCKET=/run/uwsgi/benchmark.sock",
        f"{PROJECT}_web",
        "uwsgi",
        "--ini",
        "/etc/uwsgi/uwsgi.ini",
        "--http-socket",
        "127.0.0.1:9090",
        "--pidfile",
        BENCHMARK_PID,
    )
    time.sleep(3)
    try:
        own_http = in_host(
            *load,
            "--network",
            f"container:{PROJECT}_web",
            image,
            "python3",
            "-c",
            LOAD_SCRIPT,
            "http://127.0.0.1:9090/",
            str(LOAD_SECONDS),
            str(LOAD_CLIENTS),
        )
    finally:
        in_host("docker", "exec", f"{PROJECT}_web", "uwsgi", "--stop", BENCHMARK_PID)
    return {
        "requests/s through nginx": f"{float(through_nginx):.0f}",
        "requests/s from uWSGI's own HTTP": f"{float(own_http):.0f}",
    }


def ssh_rows(rows: dict[str, tuple[float, str]]) -> None:
    """The no-op, code-only and rollback rows again, over SSH."""
    with tempfile.TemporaryDirectory() as scratch:
        ssh = over_ssh(Path(scratch))
        print("over SSH: unchanged rerun ...")
        rows["SSH: no-op rerun"] = timed("site.yml", *ssh)
        source, base = site_copy(Path(scratch))
        base.write_text(base.read_text() + "\n<!-- benchmark over SSH -->\n")
        print("over SSH: code-only update ...")
        rows["SSH: code only (template edit)"] = timed(
            "site.yml", *ssh, "-e", f"django_web_source_dir={source}"
        )
        print("over SSH: rollback ...")
        rows["SSH: rollback to the previous release"] = timed("playbooks/rollback.yml", *ssh)
        print("back to the repository's settings ...")
        timed("site.yml", loop=False)


def project_rows(rows: dict[str, tuple[float, str]]) -> None:
    """The PaaS-shaped sample project beside the blog: its cold deploy (Redis, the worker), a new
    requirement with the wheel cache and one with the cache emptied, a code change (web and worker
    released) and the rollback, under a request loop on its own site. The project pins a uWSGI
    other than the deployment's, so its build compiles one (about a minute on two cores) unless the
    host's wheel cache has it."""
    url = f"http://{sandbox_address()}:{FACTOR_PORT}/"
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / FACTOR
        write(root, FACTOR_PROJECT)
        append(root / "requirements" / "base.txt", f"uWSGI=={OTHER_UWSGI}\n")
        # A throwaway Redis password, in a file only this user reads, not on a command line.
        secret = Path(scratch) / "redis.json"
        secret.touch(mode=0o600)
        secret.write_text(json.dumps({"django_stack_redis_password": secrets.token_urlsafe(24)}))
        settings = {
            "django_stack_project_name": FACTOR,
            "django_stack_http_port": FACTOR_PORT,
            "django_stack_tls": "off",
            "django_web_wrap_settings": False,
            "django_stack_redis": True,
            "django_web_source_dir": str(root),
        }
        extra = ["-e", json.dumps(settings), "-e", f"@{secret}"]
        print("project with Redis and a Celery worker: cold deploy ...")
        rows["project + Redis + worker: cold"] = timed("site.yml", *extra, loop=False)
        print("its unchanged rerun ...")
        rows["- its no-op rerun"] = timed("site.yml", *extra, url=url)
        append(root / "requirements" / "base.txt", "humanize\n")
        print("its dependency change, uWSGI from the wheel cache ...")
        rows["- its dependency change (+1 package)"] = timed("site.yml", *extra, url=url)
        in_host("sh", "-c", f"rm -rf /srv/{FACTOR}/cache/wheels/*")
        append(root / "requirements" / "base.txt", "python-dateutil\n")
        print("its dependency change, wheel cache emptied first ...")
        rows["- the same, wheel cache emptied"] = timed("site.yml", *extra, url=url)
        views = root / "jobs" / "views.py"
        views.write_text(views.read_text().replace("<h1>Jobs</h1>", "<h1>Jobs v2</h1>"))
        print("its code change, the worker released too ...")
        rows["- its release of web and worker"] = timed("site.yml", *extra, url=url)
        print("its rollback ...")
        rows["- its rollback of web and worker"] = timed("playbooks/rollback.yml", *extra, url=url)


def swarm_rows(rows: dict[str, tuple[float, str]], extra: dict[str, str]) -> None:
    """Swarm mode on the swarm scenario's hosts, recreated first: a cold deploy, then each change
    under a request loop through every edge node; requests per second through one edge's nginx
    with one web task and with two."""
    scenario = ["-s", "swarm"]
    subprocess.run(["molecule", "destroy", *scenario], cwd=REPO, check=True)
    subprocess.run(["molecule", "create", *scenario], cwd=REPO, check=True)
    platforms = yaml.safe_load((REPO / "molecule/swarm/molecule.yml").read_text())["platforms"]
    edges = [p["name"] for p in platforms if "swarm_edge" in p["groups"]]
    manager = next(p["name"] for p in platforms if "swarm_managers" in p["groups"])
    print("Swarm: cold site.yml on three fresh hosts ...")
    started = time.monotonic()
    subprocess.run(["molecule", "converge", *scenario], cwd=REPO, check=True)
    rows["Swarm: cold deploy (3 hosts)"] = (time.monotonic() - started, "-")
    ephemeral = max(
        Path.home().glob(".ansible/tmp/molecule.*.swarm"), key=lambda p: p.stat().st_mtime
    )
    inventory = ephemeral / "inventory"
    environment = {"MOLECULE_EPHEMERAL_DIRECTORY": str(ephemeral)}
    urls = [f"http://{address_of(edge)}/" for edge in edges]

    def swarm_timed(playbook: str, *extra_args: str) -> tuple[float, str]:
        begun = time.monotonic()
        with RequestLoops(urls, host="localhost") as loops:
            result = run_playbook(
                playbook, *extra_args, inventory=inventory, check=False, env=environment
            )
        print(f"    {playbook} exit {result.returncode}")
        return time.monotonic() - begun, loops.figure()

    print("Swarm: unchanged rerun ...")
    rows["Swarm: no-op rerun"] = swarm_timed("site.yml")
    with tempfile.TemporaryDirectory() as scratch:
        source, base = site_copy(Path(scratch))
        base.write_text(base.read_text() + "\n<!-- benchmark -->\n")
        print("Swarm: code-only update ...")
        rows["Swarm: code only, 2 tasks rolled"] = swarm_timed(
            "site.yml", "-e", f"django_web_source_dir={source}"
        )
    print("Swarm: rollback ...")
    rows["Swarm: rollback to the release before"] = swarm_timed("playbooks/rollback.yml")
    print("Swarm: web scaled to 4 tasks and back ...")
    rows["Swarm: scale web 2 -> 4"] = swarm_timed("site.yml", "-e", "django_web_replicas=4")
    rows["Swarm: scale web 4 -> 2"] = swarm_timed("site.yml")
    image = json.loads(in_host("docker", "service", "inspect", f"{PROJECT}_web", host=manager))[0][
        "Spec"
    ]["TaskTemplate"]["ContainerSpec"]["Image"]
    for replicas in (1, 2):
        run_playbook(
            "site.yml",
            "-e",
            f"django_web_replicas={replicas}",
            inventory=inventory,
            env=environment,
        )
        per_second = in_host(
            "docker", "run", "--rm", "-i", "--network", "host", image, "python3", "-c",
            LOAD_SCRIPT, "http://127.0.0.1/", str(LOAD_SECONDS), str(LOAD_CLIENTS),
            host=manager,
        )  # fmt: skip
        tasks = "1 web task" if replicas == 1 else "2 web tasks on 2 hosts"
        extra[f"Swarm: requests/s through nginx, {tasks}"] = f"{float(per_second):.0f}"
    subprocess.run(["molecule", "destroy", *scenario], cwd=REPO, check=True)


def address_of(host: str) -> str:
    """A throwaway host's address on the harness network."""
    return subprocess.run(
        [
            "docker",
            "inspect",
            "--format",
            "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}",
            host,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[0]


def print_rows(rows: dict[str, tuple[float, str]]) -> None:
    print()
    print(f"{'change deployed':<40} {'wall time':>10}  failed requests")
    for name, (seconds, failed) in rows.items():
        print(f"{name:<40} {seconds:>9.0f}s  {failed}")


def main() -> None:
    subprocess.run(["molecule", "destroy", "-s", "sandbox"], cwd=REPO, check=True)
    subprocess.run(["molecule", "create", "-s", "sandbox"], cwd=REPO, check=True)
    run_playbook("molecule/sandbox/secrets.yml")
    rows: dict[str, tuple[float, str]] = {}
    if "--projects-only" in sys.argv[1:]:
        project_rows(rows)
        print_rows(rows)
        return
    if "--swarm-only" in sys.argv[1:]:
        extra: dict[str, str] = {}
        swarm_rows(rows, extra)
        print_rows(rows)
        print()
        for name, value in extra.items():
            print(f"{name:<40} {value}")
        return
    print("cold site.yml on a fresh host ...")
    rows["cold deploy"] = timed("site.yml", loop=False)
    print("unchanged rerun ...")
    rows["no-op rerun"] = timed("site.yml")
    with tempfile.TemporaryDirectory() as scratch:
        source, base = site_copy(Path(scratch))
        base.write_text(base.read_text() + "\n<!-- benchmark -->\n")
        print("code-only update ...")
        rows["code only (template edit)"] = timed(
            "site.yml", "-e", f"django_web_source_dir={source}"
        )
        bundle = Path(scratch) / "ca.pem"
        bundle.write_text(
            Path("/etc/ssl/certs/ca-certificates.crt").read_text() + "\n# benchmark\n"
        )
        print("new web image ...")
        rows["new web image"] = timed("site.yml", "-e", f"django_web_build_ca_file={bundle}")
        print("web image refresh (same compiled dependencies) ...")
        rows["new web image, dependencies kept"] = timed(
            "site.yml",
            "-e",
            f"django_web_build_ca_file={bundle}",
            "-e",
            "django_web_image_refresh=benchmark",
        )
        print("uWSGI configuration change ...")
        rows["uWSGI config change"] = timed(
            "site.yml", "-e", '{"django_web_uwsgi_max_requests": 999}'
        )
        print("nginx configuration change ...")
        rows["nginx config change"] = timed(
            "site.yml", "-e", '{"nginx_proxy_client_max_body_size": "11m"}'
        )
        print("new nginx image ...")
        rows["new nginx image"] = timed(
            "site.yml",
            "-e",
            '{"nginx_proxy_client_max_body_size": "11m", "nginx_proxy_image_refresh": "benchmark"}',
        )
        wsgi = source / "config/wsgi.py"
        wsgi.write_text(wsgi.read_text() + "\nraise RuntimeError('benchmark: broken release')\n")
        print("broken release ...")
        rows["broken release (refused)"] = timed(
            "site.yml", "-e", f"django_web_source_dir={source}"
        )
    print("rollback ...")
    rows["rollback to the previous release"] = timed("playbooks/rollback.yml")
    print("back to the repository's settings ...")
    timed("site.yml", loop=False)
    if not shutil.which("ssh") or not shutil.which("ssh-keygen"):
        print("SSH rows skipped: no ssh client here (apt-get install openssh-client)")
    else:
        ssh_rows(rows)
    print("backup now ...")
    rows["backup (playbooks/backup.yml)"] = timed("playbooks/backup.yml")
    print("restore of that backup ...")
    rows["restore (maintenance page: 503s)"] = timed("playbooks/restore.yml")
    print("database server option change ...")
    rows["database server replaced (503s)"] = timed(
        "site.yml", "-e", '{"mysql_server_options": {"max_connections": 200}}'
    )
    print("back to the repository's settings ...")
    timed("site.yml", loop=False)

    extra: dict[str, str] = requests_per_second()
    for line in in_host("docker", "images", "--format", "{{json .}}").splitlines():
        image = json.loads(line)
        if image["Repository"].startswith(f"{PROJECT}/"):
            extra[f"image {image['Repository']}:{image['Tag']}"] = image["Size"]
    newest = in_host(f"/usr/local/sbin/{PROJECT}-backup", "list").split()[0]
    manifest = json.loads(in_host("cat", f"/srv/{PROJECT}/backups/{newest}/manifest.json"))
    extra["backup of the demo data"] = (
        f"database {manifest['database_bytes']} B, media {manifest['media_bytes']} B "
        f"({manifest['media_files']} files), taken and checked in {manifest['seconds']} s"
    )
    print("ten more code deploys ...")
    with tempfile.TemporaryDirectory() as scratch:
        source, base = site_copy(Path(scratch))
        for number in range(10):
            base.write_text(base.read_text() + f"\n<!-- deploy {number} -->\n")
            timed("site.yml", "-e", f"django_web_source_dir={source}", loop=False)
    timed("site.yml", loop=False)
    extra["releases kept after 10 more deploys"] = str(
        len(
            in_host(
                "find", f"/srv/{PROJECT}/releases", "-mindepth", "1", "-maxdepth", "1", "-type", "d"
            ).split()
        )
    )
    extra["disk of /srv/blog/releases"] = in_host("du", "-sh", f"/srv/{PROJECT}/releases").split()[
        0
    ]
    extra["disk of all images"] = in_host(
        "docker", "system", "df", "--format", "{{.Type}} {{.Size}}"
    ).splitlines()[0]
    project_rows(rows)
    swarm_rows(rows, extra)

    print_rows(rows)
    print()
    for name, value in extra.items():
        print(f"{name:<40} {value}")


if __name__ == "__main__":
    main()
