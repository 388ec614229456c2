"""roles/mysql_server/files/image/docker-entrypoint.sh, the MariaDB image's entrypoint: the first
start initialises an empty data directory (accounts and database from the mysql image's
environment contract, secrets from *_FILE, /docker-entrypoint-initdb.d), a later start upgrades
system tables an older server wrote, then the server runs.

The server's tools are fakes on PATH that log their calls and the SQL they read: mariadbd (a setup
server, run in the background, "listens" by creating its socket file and exits once a client sent
SHUTDOWN; the server proper writes its environment to a file and exits), the mariadb client,
mariadb-install-db and mariadb-upgrade. sleep is a fake too (a short real pause).

The script hard-codes its paths (lines 15-17 and 21: /var/lib/mysql, /docker-entrypoint-initdb.d,
/usr/share/mariadb/tzinfo.sql.gz, /run/mysqld/setup.sock). Only a container may use them, so the
tests of what runs after the data directory check run a copy of the script in which exactly these
four assignments point into tmp_path (relocated(), which fails if they change); everything else
is the script's text as it is. Two tests run the script itself."""

import gzip
import os
import shutil
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "roles/mysql_server/files/image/docker-entrypoint.sh"
PATHS = {
    "DATADIR": "/var/lib/mysql",
    "INITDB_DIR": "/docker-entrypoint-initdb.d",
    "TZINFO_SQL": "/usr/share/mariadb/tzinfo.sql.gz",
    "SETUP_SOCKET": "/run/mysqld/setup.sock",
}
REAL = {name: shutil.which(name) for name in ("sleep", "mkdir", "rm")}

FAKE_MARIADBD = r"""
if [[ ${1:-} == --version ]]; then
    log_call "$@"
    echo "/usr/sbin/mariadbd  Ver $FAKE_SERVER_VERSION-MariaDB-0+deb13u1 for debian-linux-gnu" \
        "on x86_64"
    exit 0
fi
log_call "$@"
if [[ " $* " == *" --skip-networking "* ]]; then
    echo $$ >"$FAKE_PID_FILE"
    socket=""
    for arg in "$@"; do
        [[ $arg == --socket=* ]] && socket=${arg#*=}
    done
    echo "[Note] setup server starting" >&2
    if [[ ${FAKE_SETUP:-ok} == crash ]]; then
        echo "[ERROR] InnoDB: The data file './ibdata1' could not be opened" >&2
        exit 1
    fi
    # Its log may outlive the entrypoint: not on the entrypoint's output.
    exec >>"$FAKE_STATE/setup-server.log" 2>&1
    for _ in $(seq 1 600); do
        [[ ${FAKE_SETUP:-ok} == silent || -e $socket ]] || : >"$socket"
        if [[ -e $FAKE_STATE/shutdown ]]; then
            {rm} -f "$socket" "$FAKE_STATE/shutdown"
            exit "${FAKE_SETUP_EXIT:-0}"
        fi
        {sleep} 0.02
    done
    exit 1
fi
export -p >"$FAKE_STATE/server.env"
echo "[Note] mariadbd: ready for connections."
"""

FAKE_CLIENT = r"""
socket=${MYSQL_UNIX_PORT:-/run/mysqld/mysqld.sock} execute=""
for arg in "$@"; do
    case $arg in
        --socket=*) socket=${arg#*=} ;;
        --execute=*) execute=${arg#*=} ;;
    esac
done
log_client_call "$@"
if [[ ! -e $socket ]]; then
    echo "ERROR 2002 (HY000): Can't connect to local server through socket '$socket' (2)" >&2
    exit 1
fi
case $execute in
    SHUTDOWN) : >"$FAKE_STATE/shutdown" ;;
    "SELECT 1") echo 1 ;;
esac
if [[ -n ${FAKE_SQL_FAIL:-} && ${stdin:-} == *"$FAKE_SQL_FAIL"* ]]; then
    echo "ERROR 1064 (42000) at line 1: You have an error in your SQL syntax" >&2
    exit 1
fi
"""

FAKE_INSTALL_DB = r"""
log_call "$@"
for arg in "$@"; do
    [[ $arg == --datadir=* ]] && datadir=${arg#*=}
done
echo "Installing MariaDB/MySQL system tables in '$datadir' ..."
if [[ ${FAKE_INSTALL_FAIL:-0} == 1 ]]; then
    echo "[ERROR] mariadbd: Can't create directory '$datadir/mysql' (Errcode: 28 No space left)"
    exit 1
fi
{mkdir} "$datadir/mysql"
if [[ -n ${FAKE_INSTALL_RECORDS:-} ]]; then
    printf '%s' "$FAKE_INSTALL_RECORDS" >"$datadir/mariadb_upgrade_info"
fi
echo "OK"
"""

FAKE_UPGRADE = r"""
log_call "$@"
printf '%s' "$FAKE_SERVER_VERSION-MariaDB" >"$FAKE_DATADIR/mariadb_upgrade_info"
"""

SERVER = "11.8.3"
ROOT_PASSWORD, SITE_PASSWORD = "root-pw-5e1d9a", "site-pw-0b7c44"
TZINFO = "INSERT INTO time_zone_name (Name, Time_zone_id) VALUES ('Europe/Paris', 1);\n"
ENV = {
    "MYSQL_ROOT_PASSWORD": ROOT_PASSWORD,
    "MYSQL_DATABASE": "blog",
    "MYSQL_USER": "blog",
    "MYSQL_PASSWORD": SITE_PASSWORD,
}


def relocated(root: Path) -> str:
    text = SCRIPT.read_text()
    for name, path in PATHS.items():
        line = f"readonly {name}={path}\n"
        assert text.count(line) == 1, f"{SCRIPT.name} no longer sets {line!r}: update this test"
        text = text.replace(line, f"readonly {name}={root}{path}\n")
    return text


@pytest.fixture
def image(host_bin, tmp_path):
    host_bin.real("date", "seq", "id", "gzip", "rm", "sort", "tail")
    server = FAKE_MARIADBD.replace("{rm}", REAL["rm"]).replace("{sleep}", REAL["sleep"])
    host_bin.fake("mariadbd", server)
    host_bin.fake("mariadb", FAKE_CLIENT)
    host_bin.fake("mariadb-install-db", FAKE_INSTALL_DB.replace("{mkdir}", REAL["mkdir"]))
    host_bin.fake("mariadb-upgrade", FAKE_UPGRADE)
    host_bin.fake("sleep", f'log_call "$@"\n{REAL["sleep"]} "${{FAKE_SLEEP:-0.05}}"\n')
    root = tmp_path / "image"
    for path in PATHS.values():
        (root / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
    datadir = root / "var/lib/mysql"
    datadir.mkdir()
    (root / "docker-entrypoint-initdb.d").mkdir()
    (root / "usr/share/mariadb/tzinfo.sql.gz").write_bytes(gzip.compress(TZINFO.encode()))
    state = tmp_path / "state"
    state.mkdir()
    script = tmp_path / "docker-entrypoint.sh"
    script.write_text(relocated(root))
    return {
        "bin": host_bin,
        "script": script,
        "datadir": datadir,
        "initdb": root / "docker-entrypoint-initdb.d",
        "socket": f"{root}/run/mysqld/setup.sock",
        "state": state,
        "env": {
            "FAKE_STATE": str(state),
            "FAKE_DATADIR": str(datadir),
            "FAKE_SERVER_VERSION": SERVER,
            "FAKE_PID_FILE": str(tmp_path / "setup-server.pid"),
        },
    }


def start(image: dict, *args: str, **env: str):
    command = args or ("mariadbd",)
    return image["bin"].run(image["script"], *command, env={**image["env"], **env})


def server_env(image: dict) -> str | None:
    path = image["state"] / "server.env"
    return path.read_text() if path.exists() else None


def sql(image: dict) -> list[str]:
    """What the setup clients read on stdin, one string per client."""
    return [call.stdin for call in image["bin"].calls("mariadb") if call.stdin is not None]


def server_tools(image: dict) -> list[str]:
    """The server's tools as they ran, each by name and first argument; not the clients that
    poll the setup server until it answers (as many as it takes)."""
    shown = []
    for call in image["bin"].calls("mariadbd", "mariadb", "mariadb-install-db", "mariadb-upgrade"):
        first = next((arg for arg in call.args if arg.startswith("--execute=")), None)
        if call.tool == "mariadbd":
            first = call.args[0] if call.args else ""
        if call.tool == "mariadb" and first is None:
            first = "<stdin>"
        if first != "--execute=SELECT 1":
            shown.append(f"{call.tool} {first or ''}".strip())
    return shown


def assert_initialised(image: dict, result) -> None:
    assert result.returncode == 0, result.stderr
    assert (image["datadir"] / "mysql").is_dir()
    assert not (image["datadir"] / ".initialisation-incomplete").exists()
    assert "initialisation finished" in result.stderr
    assert server_env(image) is not None


# The script as it is.


def test_another_command_runs_in_place_of_the_server(host_bin):
    result = host_bin.run(SCRIPT, "bash", "-c", "echo from the command: $0", "mariadb-dump")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "from the command: mariadb-dump\n"
    assert host_bin.calls() == []


@pytest.mark.skipif(os.access("/var/lib/mysql", os.W_OK), reason="/var/lib/mysql is writable here")
def test_a_data_directory_it_cannot_write_stops_the_start_with_the_fix(host_bin):
    host_bin.real("date", "id")
    host_bin.fake("mariadbd", 'log_call "$@"\n')

    result = host_bin.run(SCRIPT, "mariadbd")

    assert result.returncode == 1
    assert f"ERROR: /var/lib/mysql is not writable by uid {os.getuid()}" in result.stderr
    assert "chown 999:999 the directory mounted there" in result.stderr
    assert host_bin.calls("mariadbd") == []


# A copy whose hard-coded paths point into tmp_path.


def test_the_first_start_initialises_the_data_directory_then_runs_the_server(image):
    result = start(image, "mariadbd", "--max-connections=50", **ENV)

    assert_initialised(image, result)
    assert server_tools(image)[0] == "mariadb-install-db"
    install = image["bin"].calls("mariadb-install-db")[0].args
    assert install == [
        f"--datadir={image['datadir']}",
        "--skip-test-db",
        "--cross-bootstrap",
        "--auth-root-authentication-method=socket",
        "--auth-root-socket-user=mysql",
        "--max-connections=50",
    ]
    setup, server = [call.args for call in image["bin"].calls("mariadbd")]
    # No client outside the container reaches the setup server; nothing it runs is logged.
    assert setup == [
        "--skip-networking",
        f"--socket={image['socket']}",
        "--skip-log-bin",
        "--general-log=OFF",
        "--slow-query-log=OFF",
        "--max-connections=50",
    ]
    assert server == ["--max-connections=50"]
    tools = server_tools(image)
    # Time zones, the accounts, then the setup server shuts down before the server proper runs.
    assert tools[tools.index("mariadbd --skip-networking") + 1 :] == [
        "mariadb <stdin>",
        "mariadb <stdin>",
        "mariadb-upgrade",
        "mariadb --execute=SHUTDOWN",
        "mariadbd --max-connections=50",
    ]
    assert sql(image)[0] == TZINFO.rstrip("\n")
    tz_call = [call for call in image["bin"].calls("mariadb") if call.stdin][0]
    assert "--database=mysql" in tz_call.args
    assert all(
        f"--socket={image['socket']}" in call.args and "--user=mysql" in call.args
        for call in image["bin"].calls("mariadb")
    )
    assert "ready for connections" in result.stdout


def test_the_first_start_creates_the_accounts_and_the_database_of_the_environment(image):
    result = start(image, **ENV)

    assert_initialised(image, result)
    assert sql(image)[1].splitlines() == [
        "SET SESSION sql_mode = '';",
        "ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING"
        f" PASSWORD('{ROOT_PASSWORD}') OR unix_socket;",
        f"CREATE USER root@'%' IDENTIFIED BY '{ROOT_PASSWORD}';",
        "GRANT ALL PRIVILEGES ON *.* TO root@'%' WITH GRANT OPTION;",
        "CREATE DATABASE IF NOT EXISTS `blog`;",
        f"CREATE USER 'blog'@'%' IDENTIFIED BY '{SITE_PASSWORD}';",
        "GRANT ALL PRIVILEGES ON `blog`.* TO 'blog'@'%';",
    ]


def test_passwords_never_reach_a_process_argument_the_log_or_the_server(image):
    result = start(image, **ENV)

    assert_initialised(image, result)
    arguments = image["bin"].arguments()
    for secret in (ROOT_PASSWORD, SITE_PASSWORD):
        assert secret not in arguments
        assert secret not in result.stdout + result.stderr
        assert secret not in server_env(image)
    assert "MYSQL_ROOT_PASSWORD" not in server_env(image)
    assert "MYSQL_PASSWORD" not in server_env(image)


def test_quotes_backslashes_and_wildcards_are_escaped(image):
    env = {
        "MYSQL_ROOT_PASSWORD": "r'o\\ot",
        "MYSQL_DATABASE": "my_app%`x",
        "MYSQL_USER": "o'neil",
        "MYSQL_PASSWORD": "p\\'w",
    }

    result = start(image, **env)

    assert_initialised(image, result)
    statements = sql(image)[1].splitlines()
    assert statements[1].endswith("USING PASSWORD('r\\'o\\\\ot') OR unix_socket;")
    assert statements[4] == "CREATE DATABASE IF NOT EXISTS `my_app%``x`;"
    assert statements[5] == "CREATE USER 'o\\'neil'@'%' IDENTIFIED BY 'p\\\\\\'w';"
    # _ and % are wildcards in a grant's database name: the grant covers this database only.
    assert statements[6] == "GRANT ALL PRIVILEGES ON `my\\_app\\%``x`.* TO 'o\\'neil'@'%';"


def test_root_kept_to_localhost_gets_no_account_for_other_hosts(image):
    result = start(image, MYSQL_ROOT_PASSWORD=ROOT_PASSWORD, MYSQL_ROOT_HOST="localhost")

    assert_initialised(image, result)
    statements = sql(image)[1].splitlines()
    assert len(statements) == 2
    assert statements[1].startswith("ALTER USER root@localhost")


def test_secrets_may_come_from_files(image, tmp_path):
    (tmp_path / "root_password").write_text(ROOT_PASSWORD + "\n")
    (tmp_path / "site_password").write_text(SITE_PASSWORD)
    env = {
        "MYSQL_ROOT_PASSWORD_FILE": str(tmp_path / "root_password"),
        "MYSQL_USER": "blog",
        "MYSQL_PASSWORD_FILE": str(tmp_path / "site_password"),
    }

    result = start(image, **env)

    assert_initialised(image, result)
    statements = sql(image)[1]
    assert f"USING PASSWORD('{ROOT_PASSWORD}') OR unix_socket;" in statements
    assert f"CREATE USER 'blog'@'%' IDENTIFIED BY '{SITE_PASSWORD}';" in statements
    assert ROOT_PASSWORD not in server_env(image)
    assert "MYSQL_ROOT_PASSWORD_FILE" not in server_env(image)
    assert "MYSQL_PASSWORD_FILE" not in server_env(image)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"MYSQL_USER": "blog", "MYSQL_PASSWORD": SITE_PASSWORD},
            "the data directory is empty and MYSQL_ROOT_PASSWORD (or MYSQL_ROOT_PASSWORD_FILE)"
            " is not set",
        ),
        (
            {"MYSQL_ROOT_PASSWORD": ROOT_PASSWORD, "MYSQL_ROOT_PASSWORD_FILE": "/dev/null"},
            "both MYSQL_ROOT_PASSWORD and MYSQL_ROOT_PASSWORD_FILE are set; set only one of them",
        ),
        (
            {"MYSQL_ROOT_PASSWORD_FILE": "/nonexistent/root_password"},
            "MYSQL_ROOT_PASSWORD_FILE: cannot read /nonexistent/root_password",
        ),
        (
            {"MYSQL_ROOT_PASSWORD": ROOT_PASSWORD, "MYSQL_USER": "root", "MYSQL_PASSWORD": "x"},
            "MYSQL_USER=root: MYSQL_USER/MYSQL_PASSWORD create an application user",
        ),
        (
            {"MYSQL_ROOT_PASSWORD": ROOT_PASSWORD, "MYSQL_USER": "blog"},
            "MYSQL_USER is set but MYSQL_PASSWORD is not",
        ),
        (
            {"MYSQL_ROOT_PASSWORD": ROOT_PASSWORD, "MYSQL_PASSWORD": SITE_PASSWORD},
            "MYSQL_PASSWORD is set but MYSQL_USER is not",
        ),
    ],
    ids=["no-root-password", "both-forms", "unreadable", "user-root", "no-password", "no-user"],
)
def test_a_wrong_environment_stops_before_the_data_directory_is_touched(image, env, message):
    result = start(image, **env)

    assert result.returncode == 1
    assert f"ERROR: {message}" in result.stderr
    assert list(image["datadir"].iterdir()) == []  # a corrected start initialises it
    assert image["bin"].calls("mariadb-install-db", "mariadbd") == []
    for secret in (ROOT_PASSWORD, SITE_PASSWORD):
        assert secret not in result.stderr


def test_a_failed_install_shows_its_output_and_the_next_start_refuses_the_directory(image):
    result = start(image, FAKE_INSTALL_FAIL="1", **ENV)

    assert result.returncode == 1
    assert "Can't create directory" in result.stderr
    assert "ERROR: mariadb-install-db failed" in result.stderr
    assert server_env(image) is None

    again = start(image, **ENV)

    assert again.returncode == 1
    assert "an earlier initialisation of" in again.stderr
    assert "did not finish (see its log); empty the directory and start again" in again.stderr
    assert image["bin"].lines("mariadb-install-db") == [image["bin"].lines("mariadb-install-db")[0]]


def test_a_setup_server_that_exits_stops_the_start(image):
    result = start(image, FAKE_SETUP="crash", **ENV)

    assert result.returncode == 1
    assert "The data file './ibdata1' could not be opened" in result.stderr
    assert "ERROR: the setup server exited; its log is above" in result.stderr
    assert server_env(image) is None
    assert (image["datadir"] / ".initialisation-incomplete").exists()


def test_a_setup_server_that_never_listens_stops_the_start_after_120_tries(image):
    result = start(image, FAKE_SETUP="silent", FAKE_SLEEP="0", **ENV)

    assert result.returncode == 1
    assert "ERROR: the setup server did not accept connections within 120 s" in result.stderr
    assert image["bin"].lines("sleep") == ["sleep 1"] * 120
    assert server_env(image) is None


def test_a_setup_server_that_does_not_shut_down_cleanly_stops_the_start(image):
    result = start(image, FAKE_SETUP_EXIT="1", **ENV)

    assert result.returncode == 1
    assert "ERROR: the setup server did not shut down cleanly" in result.stderr
    assert server_env(image) is None
    assert (image["datadir"] / ".initialisation-incomplete").exists()


def test_initdb_scripts_run_in_order_against_the_setup_server(image, tmp_path):
    initdb = image["initdb"]
    (initdb / "10-schema.sql").write_text("CREATE TABLE posts (id INT);\n")
    (initdb / "20-data.sql.gz").write_bytes(gzip.compress(b"INSERT INTO posts VALUES (1);\n"))
    marker = tmp_path / "from-sh"
    (initdb / "30-plain.sh").write_text(f'echo "$MYSQL_UNIX_PORT" >{marker}\n')
    (initdb / "40-exec.sh").write_text(
        "#!/usr/bin/env bash\necho 'INSERT INTO posts VALUES (2);' | mariadb --database=blog\n"
    )
    (initdb / "40-exec.sh").chmod(0o755)
    (initdb / "50-notes.txt").write_text("DROP DATABASE blog;\n")

    result = start(image, **ENV)

    assert_initialised(image, result)
    assert sql(image)[2:] == [
        "CREATE TABLE posts (id INT);",
        "INSERT INTO posts VALUES (1);",
        "INSERT INTO posts VALUES (2);",
    ]
    file_clients = [call for call in image["bin"].calls("mariadb") if call.stdin][2:4]
    assert all("--database=blog" in call.args for call in file_clients)
    # A script's own client reaches the setup server, not the (absent) server proper.
    assert marker.read_text() == f"{image['socket']}\n"
    assert "ignoring" in result.stderr and "50-notes.txt (not *.sh, *.sql or *.sql.gz)" in (
        result.stderr
    )
    assert "MYSQL_UNIX_PORT" not in server_env(image)


def test_a_failing_initdb_script_stops_the_start_and_marks_the_directory_unfinished(image):
    (image["initdb"] / "10-schema.sql").write_text("CREATE TABLE posts (id INT;\n")

    result = start(image, FAKE_SQL_FAIL="CREATE TABLE posts", **ENV)

    assert result.returncode != 0
    assert "You have an error in your SQL syntax" in result.stderr
    assert server_env(image) is None
    assert (image["datadir"] / ".initialisation-incomplete").exists()


def test_an_account_the_server_refuses_stops_the_start(image):
    result = start(image, FAKE_SQL_FAIL="CREATE USER 'blog'", **ENV)

    assert result.returncode != 0
    assert "You have an error in your SQL syntax" in result.stderr
    assert server_env(image) is None
    assert (image["datadir"] / ".initialisation-incomplete").exists()
    assert SITE_PASSWORD not in result.stderr


def test_time_zones_are_left_out_on_request(image):
    result = start(image, MYSQL_INITDB_SKIP_TZINFO="1", **ENV)

    assert_initialised(image, result)
    assert TZINFO.rstrip("\n") not in sql(image)
    assert sql(image)[0].startswith("SET SESSION sql_mode = '';")


@pytest.mark.parametrize(("records", "upgrades"), [("", 1), (f"{SERVER}-MariaDB", 0)])
def test_a_version_not_recorded_at_install_is_recorded_by_an_upgrade(image, records, upgrades):
    result = start(image, FAKE_INSTALL_RECORDS=records, **ENV)

    assert_initialised(image, result)
    assert len(image["bin"].calls("mariadb-upgrade")) == upgrades
    assert (image["datadir"] / "mariadb_upgrade_info").read_text() == f"{SERVER}-MariaDB"


def test_a_data_directory_of_this_version_starts_the_server_at_once(image):
    (image["datadir"] / "mysql").mkdir()
    (image["datadir"] / "mariadb_upgrade_info").write_text(f"{SERVER}-MariaDB")

    result = start(image, "mariadbd", "--max-connections=50")

    assert result.returncode == 0, result.stderr
    assert server_tools(image) == ["mariadbd --version", "mariadbd --max-connections=50"]
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("record", "shown"),
    [("mysql_upgrade_info", "10.11.6"), (None, "an unknown version")],
)
def test_a_data_directory_of_an_older_server_has_its_system_tables_upgraded(image, record, shown):
    (image["datadir"] / "mysql").mkdir()
    if record:
        (image["datadir"] / record).write_text("10.11.6-MariaDB")

    result = start(image)

    assert result.returncode == 0, result.stderr
    assert f"upgrading system tables from {shown} to {SERVER}" in result.stderr
    assert server_tools(image) == [
        "mariadbd --version",
        "mariadbd --skip-networking",
        "mariadb-upgrade",
        "mariadb --execute=SHUTDOWN",
        "mariadbd",
    ]
    assert image["bin"].calls("mariadb-upgrade")[0].args == [
        "--protocol=socket",
        f"--socket={image['socket']}",
        "--user=mysql",
        "--silent",
    ]


def test_a_data_directory_of_a_newer_server_is_refused(image):
    (image["datadir"] / "mysql").mkdir()
    (image["datadir"] / "mariadb_upgrade_info").write_text("12.0.2-MariaDB")

    result = start(image)

    assert result.returncode == 1
    assert f"last written by MariaDB 12.0.2, newer than this server ({SERVER})" in result.stderr
    assert "cannot be downgraded in place" in result.stderr
    assert server_tools(image) == ["mariadbd --version"]


def test_an_unfinished_initialisation_is_refused(image):
    (image["datadir"] / "mysql").mkdir()
    (image["datadir"] / ".initialisation-incomplete").write_text("")

    result = start(image, **ENV)

    assert result.returncode == 1
    assert "an earlier initialisation of" in result.stderr
    assert image["bin"].calls("mariadbd") == []


@pytest.mark.parametrize("command", [("--max-connections=50",), ("mysqld", "--max-connections=50")])
def test_options_alone_or_mysqld_run_the_mariadb_server(image, command):
    (image["datadir"] / "mysql").mkdir()
    (image["datadir"] / "mariadb_upgrade_info").write_text(f"{SERVER}-MariaDB")

    result = start(image, *command)

    assert result.returncode == 0, result.stderr
    assert image["bin"].lines("mariadbd")[-1] == "mariadbd --max-connections=50"
