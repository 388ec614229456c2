"""A site certificate from a CA made on the spot, as a user's certificate from the vault would be
(django_stack_tls: files): shared by the scenarios' TLS tests."""

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PEM = serialization.Encoding.PEM


@dataclass(frozen=True)
class SiteCertificate:
    ca_pem: str
    chain_pem: str
    key_pem: str
    serial: int


def site_certificate(name: str, days: int = 30) -> SiteCertificate:
    """A certificate for NAME (its subject and only alternative name), signed by a new CA."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} test CA")])
    now = datetime.datetime.now(datetime.UTC)
    valid = {
        "not_valid_before": now - datetime.timedelta(minutes=5),
        "not_valid_after": now + datetime.timedelta(days=days),
    }
    ca = (
        x509.CertificateBuilder(subject_name=ca_name, issuer_name=ca_name, **valid)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    site_key = ec.generate_private_key(ec.SECP256R1())
    site = (
        x509.CertificateBuilder(
            subject_name=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]),
            issuer_name=ca_name,
            **valid,
        )
        .public_key(site_key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = site_key.private_bytes(
        PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return SiteCertificate(
        ca_pem=ca.public_bytes(PEM).decode(),
        chain_pem=site.public_bytes(PEM).decode(),
        key_pem=key_pem,
        serial=site.serial_number,
    )


def tls_files_settings(directory: Path, made: SiteCertificate, **settings) -> tuple[Path, Path]:
    """The CA file a client checks MADE with, and a vars file that deploys MADE with
    django_stack_tls: files (and SETTINGS), as a vault would hold it: the key never goes on a
    command line."""
    ca_file = directory / "ca.pem"
    ca_file.write_text(made.ca_pem)
    vars_file = directory / "tls-files.yml"
    vars_file.write_text(
        json.dumps(
            {
                "django_stack_tls": "files",
                "nginx_proxy_tls_certificate": made.chain_pem,
                "nginx_proxy_tls_key": made.key_pem,
                **settings,
            }
        )
    )
    return ca_file, vars_file
