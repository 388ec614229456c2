"""plugins/modules/tls_certificate_info.py, as `make status` reads the certificate nginx serves:
certificates made here with the openssl command."""

import ssl
import subprocess
import time

import pytest
from ansible_collections.django_deploy.stack.plugins.modules.tls_certificate_info import (
    certificate_info,
)

DAY = 86400


@pytest.fixture
def chain(tmp_path):
    """A full chain whose first certificate (the leaf) is valid for 30 days; its expiry time."""
    key, leaf = tmp_path / "key.pem", tmp_path / "leaf.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-keyout",
         str(key), "-out", str(leaf), "-subj", "/O=Test Issuer/CN=Test CA R1"],
        check=True, capture_output=True,
    )  # fmt: skip
    end = subprocess.run(
        ["openssl", "x509", "-noout", "-enddate", "-in", str(leaf)],
        check=True, capture_output=True, text=True,
    ).stdout.strip().split("=", 1)[1]  # fmt: skip
    full = tmp_path / "fullchain.pem"
    other = tmp_path / "other.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "900", "-keyout",
         str(key), "-out", str(other), "-subj", "/CN=Another"],
        check=True, capture_output=True,
    )  # fmt: skip
    full.write_text(leaf.read_text() + other.read_text())
    return full, ssl.cert_time_to_seconds(end)


def test_expiry_days_left_and_issuer_of_the_first_certificate(chain):
    path, expires = chain
    info = certificate_info(str(path), expires - 10.5 * DAY)
    assert info["error"] == ""
    assert info["days_left"] == 10
    assert info["not_after"] == time.strftime("%Y-%m-%d %H:%M", time.gmtime(expires))
    assert info["issuer"] == "Test Issuer, Test CA R1", "not in the certificate's order"


def test_an_expired_certificate_has_negative_days(chain):
    path, expires = chain
    assert certificate_info(str(path), expires + 2.5 * DAY)["days_left"] == -3


def test_a_missing_or_broken_file_is_an_error_not_a_failure(tmp_path):
    missing = certificate_info(str(tmp_path / "none.pem"), 0)
    assert missing["error"] == f"no file {tmp_path}/none.pem"
    assert (missing["not_after"], missing["days_left"], missing["issuer"]) == ("", 0, "")
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    info = certificate_info(str(broken), 0)
    assert info["error"].startswith(f"{broken}: ")
    assert info["not_after"] == ""
