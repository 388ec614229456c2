"""plugins/modules/mariadb_accounts.py against a fake server.

The fake plays the docker CLI and the database client in the container: it lets an account in
only with a password it lists (given through MYSQL_PWD, which `docker exec --env MYSQL_PWD` takes
from the CLI's environment), lets OS user mysql in through unix_socket when it has a socket
administrator, answers the module's queries, and records every statement it reads on stdin. The
statements are not applied; a test that needs a later state sets it up."""

import re

import pytest
from ansible_collections.django_deploy.stack.plugins.module_utils.docker_cli import DockerCli
from ansible_collections.django_deploy.stack.plugins.modules.mariadb_accounts import (
    AccountsError,
    ContainerClient,
    rotate_accounts,
)

MARIADB = "11.8.3-MariaDB-0+deb13u1"
MYSQL = "8.4.6"
ROOT_OLD = "root-old-7c1e"
ROOT_NEW = "root-new-93fa"
SITE_OLD = "site-old-51d0"
SITE_NEW = "site-new-e2b4"
NATIVE_HASH = "*" + "A1" * 20
SECRETS = [ROOT_OLD, ROOT_NEW, SITE_OLD, SITE_NEW, NATIVE_HASH]
SESSION = "SET SESSION sql_mode = '';\n"


class FakeServer:
    def __init__(self):
        self.accounts = {}  # "user@host" -> passwords it accepts
        self.clients = ["mariadb"]
        self.socket_admin = True
        self.version = MARIADB
        self.auth_string = NATIVE_HASH
        self.fail_statements = False
        self.calls = []  # (argv, stdin, environment)

    def run(self, argv, data=None, environ_update=None):
        environ = dict(environ_update or {})
        assert set(environ) <= {"MYSQL_PWD"}
        self.calls.append((list(argv), data, environ))
        assert argv[:2] == ["docker", "exec"]
        rest = argv[2:]
        if "--interactive" in rest:
            rest.remove("--interactive")
        password = None
        if rest[:2] == ["--env", "MYSQL_PWD"]:
            password = environ["MYSQL_PWD"]
            rest = rest[2:]
        container, program, options = rest[0], rest[1], rest[2:]
        assert container == "blog_mysql"
        if program not in self.clients:
            return 127, "", 'exec: "%s": executable file not found in $PATH' % program
        if options == ["--version"]:
            return 0, "%s  Ver 15.1 Distrib %s" % (program, self.version), ""
        values = dict(option[2:].split("=", 1) for option in options if "=" in option)
        return self.answer(values["user"], values["protocol"], password, values, data)

    def answer(self, user, protocol, password, values, stdin):
        if protocol == "socket" and user == "mysql" and password is None:
            if not self.socket_admin:
                return 1, "", "ERROR 1698 (28000): Access denied for user 'mysql'@'localhost'"
            admin = True
        else:
            host = "localhost" if protocol == "socket" else "%"
            if password not in self.accounts.get("%s@%s" % (user, host), []):
                return 1, "", "ERROR 1045 (28000): Access denied for user '%s'@'%s'" % (user, host)
            admin = user == "root"
        execute = values.get("execute")
        if execute is None:
            if not admin:
                return 1, "", "ERROR 1227 (42000): Access denied"
            if self.fail_statements:
                return 1, "", "ERROR 1396 (HY000): Operation ALTER USER failed"
            return 0, "", ""
        named = re.search(r"User = '([^']*)' AND Host = '([^']*)'", execute)
        account = "%s@%s" % named.groups() if named else None
        if execute == "SELECT 1":
            return 0, "1\n", ""
        if execute == "SELECT VERSION()":
            return 0, self.version + "\n", ""
        if execute.startswith("SELECT 1 FROM mysql.user"):
            return 0, "1\n" if account in self.accounts else "", ""
        if "authentication_string" in execute:
            return 0, self.auth_string + "\n", ""
        if "auth_or" in execute or "additional_password" in execute:
            return 0, "1\n" if len(self.accounts.get(account, [])) > 1 else "0\n", ""
        return 1, "", "ERROR 1064 (42000): unexpected query: " + execute

    def statements(self):
        """The SQL sent on stdin, one string per client call."""
        return [stdin for _argv, stdin, _env in self.calls if stdin]

    def statement_calls(self):
        return [argv for argv, stdin, _env in self.calls if stdin]

    def arguments(self):
        return " ".join(" ".join(argv) for argv, _stdin, _env in self.calls)


@pytest.fixture
def server():
    return FakeServer()


def old_accounts(server):
    server.accounts.update(
        {"root@localhost": [ROOT_OLD], "root@%": [ROOT_OLD], "site@%": [SITE_OLD]}
    )


def rotate(server, mode="rotate", root=ROOT_NEW, password=SITE_NEW, check_mode=False):
    client = ContainerClient(DockerCli(server.run), "blog_mysql")
    return rotate_accounts(client, mode, root, "site", password, check_mode)


def assert_no_secret_leaked(server, result):
    """No password in any command line, nor in what the module returns."""
    arguments = server.arguments()
    for secret in SECRETS:
        assert secret not in arguments
        assert secret not in repr(result)


def test_rotate_on_mariadb_sets_root_and_adds_the_site_password_beside_its_current_one(server):
    old_accounts(server)

    result = rotate(server)

    assert result["changed"] is True
    assert result["accounts"] == ["root@localhost", "root@%", "site@%"]
    assert server.statements() == [
        SESSION + "SET PASSWORD FOR 'root'@'localhost' = PASSWORD('%s');" % ROOT_NEW,
        SESSION + "SET PASSWORD FOR 'root'@'%%' = PASSWORD('%s');" % ROOT_NEW,
        SESSION + "ALTER USER 'site'@'%%' IDENTIFIED VIA mysql_native_password USING"
        " '%s' OR mysql_native_password USING PASSWORD('%s');" % (NATIVE_HASH, SITE_NEW),
    ]
    # The statements ran as OS user mysql through unix_socket, with no password.
    for argv in server.statement_calls():
        assert "--user=mysql" in argv and "--protocol=socket" in argv
        assert "--env" not in argv
    assert result["administrator"] == "mysql@localhost (unix_socket)"
    assert result["server"] == MARIADB
    assert_no_secret_leaked(server, result)


def test_rotate_on_mysql_uses_alter_user_and_retains_the_site_password(server):
    old_accounts(server)
    server.version = MYSQL

    result = rotate(server)

    assert result["accounts"] == ["root@localhost", "root@%", "site@%"]
    assert [sql.splitlines()[1] for sql in server.statements()] == [
        "ALTER USER 'root'@'localhost' IDENTIFIED BY '%s';" % ROOT_NEW,
        "ALTER USER 'root'@'%%' IDENTIFIED BY '%s';" % ROOT_NEW,
        "ALTER USER 'site'@'%%' IDENTIFIED BY '%s' RETAIN CURRENT PASSWORD;" % SITE_NEW,
    ]
    assert_no_secret_leaked(server, result)


def test_rotate_changes_nothing_when_the_server_accepts_the_passwords_already(server):
    server.accounts.update(
        {"root@localhost": [ROOT_NEW], "root@%": [ROOT_NEW], "site@%": [SITE_OLD, SITE_NEW]}
    )

    result = rotate(server)

    assert result["changed"] is False and result["accounts"] == []
    assert server.statements() == []


def test_rotate_leaves_out_accounts_the_server_does_not_have(server):
    server.accounts.update({"root@localhost": [ROOT_OLD], "site@%": [SITE_NEW]})

    result = rotate(server)

    assert result["accounts"] == ["root@localhost"]
    assert len(server.statements()) == 1
    assert "'root'@'%'" not in server.arguments()


def test_a_site_account_without_a_native_password_hash_gets_set_password(server):
    old_accounts(server)
    server.auth_string = ""

    rotate(server)

    assert server.statements()[-1].splitlines()[1] == (
        "SET PASSWORD FOR 'site'@'%%' = PASSWORD('%s');" % SITE_NEW
    )


def test_quotes_and_backslashes_in_a_password_are_escaped_in_the_sql(server):
    server.accounts.update({"root@localhost": [ROOT_NEW], "site@%": [SITE_OLD]})
    odd = "it's\\a-new\\'one"

    rotate(server, password=odd)

    assert server.statements()[-1].endswith("USING PASSWORD('it\\'s\\\\a-new\\\\\\'one');")
    assert odd not in server.arguments()


def test_root_administers_with_its_password_when_mysql_has_no_socket_account(server):
    # The mysql image's contract: root only. Its password is already the new one.
    server.accounts.update(
        {"root@localhost": [ROOT_NEW], "root@%": [ROOT_OLD], "site@%": [SITE_OLD]}
    )
    server.version, server.socket_admin = MYSQL, False

    result = rotate(server)

    assert result["accounts"] == ["root@%", "site@%"]
    assert result["administrator"] == "root@localhost"
    calls = [call for call in server.calls if call[1]]
    assert len(calls) == 2
    for argv, _stdin, environ in calls:
        assert "--user=root" in argv
        assert argv[argv.index("--env") + 1] == "MYSQL_PWD"
        assert environ == {"MYSQL_PWD": ROOT_NEW}
    assert_no_secret_leaked(server, result)


def test_the_mysql_client_serves_when_there_is_no_mariadb_client(server):
    server.clients = ["mysql"]
    old_accounts(server)

    result = rotate(server)

    assert len(result["accounts"]) == 3
    assert all(argv[argv.index("blog_mysql") + 1] == "mysql" for argv in server.statement_calls())


def test_no_client_fails_with_a_clear_message(server):
    server.clients = []

    with pytest.raises(AccountsError, match="neither the mariadb nor the mysql client runs"):
        rotate(server)


def test_a_statement_the_server_rejects_fails_and_says_which_account(server):
    old_accounts(server)
    server.fail_statements = True

    with pytest.raises(AccountsError) as failure:
        rotate(server)

    message = str(failure.value)
    assert "root@localhost" in message and "Operation ALTER USER failed" in message
    assert all(secret not in message for secret in SECRETS)


def test_a_refused_query_stops_the_run_instead_of_reading_as_no_account(server):
    old_accounts(server)
    server.version = MARIADB
    answer = server.answer

    def refuse_account_queries(user, protocol, password, values, stdin):
        if values.get("execute", "").startswith("SELECT 1 FROM mysql.user"):
            return 1, "", "ERROR 1142 (42000): SELECT command denied"
        return answer(user, protocol, password, values, stdin)

    server.answer = refuse_account_queries
    with pytest.raises(AccountsError, match="refused a query .*SELECT command denied"):
        rotate(server)
    assert server.statements() == []


def test_no_administrator_login_fails_the_rotation(server):
    old_accounts(server)
    server.socket_admin = False

    with pytest.raises(AccountsError, match="cannot log in as an administrator"):
        rotate(server)
    assert server.statements() == []


def test_check_mode_reports_the_changes_without_sending_them(server):
    old_accounts(server)

    result = rotate(server, check_mode=True)

    assert result["changed"] is True
    assert result["accounts"] == ["root@localhost", "root@%", "site@%"]
    assert server.statements() == []


def test_retire_on_mariadb_leaves_only_the_new_password(server):
    server.accounts.update({"site@%": [SITE_OLD, SITE_NEW]})

    result = rotate(server, mode="retire")

    assert result["accounts"] == ["site@%"]
    assert server.statements() == [
        SESSION + "ALTER USER 'site'@'%%' IDENTIFIED VIA mysql_native_password"
        " USING PASSWORD('%s');" % SITE_NEW
    ]
    assert_no_secret_leaked(server, result)


def test_retire_on_mysql_discards_the_old_password(server):
    server.accounts.update({"site@%": [SITE_OLD, SITE_NEW]})
    server.version = MYSQL

    result = rotate(server, mode="retire")

    assert result["accounts"] == ["site@%"]
    assert [sql.splitlines()[1] for sql in server.statements()] == [
        "ALTER USER 'site'@'%' DISCARD OLD PASSWORD;"
    ]


@pytest.mark.parametrize("version", [MARIADB, MYSQL])
def test_retire_changes_nothing_when_the_old_password_is_gone_already(server, version):
    server.accounts.update({"site@%": [SITE_NEW]})
    server.version = version

    result = rotate(server, mode="retire")

    assert result["changed"] is False
    assert server.statements() == []


def test_retire_refuses_while_the_site_account_lacks_the_new_password(server):
    server.accounts.update({"site@%": [SITE_OLD]})

    with pytest.raises(AccountsError, match="does not accept the new password yet"):
        rotate(server, mode="retire")
    assert server.statements() == []


def test_an_unknown_mode_fails(server):
    old_accounts(server)

    with pytest.raises(AccountsError, match="unknown mode rotat"):
        rotate(server, mode="rotat")
    assert server.statements() == []
