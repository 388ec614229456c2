#!/usr/bin/python
# -*- coding: utf-8 -*-
# Runs on the managed host: Python 2.7 (Ubuntu 16.04) up to the newest python3, so no f-strings
# and no type hints.
"""Sets the passwords the settings give in a running MariaDB (or MySQL) server's accounts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: mariadb_accounts
author: django-deploy maintainers
version_added: 0.1.0
short_description: Make a running database server accept the passwords the settings give now
description:
  - The server applies C(MYSQL_ROOT_PASSWORD) and C(MYSQL_PASSWORD) only when it initialises an
    empty data directory, so a password changed in the vault afterwards must be set in the running
    server. This module does it through the server's own client in its container (C(docker exec)),
    as the server's administrator.
  - O(mode=rotate) gives root the new password and adds the site account's new password beside its
    current one (MariaDB chains two C(mysql_native_password) methods, MySQL keeps the current one
    with C(RETAIN CURRENT PASSWORD)), so the live release keeps connecting until its successor,
    which reads the new one, takes over.
  - O(mode=retire), once the new release is live, leaves the site account only the new password.
  - The administrator is OS user C(mysql) through C(unix_socket) (the project's MariaDB image), else
    root with O(root_password) (an image with the C(mysql) image's contract).
  - Passwords never appear in a command line or in the output; clients get them through
    C(MYSQL_PWD) (C(docker exec --env MYSQL_PWD) takes its value from the module's environment),
    statements reach the server on stdin.
  - Accounts the server does not have are left out; an account that accepts its password already
    is left alone, so a second run changes nothing.
options:
  container:
    description: The database server's container.
    type: str
    required: true
  mode:
    description: V(rotate) before the web release that reads the new password, V(retire) after it.
    type: str
    choices: [rotate, retire]
    default: rotate
  root_password:
    description: Root's password from the settings.
    type: str
    required: true
  user:
    description: The site's database account (its host is C(%)).
    type: str
    required: true
  password:
    description: The site account's password from the settings.
    type: str
    required: true
attributes:
  check_mode:
    support: full
    details: Logs in and reads the accounts; the statements that would change them are not sent.
"""

EXAMPLES = r"""
- name: Set the passwords from the settings in the running server
  django_deploy.stack.mariadb_accounts:
    container: blog_mysql
    mode: rotate
    root_password: "{{ mysql_server_root_password }}"
    user: blog
    password: "{{ django_stack_database_password }}"
"""

RETURN = r"""
accounts:
  description: The accounts changed (C(user@host)); empty when the server accepted every password.
  type: list
  elements: str
  returned: always
server:
  description: The server's version, as C(SELECT VERSION()) gives it.
  type: str
  returned: always
administrator:
  description: The account the changes were made as.
  type: str
  returned: always
  sample: mysql@localhost (unix_socket)
"""

import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.django_deploy.stack.plugins.module_utils.docker_cli import DockerCli

CLIENTS = ("mariadb", "mysql")
NATIVE_HASH = re.compile(r"^\*[0-9A-F]{40}$")


class AccountsError(Exception):
    """A failure with the message the run stops with."""


def sql_string(value):
    """A SQL string literal for a session whose sql_mode is empty (backslash escapes apply)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def account_name(user, host):
    return sql_string(user) + "@" + sql_string(host)


def account_query(expression, table, user, host):
    """SELECT EXPRESSION of one account's row in TABLE (the names are sql_string literals)."""
    where = "User = %s AND Host = %s" % (sql_string(user), sql_string(host))
    return "SELECT %s FROM %s WHERE %s" % (expression, table, where)  # noqa: S608


class ContainerClient:
    """The server's command-line client, run in its container (a DockerCli)."""

    def __init__(self, docker, container):
        self.docker = docker
        self.container = container
        self.program = self._find_program()

    def _find_program(self):
        for program in CLIENTS:
            rc, _out, _err = self.docker.exec_in(self.container, [program, "--version"])
            if rc == 0:
                return program
        raise AccountsError(
            "neither the mariadb nor the mysql client runs in the container %s" % self.container
        )

    def call(self, user, protocol, password=None, execute=None, stdin=None):
        argv = [self.program, "--protocol=" + protocol]
        if protocol == "tcp":
            argv.append("--host=127.0.0.1")
        argv.extend(["--user=" + user, "--batch", "--skip-column-names"])
        if execute is not None:
            argv.append("--execute=" + execute)
        environ = {} if password is None else {"MYSQL_PWD": password}
        return self.docker.exec_in(self.container, argv, environ, stdin)


class Accounts:
    """The server's accounts, changed as its administrator."""

    def __init__(self, client, root_password, check_mode=False):
        self.client = client
        self.root_password = root_password
        self.check_mode = check_mode
        self.changed = []
        self.admin_user, self.admin_password = self._administrator()
        self.version = self.query("SELECT VERSION()").strip()
        self.mariadb = "mariadb" in self.version.lower()

    def accepts(self, user, protocol, password):
        """Does the account a client of USER reaches over PROTOCOL take PASSWORD?"""
        rc, _out, _err = self.client.call(user, protocol, password, execute="SELECT 1")
        return rc == 0

    def _administrator(self):
        rc, _out, _err = self.client.call("mysql", "socket", execute="SELECT 1")
        if rc == 0:
            return "mysql", None
        if self.accepts("root", "socket", self.root_password):
            return "root", self.root_password
        raise AccountsError(
            "cannot log in as an administrator: the server has no unix_socket account for OS user"
            " mysql and root does not accept mysql_server_root_password. Set the root password in"
            " the server by hand (ALTER USER), then run the deploy again."
        )

    @property
    def administrator(self):
        if self.admin_password is None:
            return "mysql@localhost (unix_socket)"
        return "root@localhost"

    def query(self, sql):
        """The server's answer to a query; a refused query stops the run (it is no "no")."""
        rc, out, err = self.client.call(self.admin_user, "socket", self.admin_password, execute=sql)
        if rc != 0:
            raise AccountsError(
                "the server refused a query (%s): %s" % (sql.split(" FROM ")[0], err.strip())
            )
        return out

    def exists(self, user, host):
        found = self.query(account_query("1", "mysql.user", user, host))
        return "1" in found

    def statement(self, sql, account):
        """Sends SQL in a session where backslash escapes apply; records ACCOUNT as changed."""
        if not self.check_mode:
            rc, _out, err = self.client.call(
                self.admin_user,
                "socket",
                self.admin_password,
                stdin="SET SESSION sql_mode = '';\n" + sql,
            )
            if rc != 0:
                raise AccountsError("the server refused to change %s: %s" % (account, err.strip()))
        self.changed.append(account)

    def set_password(self, user, host, protocol, password):
        if not self.exists(user, host) or self.accepts(user, protocol, password):
            return
        if self.mariadb:
            # Keeps the account's other methods (root@localhost OR unix_socket).
            sql = "SET PASSWORD FOR %s = PASSWORD(%s);"
        else:
            sql = "ALTER USER %s IDENTIFIED BY %s;"
        self.statement(
            sql % (account_name(user, host), sql_string(password)), "%s@%s" % (user, host)
        )

    def add_password(self, user, host, password):
        """The new password beside the current one."""
        if not self.exists(user, host) or self.accepts(user, "tcp", password):
            return
        account = account_name(user, host)
        if not self.mariadb:
            sql = "ALTER USER %s IDENTIFIED BY %s RETAIN CURRENT PASSWORD;" % (
                account,
                sql_string(password),
            )
        else:
            current = self.query(
                account_query(
                    "JSON_VALUE(Priv, '$.authentication_string')", "mysql.global_priv", user, host
                )
            ).strip()
            if NATIVE_HASH.match(current):
                sql = (
                    "ALTER USER %s IDENTIFIED VIA mysql_native_password USING %s"
                    " OR mysql_native_password USING PASSWORD(%s);"
                    % (account, sql_string(current), sql_string(password))
                )
            else:
                sql = "SET PASSWORD FOR %s = PASSWORD(%s);" % (account, sql_string(password))
        self.statement(sql, "%s@%s" % (user, host))

    def retire_password(self, user, host, password):
        """Only the new password, once nothing uses the old one."""
        if not self.exists(user, host):
            return
        account = account_name(user, host)
        if self.mariadb:
            # Two methods or more (a single one may still be listed as auth_or [{}]).
            several = self.query(
                account_query(
                    "COALESCE(JSON_LENGTH(Priv, '$.auth_or'), 0) > 1",
                    "mysql.global_priv",
                    user,
                    host,
                )
            )
            sql = "ALTER USER %s IDENTIFIED VIA mysql_native_password USING PASSWORD(%s);" % (
                account,
                sql_string(password),
            )
        else:
            several = self.query(
                account_query(
                    "JSON_EXTRACT(User_attributes, '$.additional_password') IS NOT NULL",
                    "mysql.user",
                    user,
                    host,
                )
            )
            sql = "ALTER USER %s DISCARD OLD PASSWORD;" % account
        if "1" in several:
            self.statement(sql, "%s@%s" % (user, host))


def rotate_accounts(client, mode, root_password, user, password, check_mode=False):
    """Runs MODE against the server CLIENT reaches; returns the module's result."""
    accounts = Accounts(client, root_password, check_mode)
    if mode == "rotate":
        accounts.set_password("root", "localhost", "socket", root_password)
        accounts.set_password("root", "%", "tcp", root_password)
        accounts.add_password(user, "%", password)
    elif mode == "retire":
        if not accounts.accepts(user, "tcp", password):
            raise AccountsError(
                "the site's account %s@%% does not accept the new password yet: run the deploy"
                " (mode rotate) first" % user
            )
        accounts.retire_password(user, "%", password)
    else:
        raise AccountsError("unknown mode %s (rotate or retire)" % mode)
    return {
        "changed": bool(accounts.changed),
        "accounts": accounts.changed,
        "server": accounts.version,
        "administrator": accounts.administrator,
    }


def main():
    module = AnsibleModule(
        argument_spec={
            "container": {"type": "str", "required": True},
            "mode": {"type": "str", "choices": ["rotate", "retire"], "default": "rotate"},
            "root_password": {"type": "str", "required": True, "no_log": True},
            "user": {"type": "str", "required": True},
            "password": {"type": "str", "required": True, "no_log": True},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        docker = DockerCli(module.run_command, module.get_bin_path("docker", required=True))
        client = ContainerClient(docker, params["container"])
        result = rotate_accounts(
            client,
            params["mode"],
            params["root_password"],
            params["user"],
            params["password"],
            module.check_mode,
        )
    except AccountsError as error:
        module.fail_json(msg=str(error))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
