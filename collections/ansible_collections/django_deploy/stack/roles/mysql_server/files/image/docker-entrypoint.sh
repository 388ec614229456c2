#!/usr/bin/env bash
# Entrypoint of the MariaDB image. It honours the environment contract of the official mysql
# image (MYSQL_ROOT_PASSWORD, MYSQL_ROOT_HOST, MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD, their
# *_FILE variants, MYSQL_INITDB_SKIP_TZINFO, /docker-entrypoint-initdb.d), so mysql:8.4 can take
# its place without changes elsewhere.
#
# Bash rather than Python: this image has no Python, and adding one to a database image only to
# run its entrypoint costs more than it saves.
#
# Secrets: SQL that carries a password reaches the client through a pipe from bash's builtin
# printf, so it never appears in a process's arguments and never touches the disk (a here-document
# may be spooled to a temporary file).
set -euo pipefail

readonly DATADIR=/var/lib/mysql
readonly INITDB_DIR=/docker-entrypoint-initdb.d
readonly TZINFO_SQL=/usr/share/mariadb/tzinfo.sql.gz
# Initialisation and upgrades run a server with networking off on a socket of its own, so no
# client outside the container can connect, and the HEALTHCHECK (default socket) keeps failing
# until the real server is up.
readonly SETUP_SOCKET=/run/mysqld/setup.sock
# Present while initialisation runs: a data directory that has system tables but no application
# user must not be mistaken for a finished one.
readonly INCOMPLETE_MARKER="$DATADIR/.initialisation-incomplete"

setup_pid=""

log() {
    printf '%s [entrypoint] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

die() {
    log "ERROR: $*"
    exit 1
}

# VAR may also be given as VAR_FILE, a path to a file holding the value (docker secrets).
file_env() {
    local var=$1
    local file_var="${var}_FILE"
    if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
        die "both $var and $file_var are set; set only one of them"
    fi
    if [[ -n ${!file_var:-} ]]; then
        [[ -r ${!file_var} ]] || die "$file_var: cannot read ${!file_var}"
        printf -v "$var" '%s' "$(<"${!file_var}")"
        export "${var?}"
    fi
    unset "$file_var"
}

# SQL string literal. The setup session runs with an empty sql_mode, so backslash escapes apply.
sql_string() {
    local bs=\\ q=\'
    local value=${1//"$bs"/"$bs$bs"}
    value=${value//"$q"/"$bs$q"}
    printf "'%s'" "$value"
}

sql_identifier() {
    local bt='`'
    printf '%s%s%s' "$bt" "${1//"$bt"/"$bt$bt"}" "$bt"
}

# In "GRANT ... ON db.*" the database name is a pattern in which _ and % are wildcards; escaping
# them keeps the grant to exactly this database (my_app must not also cover myXapp).
grant_database() {
    local bs=\\ us=_ pct=%
    local name=${1//"$bs"/"$bs$bs"}
    name=${name//"$us"/"$bs$us"}
    name=${name//"$pct"/"$bs$pct"}
    sql_identifier "$name"
}

# Client of the setup server, authenticated as OS user mysql through unix_socket.
setup_client() {
    mariadb --protocol=socket --socket="$SETUP_SOCKET" --user=mysql \
        --default-character-set=utf8mb4 "$@"
}

start_setup_server() {
    # Nothing run during setup belongs in a binary, general or slow log: it carries passwords.
    mariadbd --skip-networking --socket="$SETUP_SOCKET" --skip-log-bin \
        --general-log=OFF --slow-query-log=OFF "$@" &
    setup_pid=$!
    local waited
    for waited in $(seq 1 120); do
        if setup_client --execute='SELECT 1' >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$setup_pid" 2>/dev/null || die "the setup server exited; its log is above"
        sleep 1
    done
    die "the setup server did not accept connections within ${waited} s"
}

stop_setup_server() {
    setup_client --execute='SHUTDOWN'
    wait "$setup_pid" || die "the setup server did not shut down cleanly"
    setup_pid=""
}

check_environment() {
    local var
    for var in MYSQL_ROOT_PASSWORD MYSQL_ROOT_HOST MYSQL_DATABASE MYSQL_USER MYSQL_PASSWORD; do
        file_env "$var"
    done
    [[ -n ${MYSQL_ROOT_PASSWORD:-} ]] ||
        die "the data directory is empty and MYSQL_ROOT_PASSWORD (or MYSQL_ROOT_PASSWORD_FILE)" \
            "is not set; set it to initialise the database (there is no default password)"
    if [[ -n ${MYSQL_USER:-} ]]; then
        [[ $MYSQL_USER != root ]] ||
            die "MYSQL_USER=root: MYSQL_USER/MYSQL_PASSWORD create an application user;" \
                "root is configured with MYSQL_ROOT_PASSWORD"
        [[ -n ${MYSQL_PASSWORD:-} ]] || die "MYSQL_USER is set but MYSQL_PASSWORD is not"
    elif [[ -n ${MYSQL_PASSWORD:-} ]]; then
        die "MYSQL_PASSWORD is set but MYSQL_USER is not"
    fi
}

# Account and database statements, written to stdout for the setup client's stdin.
accounts_sql() {
    local root_password root_host
    root_password=$(sql_string "$MYSQL_ROOT_PASSWORD")
    root_host=${MYSQL_ROOT_HOST:-%}
    printf "SET SESSION sql_mode = '';\n"
    printf 'ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD(%s)' \
        "$root_password"
    printf ' OR unix_socket;\n'
    if [[ $root_host != localhost ]]; then
        printf 'CREATE USER root@%s IDENTIFIED BY %s;\n' "$(sql_string "$root_host")" "$root_password"
        printf 'GRANT ALL PRIVILEGES ON *.* TO root@%s WITH GRANT OPTION;\n' \
            "$(sql_string "$root_host")"
    fi
    if [[ -n ${MYSQL_DATABASE:-} ]]; then
        printf 'CREATE DATABASE IF NOT EXISTS %s;\n' "$(sql_identifier "$MYSQL_DATABASE")"
    fi
    if [[ -n ${MYSQL_USER:-} ]]; then
        printf "CREATE USER %s@'%%' IDENTIFIED BY %s;\n" \
            "$(sql_string "$MYSQL_USER")" "$(sql_string "$MYSQL_PASSWORD")"
        if [[ -n ${MYSQL_DATABASE:-} ]]; then
            printf "GRANT ALL PRIVILEGES ON %s.* TO %s@'%%';\n" \
                "$(grant_database "$MYSQL_DATABASE")" "$(sql_string "$MYSQL_USER")"
        fi
    fi
}

run_initdb_scripts() {
    local path
    local -a database_arg=()
    if [[ -n ${MYSQL_DATABASE:-} ]]; then
        database_arg=(--database="$MYSQL_DATABASE")
    fi
    # Clients that scripts start reach the setup server through this (no socket is configured
    # for clients, so the variable wins).
    export MYSQL_UNIX_PORT="$SETUP_SOCKET"
    for path in "$INITDB_DIR"/*; do
        [[ -f $path ]] || continue
        case $path in
            *.sh)
                log "running $path"
                if [[ -x $path ]]; then
                    "$path"
                else
                    bash "$path"
                fi
                ;;
            *.sql)
                log "running $path"
                setup_client "${database_arg[@]}" <"$path"
                ;;
            *.sql.gz)
                log "running $path"
                gzip --decompress --stdout "$path" | setup_client "${database_arg[@]}"
                ;;
            *)
                log "ignoring $path (not *.sh, *.sql or *.sql.gz)"
                ;;
        esac
    done
    unset MYSQL_UNIX_PORT
}

initialise() {
    check_environment
    log "initialising an empty data directory"
    : >"$INCOMPLETE_MARKER"
    local output
    # --cross-bootstrap leaves out the grants that name this container's (throwaway) host name.
    if ! output=$(mariadb-install-db --datadir="$DATADIR" --skip-test-db --cross-bootstrap \
        --auth-root-authentication-method=socket --auth-root-socket-user=mysql "$@" 2>&1); then
        printf '%s\n' "$output" >&2
        die "mariadb-install-db failed"
    fi
    start_setup_server "$@"
    if [[ -z ${MYSQL_INITDB_SKIP_TZINFO:-} ]]; then
        # Named time zones let Django's date lookups convert from UTC (CONVERT_TZ).
        gzip --decompress --stdout "$TZINFO_SQL" | setup_client --database=mysql
    fi
    accounts_sql | setup_client
    run_initdb_scripts
    if [[ -z $(recorded_version) ]]; then
        # MariaDB before 11 does not record the version at install time; without the record the
        # next start would take the directory for an old one and upgrade it.
        upgrade_system_tables
    fi
    stop_setup_server
    rm -f "$INCOMPLETE_MARKER"
    log "initialisation finished"
}

# The server version that last wrote the system tables, as mariadb-upgrade records it (MariaDB
# before 11 named the file mysql_upgrade_info); empty if unknown.
recorded_version() {
    local name version
    for name in mariadb_upgrade_info mysql_upgrade_info; do
        if [[ -r $DATADIR/$name ]]; then
            version=$(<"$DATADIR/$name")
            printf '%s' "${version%%-*}"
            return 0
        fi
    done
}

upgrade_system_tables() {
    mariadb-upgrade --protocol=socket --socket="$SETUP_SOCKET" --user=mysql --silent
}

# A data directory written by an older MariaDB (say, a bookworm-based image) needs its system
# tables upgraded; the official mysql server does the same on its own.
upgrade_if_needed() {
    local server_version data_version
    server_version=$(mariadbd --version)
    server_version=${server_version#*Ver }
    server_version=${server_version%%-*}
    data_version=$(recorded_version)
    if [[ $data_version == "$server_version" ]]; then
        return 0
    fi
    if [[ -n $data_version && $(printf '%s\n' "$data_version" "$server_version" | sort -V | tail -n 1) != "$server_version" ]]; then
        die "$DATADIR was last written by MariaDB $data_version, newer than this server" \
            "($server_version): MariaDB cannot be downgraded in place; run an image with" \
            "MariaDB $data_version or newer, or restore a backup into an empty data directory"
    fi
    log "upgrading system tables from ${data_version:-an unknown version} to $server_version"
    start_setup_server "$@"
    upgrade_system_tables
    stop_setup_server
}

main() {
    if [[ ${1:-} == -* ]]; then
        set -- mariadbd "$@"
    fi
    if [[ ${1:-} != mariadbd && ${1:-} != mysqld ]]; then
        exec "$@"
    fi
    shift

    [[ -w $DATADIR ]] ||
        die "$DATADIR is not writable by uid $(id -u); on the host, chown 999:999 the directory" \
            "mounted there"
    [[ ! -e $INCOMPLETE_MARKER ]] ||
        die "an earlier initialisation of $DATADIR did not finish (see its log); empty the" \
            "directory and start again"
    if [[ -d $DATADIR/mysql ]]; then
        upgrade_if_needed "$@"
    else
        initialise "$@"
    fi

    unset MYSQL_ROOT_PASSWORD MYSQL_PASSWORD
    exec mariadbd "$@"
}

main "$@"
