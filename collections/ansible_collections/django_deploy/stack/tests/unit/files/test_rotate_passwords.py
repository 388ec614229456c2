"""roles/mysql_server/files/rotate-passwords.sh, as tasks/passwords.yml runs it in the database
container: `bash -c SCRIPT rotate-passwords MODE`, stdin the root password, the site's user and
its password, each base64, one a line; stdout one "changed ACCOUNT" / "retired ACCOUNT" line per
account changed (the task's changed_when and report read them), rc != 0 fails the deploy with
stderr.

The client is a fake `mariadb` (or `mysql`) that plays the server: it logs its arguments and the
SQL it reads on stdin, lets an account in only with a password its file in FAKE_ACCOUNTS lists
(given through MYSQL_PWD, as the real client takes it), lets OS user mysql in through unix_socket
when FAKE_SOCKET_ADMIN=1, and answers the script's queries. The statements it reads are not
applied; a test that needs a later state sets it up."""

import base64
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "roles/mysql_server/files/rotate-passwords.sh"

FAKE_CLIENT = r"""
protocol="" user="" execute=""
for arg in "$@"; do
    case $arg in
        --protocol=*) protocol=${arg#*=} ;;
        --user=*) user=${arg#*=} ;;
        --execute=*) execute=${arg#*=} ;;
    esac
done
log_client_call "$@"

# Builtins only from here: a logged tool would log what it is given.
accepts() {  # FILE PASSWORD
    local line
    [[ -f $1 ]] || return 1
    while IFS= read -r line; do
        [[ $line == "$2" ]] && return 0
    done <"$1"
    return 1
}
count() {
    local line n=0
    while IFS= read -r line; do n=$((n + 1)); done <"$1"
    echo "$n"
}

admin=false
if [[ $protocol == socket && $user == mysql && -z ${MYSQL_PWD+set} ]]; then
    [[ ${FAKE_SOCKET_ADMIN:-0} == 1 ]] || {
        echo "ERROR 1698 (28000): Access denied for user 'mysql'@'localhost'" >&2
        exit 1
    }
    admin=true
else
    host=%
    [[ $protocol == socket ]] && host=localhost
    accepts "$FAKE_ACCOUNTS/$user@$host" "${MYSQL_PWD-}" || {
        echo "ERROR 1045 (28000): Access denied for user '$user'@'$host'" >&2
        exit 1
    }
    [[ $user == root ]] && admin=true
fi

re="User = '([^']*)' AND Host = '([^']*)'"
[[ $execute =~ $re ]] && file=$FAKE_ACCOUNTS/${BASH_REMATCH[1]}@${BASH_REMATCH[2]}
case $execute in
    "SELECT 1") echo 1 ;;
    "") $admin || exit 1
        [[ ${FAKE_FAIL_STATEMENTS:-0} == 0 ]] || {
            echo "ERROR 1396 (HY000): Operation ALTER USER failed" >&2
            exit 1
        } ;;
    "SELECT VERSION()") echo "$FAKE_VERSION" ;;
    "SELECT 1 FROM mysql.user"*) [[ ! -f $file ]] || echo 1 ;;
    *authentication_string*) echo "$FAKE_AUTH_STRING" ;;
    *auth_or* | *additional_password*) (($(count "$file") > 1)) && echo 1 || echo 0 ;;
    *) echo "ERROR 1064 (42000): unexpected query: $execute" >&2; exit 1 ;;
esac
"""

MARIADB = "11.8.3-MariaDB-0+deb13u1"
MYSQL = "8.4.6"
ROOT_OLD, ROOT_NEW = "root-old-7c1e", "root-new-93fa"
SITE_OLD, SITE_NEW = "site-old-51d0", "site-new-e2b4"
NATIVE_HASH = "*" + "A1" * 20
SECRETS = [ROOT_OLD, ROOT_NEW, SITE_OLD, SITE_NEW]


@pytest.fixture
def server(host_bin, tmp_path):
    accounts = tmp_path / "accounts"
    accounts.mkdir()
    host_bin.real("base64", "grep", "cat")
    host_bin.fake("mariadb", FAKE_CLIENT)
    return {"bin": host_bin, "accounts": accounts}


def accounts(server: dict, by_account: dict[str, list[str]]) -> None:
    """The server's accounts (user@host) and the passwords each accepts."""
    for name, passwords in by_account.items():
        (server["accounts"] / name).write_text("".join(f"{password}\n" for password in passwords))


def stdin_lines(*values: str, newline: bool = True) -> str:
    text = "\n".join(base64.b64encode(value.encode()).decode() for value in values)
    return text + ("\n" if newline else "")


def rotate(
    server: dict,
    mode: str = "rotate",
    root: str = ROOT_NEW,
    user: str = "site",
    password: str = SITE_NEW,
    version: str = MARIADB,
    socket_admin: bool = True,
    auth_string: str = NATIVE_HASH,
    fail_statements: bool = False,
    newline: bool = True,
):
    env = {
        "FAKE_ACCOUNTS": str(server["accounts"]),
        "FAKE_SOCKET_ADMIN": "1" if socket_admin else "0",
        "FAKE_VERSION": version,
        "FAKE_AUTH_STRING": auth_string,
        "FAKE_FAIL_STATEMENTS": "1" if fail_statements else "0",
    }
    return server["bin"].run(
        SCRIPT, mode, stdin=stdin_lines(root, user, password, newline=newline), env=env
    )


def statements(server: dict) -> list[str]:
    """The SQL the administrator sent on stdin, one string per client call."""
    return [call.stdin for call in server["bin"].calls("mariadb", "mysql") if call.stdin]


def assert_no_secret_leaked(server: dict, result) -> None:
    arguments = server["bin"].arguments()
    for secret in [*SECRETS, NATIVE_HASH]:
        assert secret not in arguments
        assert secret not in result.stdout
        assert secret not in result.stderr


def old_accounts(server: dict) -> None:
    accounts(server, {"root@localhost": [ROOT_OLD], "root@%": [ROOT_OLD], "site@%": [SITE_OLD]})


def test_rotate_on_mariadb_sets_root_and_adds_the_site_password_beside_its_current_one(server):
    old_accounts(server)

    result = rotate(server)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "changed root@localhost",
        "changed root@%",
        "changed site@%",
    ]
    session = "SET SESSION sql_mode = '';\n"
    assert statements(server) == [
        f"{session}SET PASSWORD FOR 'root'@'localhost' = PASSWORD('{ROOT_NEW}');",
        f"{session}SET PASSWORD FOR 'root'@'%' = PASSWORD('{ROOT_NEW}');",
        f"{session}ALTER USER 'site'@'%' IDENTIFIED VIA mysql_native_password USING"
        f" '{NATIVE_HASH}' OR mysql_native_password USING PASSWORD('{SITE_NEW}');",
    ]
    # The statements ran as OS user mysql through unix_socket, with no password.
    admin_calls = [call for call in server["bin"].calls("mariadb") if call.stdin]
    assert all("--user=mysql" in call.args for call in admin_calls)
    assert_no_secret_leaked(server, result)


def test_rotate_on_mysql_uses_alter_user_and_retains_the_site_password(server):
    old_accounts(server)

    result = rotate(server, version=MYSQL)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "changed root@localhost",
        "changed root@%",
        "changed site@%",
    ]
    assert [sql.splitlines()[1] for sql in statements(server)] == [
        f"ALTER USER 'root'@'localhost' IDENTIFIED BY '{ROOT_NEW}';",
        f"ALTER USER 'root'@'%' IDENTIFIED BY '{ROOT_NEW}';",
        f"ALTER USER 'site'@'%' IDENTIFIED BY '{SITE_NEW}' RETAIN CURRENT PASSWORD;",
    ]
    assert_no_secret_leaked(server, result)


def test_rotate_changes_nothing_when_the_server_accepts_the_passwords_already(server):
    accounts(server, {"root@localhost": [ROOT_NEW], "root@%": [ROOT_NEW]})
    accounts(server, {"site@%": [SITE_OLD, SITE_NEW]})

    result = rotate(server)

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # the task reports "ok", not "changed"
    assert statements(server) == []


def test_rotate_leaves_out_accounts_the_server_does_not_have(server):
    accounts(server, {"root@localhost": [ROOT_OLD], "site@%": [SITE_NEW]})

    result = rotate(server)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["changed root@localhost"]
    assert len(statements(server)) == 1
    assert not any("'root'@'%'" in call.line for call in server["bin"].calls("mariadb"))


def test_a_site_account_without_a_native_password_hash_gets_set_password(server):
    old_accounts(server)

    result = rotate(server, auth_string="")

    assert result.returncode == 0, result.stderr
    assert statements(server)[-1].splitlines()[1] == (
        f"SET PASSWORD FOR 'site'@'%' = PASSWORD('{SITE_NEW}');"
    )


def test_quotes_and_backslashes_in_a_password_are_escaped_in_the_sql(server):
    accounts(server, {"root@localhost": [ROOT_NEW], "site@%": [SITE_OLD]})
    odd = "it's\\a-new\\'one"

    result = rotate(server, password=odd)

    assert result.returncode == 0, result.stderr
    assert statements(server)[-1].endswith("USING PASSWORD('it\\'s\\\\a-new\\\\\\'one');")
    assert odd not in server["bin"].arguments()


def test_root_administers_with_its_password_when_mysql_has_no_socket_account(server):
    # The mysql image's contract: root only. Its password is already the new one.
    accounts(server, {"root@localhost": [ROOT_NEW], "root@%": [ROOT_OLD], "site@%": [SITE_OLD]})

    result = rotate(server, version=MYSQL, socket_admin=False)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["changed root@%", "changed site@%"]
    admin_calls = [call for call in server["bin"].calls("mariadb") if call.stdin]
    assert len(admin_calls) == 2
    assert all("--user=root" in call.args for call in admin_calls)
    assert_no_secret_leaked(server, result)


def test_the_mysql_client_serves_when_there_is_no_mariadb_client(server):
    (server["bin"].dir / "mariadb").rename(server["bin"].dir / "mysql")
    old_accounts(server)

    result = rotate(server)

    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
    assert server["bin"].calls("mysql")


def test_no_client_fails_with_a_clear_message(server):
    (server["bin"].dir / "mariadb").unlink()

    result = rotate(server)

    assert result.returncode == 1
    assert "neither mariadb nor mysql client in the container" in result.stderr


def test_stdin_without_a_final_newline_is_read_whole(server):
    accounts(server, {"root@localhost": [ROOT_NEW], "site@%": [SITE_OLD]})

    result = rotate(server, newline=False)

    assert result.returncode == 0, result.stderr
    assert statements(server)[-1].endswith(f"USING PASSWORD('{SITE_NEW}');")


def test_a_statement_the_server_rejects_fails_without_claiming_a_change(server):
    old_accounts(server)

    result = rotate(server, fail_statements=True)

    assert result.returncode != 0
    assert "changed" not in result.stdout
    assert "Operation ALTER USER failed" in result.stderr
    assert_no_secret_leaked(server, result)


def test_no_administrator_login_fails_the_rotation(server):
    accounts(server, {"root@localhost": [ROOT_OLD], "root@%": [ROOT_OLD], "site@%": [SITE_OLD]})

    result = rotate(server, socket_admin=False)

    assert "cannot log in as an administrator" in result.stderr
    assert result.returncode == 1


def test_retire_on_mariadb_leaves_only_the_new_password(server):
    accounts(server, {"site@%": [SITE_OLD, SITE_NEW]})

    result = rotate(server, mode="retire")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["retired site@%"]
    assert statements(server) == [
        "SET SESSION sql_mode = '';\nALTER USER 'site'@'%' IDENTIFIED VIA mysql_native_password"
        f" USING PASSWORD('{SITE_NEW}');"
    ]
    assert_no_secret_leaked(server, result)


def test_retire_on_mysql_discards_the_old_password(server):
    accounts(server, {"site@%": [SITE_OLD, SITE_NEW]})

    result = rotate(server, mode="retire", version=MYSQL)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["retired site@%"]
    assert [sql.splitlines()[1] for sql in statements(server)] == [
        "ALTER USER 'site'@'%' DISCARD OLD PASSWORD;"
    ]


@pytest.mark.parametrize("version", [MARIADB, MYSQL])
def test_retire_changes_nothing_when_the_old_password_is_gone_already(server, version):
    accounts(server, {"site@%": [SITE_NEW]})

    result = rotate(server, mode="retire", version=version)

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert statements(server) == []


def test_retire_refuses_while_the_site_account_lacks_the_new_password(server):
    accounts(server, {"site@%": [SITE_OLD]})

    result = rotate(server, mode="retire")

    assert result.returncode == 1
    assert "the site's account does not accept the new password yet" in result.stderr
    assert statements(server) == []
    assert_no_secret_leaked(server, result)


def test_an_unknown_mode_fails(server):
    old_accounts(server)

    result = rotate(server, mode="rotat")

    assert result.returncode == 2
    assert "unknown mode rotat (rotate or retire)" in result.stderr
    assert statements(server) == []
