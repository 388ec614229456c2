#!/usr/bin/python
# -*- coding: utf-8 -*-
# Runs on the managed host: Python 2.7 (Ubuntu 16.04) up to the newest python3, so no f-strings
# and no type hints.
"""When a PEM certificate on the host expires, and who issued it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: tls_certificate_info
author: django-deploy maintainers
version_added: 0.1.0
short_description: Read when a certificate on the host expires and who issued it
description:
  - Reads the first certificate of a PEM file (a full chain's leaf) with the host's Python alone
    (its C(ssl) module; no C(cryptography) library is needed on the host).
  - A missing or unreadable file is not a failure; RV(error) says what is wrong.
  - Changes nothing.
options:
  path:
    description: The PEM file.
    type: path
    required: true
attributes:
  check_mode:
    support: full
"""

EXAMPLES = r"""
- name: Read the TLS certificate nginx serves
  django_deploy.stack.tls_certificate_info:
    path: /srv/blog/config/nginx/tls/fullchain.pem
  register: certificate
"""

RETURN = r"""
not_after:
  description: When the certificate expires, UTC (C(YYYY-MM-DD HH:MM)); empty on an error.
  type: str
  returned: always
days_left:
  description: Whole days until it expires (negative once it has); 0 on an error.
  type: int
  returned: always
issuer:
  description: The issuer's common and organization names; empty on an error.
  type: str
  returned: always
error:
  description: Why there is no certificate to read; empty when there is one.
  type: str
  returned: always
"""

import os
import ssl
import time

from ansible.module_utils.basic import AnsibleModule

ISSUER_NAMES = ("commonName", "organizationName")


def certificate_info(path, now, decode=None):
    """The certificate's expiry, days left at NOW (epoch seconds) and issuer, or the error."""
    decode = decode or ssl._ssl._test_decode_cert
    if not os.path.isfile(path):
        return {"not_after": "", "days_left": 0, "issuer": "", "error": "no file %s" % path}
    try:
        decoded = decode(path)
        expires = ssl.cert_time_to_seconds(decoded["notAfter"])
    except (ssl.SSLError, ValueError, KeyError, OSError, IOError) as error:
        return {"not_after": "", "days_left": 0, "issuer": "", "error": "%s: %s" % (path, error)}
    issuer = ", ".join(
        value for rdn in decoded.get("issuer", ()) for key, value in rdn if key in ISSUER_NAMES
    )
    return {
        "not_after": time.strftime("%Y-%m-%d %H:%M", time.gmtime(expires)),
        "days_left": int((expires - now) // 86400),
        "issuer": issuer,
        "error": "",
    }


def main():
    module = AnsibleModule(
        argument_spec={"path": {"type": "path", "required": True}}, supports_check_mode=True
    )
    module.exit_json(changed=False, **certificate_info(module.params["path"], time.time()))


if __name__ == "__main__":
    main()
