"""TLS as users of the site notice it, against a real ACME CA: Debian's pebble, run by the harness
on the molecule network (molecule/resources/tasks/pebble.yml).

The site gets its certificate from pebble by HTTP-01 through nginx (django_stack_tls: acme), then
serves HTTPS with a chain to pebble's root for its name, redirects plain HTTP, sends HSTS and secure
cookies, and passes `check --deploy` without a warning. A forced renewal by the host's systemd
unit serves a new certificate without a failed request; a rerun changes nothing. Then the same
with a certificate from the vault (files). The module ends with TLS off again, as the other test
files expect, and checks the site answers over plain HTTP. Every test takes `host`, so that pytest
keeps them in file order.
"""

import json
import os
import re
import socket
import ssl
import time
from collections.abc import Iterator

import pytest
import requests
import yaml
from certificates import site_certificate, tls_files_settings
from conftest import BASE_URL, HOST, HOST_VARS, PROJECT, RequestLoop, login, run_site_yml
from playbook import REPO, failures, run_playbook

# The host's name with a dot on the harness network (molecule/resources/create.yml): pebble
# resolves it to the throwaway host; on the controller, the tests resolve it to 127.0.0.1, where
# the host's ports are published.
SITE = f"{HOST}.test"
HTTPS_PORT = HOST_VARS["django_stack_https_port"]
HTTPS_URL = f"https://{SITE}:{HTTPS_PORT}"
SITE_HTTP_URL = f"http://{SITE}:{HOST_VARS['django_stack_http_port']}"
# The harness's pebble, or another instance of it (HARNESS_PEBBLE_ALIAS, _MANAGEMENT_PORT: the
# harness variables it was started with) for a copy of this scenario with another HTTP port.
HARNESS = yaml.safe_load((REPO / "molecule/resources/vars/harness.yml").read_text())
PEBBLE_ALIAS = os.environ.get("HARNESS_PEBBLE_ALIAS", HARNESS["harness_pebble_alias"])
PEBBLE_MANAGEMENT = "https://localhost:" + os.environ.get(
    "HARNESS_PEBBLE_MANAGEMENT_PORT", str(HARNESS["harness_pebble_management_port"])
)
PEBBLE_CA_FILE = f"{HARNESS['harness_pebble_dir']}/ca.pem"
ACME = {
    "django_stack_tls": "acme",
    "django_stack_site_names": [SITE],
    "nginx_proxy_acme_email": f"webmaster@{SITE}",
    "nginx_proxy_acme_directory_url": f"https://{PEBBLE_ALIAS}:14000/dir",
    "nginx_proxy_acme_ca_bundle_file": PEBBLE_CA_FILE,
}
RENEW_UNIT = f"{PROJECT}-certbot-renew"


@pytest.fixture(scope="module", autouse=True)
def site_resolves_to_the_host() -> Iterator[None]:
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        return real_getaddrinfo("127.0.0.1" if host == SITE else host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    yield
    socket.getaddrinfo = real_getaddrinfo


@pytest.fixture(scope="module", autouse=True)
def tls_off_afterwards() -> Iterator[dict]:
    """Whatever happens here, the host serves plain HTTP with its usual settings afterwards (the
    last test does it; this, only when that test did not get so far)."""
    state = {"tls_off": False}
    yield state
    if not state["tls_off"]:
        run_site_yml()


@pytest.fixture(scope="module")
def pebble_root(tmp_path_factory) -> str:
    """The root pebble made at start and signs through: what a browser would trust."""
    root = requests.get(f"{PEBBLE_MANAGEMENT}/roots/0", verify=PEBBLE_CA_FILE, timeout=10)
    root.raise_for_status()
    path = tmp_path_factory.mktemp("pebble") / "root.pem"
    path.write_text(root.text)
    return str(path)


@pytest.fixture(scope="module")
def acme_deploy() -> dict:
    started = time.monotonic()
    result = run_site_yml("-e", json.dumps(ACME))
    return {"result": result, "seconds": time.monotonic() - started}


def handshake(context: ssl.SSLContext) -> dict:
    """The certificate nginx serves for SITE (checked as `context` says) and the TLS version."""
    with (
        socket.create_connection(("127.0.0.1", HTTPS_PORT), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=SITE) as tls,
    ):
        return {**tls.getpeercert(), "version": tls.version()}


def served_certificate(root: str) -> dict:
    """The certificate nginx serves for SITE, verified against `root` for that name."""
    return handshake(ssl.create_default_context(cafile=root))


def recap_changed(result) -> int:
    found = re.search(r"changed=(\d+)", result.stdout.rsplit("PLAY RECAP", 1)[-1])
    assert found, failures(result.stdout)
    return int(found.group(1))


def check_deploy_warnings(host) -> set[str]:
    result = host.run(
        "docker exec %s_web python manage.py check --deploy --fail-level CRITICAL", PROJECT
    )
    assert result.rc == 0, result.stderr
    return set(re.findall(r"\((security\.W\d+)\)", result.stdout + result.stderr))


def test_acme_certificate_chains_to_the_ca_root_for_the_site_name(host, acme_deploy, pebble_root):
    print(f"site.yml with the first ACME certificate: {acme_deploy['seconds']:.1f} s")
    certificate = served_certificate(pebble_root)
    assert ("DNS", SITE) in certificate["subjectAltName"]
    assert certificate["version"] in ("TLSv1.2", "TLSv1.3")
    response = requests.get(HTTPS_URL + "/", verify=pebble_root, timeout=10)
    assert response.status_code == 200
    assert "<html" in response.text.lower()


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_below_1_2_is_refused(host, acme_deploy, pebble_root):
    context = ssl.create_default_context(cafile=pebble_root)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    assert handshake(context)["version"] == "TLSv1.2"
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    with pytest.raises(ssl.SSLError):
        handshake(context)


def test_plain_http_redirects_to_https_except_health_and_challenges(host, acme_deploy):
    response = requests.get(SITE_HTTP_URL + "/some/page?x=1", allow_redirects=False, timeout=10)
    assert response.status_code == 301
    assert response.headers["Location"] == f"{HTTPS_URL}/some/page?x=1"
    assert requests.get(SITE_HTTP_URL + "/healthz", timeout=10).status_code == 200
    challenge = requests.get(
        SITE_HTTP_URL + "/.well-known/acme-challenge/no-such-token",
        allow_redirects=False,
        timeout=10,
    )
    assert challenge.status_code == 404, "the ACME challenge path is not served over HTTP"


def test_hsts_and_secure_cookies_and_login_over_https(
    host, acme_deploy, pebble_root, admin_password
):
    home = requests.get(HTTPS_URL + "/", verify=pebble_root, timeout=10)
    assert home.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    session = requests.Session()
    # Else REQUESTS_CA_BUNDLE, where set, would win over session.verify.
    session.trust_env = False
    session.verify = pebble_root
    page = session.get(f"{HTTPS_URL}/admin/login/", timeout=10)
    assert re.search(r"csrftoken=[^;]+;.*\bSecure\b", page.headers["Set-Cookie"], re.I)
    # CSRF trusts the https origin with its port: the login form posts.
    login(session, admin_password, base_url=HTTPS_URL)
    assert all(cookie.secure for cookie in session.cookies), list(session.cookies)
    assert "sessionid" in session.cookies


def test_check_deploy_has_no_warning_with_tls(host, acme_deploy):
    assert check_deploy_warnings(host) == set()


def test_second_run_changes_nothing_and_keeps_the_certificate(host, acme_deploy, pebble_root):
    before = served_certificate(pebble_root)["serialNumber"]
    result = run_site_yml("-e", json.dumps(ACME))
    assert recap_changed(result) == 0, failures(result.stdout)
    assert served_certificate(pebble_root)["serialNumber"] == before


def test_renewal_timer_is_active(host, acme_deploy):
    assert host.service(f"{RENEW_UNIT}.timer").is_running
    assert host.service(f"{RENEW_UNIT}.timer").is_enabled


def test_status_says_when_the_served_certificate_expires_and_who_issued_it(
    host, acme_deploy, pebble_root
):
    """(`host` keeps it in the file's order: TLS is turned off at the end.)"""
    served = served_certificate(pebble_root)
    expires = time.gmtime(ssl.cert_time_to_seconds(served["notAfter"]))
    inventory = os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "inventory")
    result = run_playbook(
        "playbooks/status.yml",
        "-e",
        json.dumps(ACME),
        inventory=inventory,
        env={"ANSIBLE_CALLBACK_RESULT_FORMAT": "json"},
    )
    assert f"expires {time.strftime('%Y-%m-%d %H:%M', expires)}Z, in " in result.stdout, (
        result.stdout[-3000:]
    )
    assert re.search(r"in \d+ days; issuer Pebble", result.stdout), result.stdout[-3000:]


def test_forced_renewal_serves_a_new_certificate_without_a_failed_request(
    host, acme_deploy, pebble_root
):
    before = served_certificate(pebble_root)["serialNumber"]
    host.check_output("systemctl set-environment CERTBOT_RENEW_ARGS=--force-renewal")
    try:
        with RequestLoop(HTTPS_URL, verify=pebble_root) as loop:
            started = time.monotonic()
            host.check_output("systemctl start %s.service", RENEW_UNIT)
            seconds = time.monotonic() - started
            time.sleep(1)
    finally:
        host.check_output("systemctl unset-environment CERTBOT_RENEW_ARGS")
    print(f"forced renewal: {seconds:.1f} s, {loop.sent} requests, {len(loop.failed)} failed")
    loop.assert_none_failed()
    assert served_certificate(pebble_root)["serialNumber"] != before
    assert not host.file(f"/srv/{PROJECT}/secrets/acme/renewed").exists
    # Nothing to renew: the certificate nginx serves stays.
    renewed = served_certificate(pebble_root)["serialNumber"]
    host.check_output("systemctl start %s.service", RENEW_UNIT)
    assert served_certificate(pebble_root)["serialNumber"] == renewed


def test_certificate_from_the_vault(host, tmp_path):
    """django_stack_tls: files, with a chain from a CA made here; the key lands in one 0400 file."""
    made = site_certificate(SITE)
    ca_file, settings = tls_files_settings(tmp_path, made, django_stack_site_names=[SITE])
    result = run_site_yml("-vvv", "-e", f"@{settings}")

    served = served_certificate(str(ca_file))
    assert int(served["serialNumber"], 16) == made.serial
    assert requests.get(HTTPS_URL + "/", verify=str(ca_file), timeout=10).status_code == 200
    key_body = "".join(made.key_pem.strip().splitlines()[1:-1])
    assert key_body[:40] not in result.stdout + result.stderr, "the key is in the output"
    key_file = host.file(f"/srv/{PROJECT}/secrets/nginx/privkey.pem")
    assert (key_file.mode, key_file.uid) == (0o400, 10002)
    assert not host.file(f"/etc/systemd/system/{RENEW_UNIT}.timer").exists, "acme's timer stayed"
    assert recap_changed(run_site_yml("-e", f"@{settings}")) == 0


def test_tls_off_again_serves_plain_http(host, tls_off_afterwards):
    run_site_yml()
    tls_off_afterwards["tls_off"] = True
    assert requests.get(BASE_URL + "/", timeout=10).status_code == 200
    assert not host.file(f"/srv/{PROJECT}/secrets/nginx/privkey.pem").exists
    # Inside the host: on the controller, Docker's port forwarding accepts any connection.
    probe = host.run("timeout 3 bash -c %s", f"</dev/tcp/127.0.0.1/{HTTPS_PORT}")
    assert not probe.succeeded, "nginx still listens on the HTTPS port"
    assert check_deploy_warnings(host) <= {
        "security.W004",
        "security.W008",
        "security.W012",
        "security.W016",
    }
