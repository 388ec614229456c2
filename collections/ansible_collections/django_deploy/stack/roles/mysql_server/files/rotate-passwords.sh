#!/usr/bin/env bash
# Run inside the database container (docker exec -i ... bash -c "$(cat rotate-passwords.sh)" -
# MODE): makes the server's accounts accept the passwords the settings give now. The server
# applies MYSQL_ROOT_PASSWORD and MYSQL_PASSWORD only when it initialises an empty data
# directory, so a password changed in the vault afterwards must be set in the running server.
#
# MODE rotate: root gets the new password; the site's account accepts the new password *and*
# the one it has now, so the live release keeps connecting until its successor, which has the
# new one, takes over. MODE retire (once the new release is live): the site's account accepts
# the new password only.
#
# stdin: three lines, each base64: the root password, the site's user name, its password.
# stdout: one "changed <account>" or "retired <account>" line per account changed.
# The passwords never appear in arguments or output: clients get them through MYSQL_PWD, SQL
# reaches the server on stdin.
set -euo pipefail
readonly mode=${1:-rotate}

decode() {
    local line
    IFS= read -r line
    printf '%s' "$line" | base64 --decode
}

root_password=$(decode)
site_user=$(decode)
site_password=$(decode)

client=$(command -v mariadb || command -v mysql) || {
    echo "neither mariadb nor mysql client in the container" >&2
    exit 1
}

# SQL string literal for a session with an empty sql_mode (backslash escapes apply).
sql_string() {
    local bs=\\ q=\'
    local value=${1//"$bs"/"$bs$bs"}
    value=${value//"$q"/"$bs$q"}
    printf "'%s'" "$value"
}

# Does ACCOUNT (user, host, protocol) log in with PASSWORD?
accepts() {
    local user=$1 protocol=$2 password=$3
    local -a where=(--protocol="$protocol")
    [[ $protocol == tcp ]] && where+=(--host=127.0.0.1)
    MYSQL_PWD=$password "$client" "${where[@]}" --user="$user" --execute='SELECT 1' \
        >/dev/null 2>&1
}

die() {
    echo "$*" >&2
    exit 1
}

# The account that changes passwords: the project's MariaDB image has OS user mysql as a
# unix_socket administrator (no password); an image with the mysql contract only has root,
# whose password is the file's (unchanged since initialisation, or already rotated). Decided
# here, outside any pipeline or command substitution, so a failure stops the script.
if "$client" --protocol=socket --user=mysql --execute='SELECT 1' >/dev/null 2>&1; then
    admin_user=mysql admin_password=
elif accepts root socket "$root_password"; then
    admin_user=root admin_password=$root_password
else
    die "cannot log in as an administrator: the server has no unix_socket account for OS" \
        "user mysql and root does not accept mysql_server_root_password. Set the root" \
        "password in the server by hand (ALTER USER), then run the deploy again."
fi

admin() {
    if [[ -n $admin_password ]]; then
        MYSQL_PWD=$admin_password "$client" --protocol=socket --user="$admin_user" "$@"
    else
        "$client" --protocol=socket --user="$admin_user" "$@"
    fi
}

# What the server answers to a query. Run as $(query ...) || exit 1: a failed query stops the
# script instead of reading as "no such account".
query() {
    admin --batch --skip-column-names --execute="$1" || die "the server refused a query: ${1%% FROM *}"
}

version=$(query 'SELECT VERSION()') || exit 1
mariadb_server=false
[[ ${version,,} == *mariadb* ]] && mariadb_server=true

exists() {
    local found
    found=$(query "SELECT 1 FROM mysql.user WHERE User = $(sql_string "$1") AND Host = $(sql_string "$2")") ||
        exit 1
    [[ $found == *1* ]]
}

# Runs the statement on stdin, in a session where backslash escapes apply.
statement() {
    { printf "SET SESSION sql_mode = '';\n"; cat; } | admin
}

# Accounts: user, host, protocol a client of that account uses here, password.
set_password() {
    local user=$1 host=$2 protocol=$3 password=$4
    exists "$user" "$host" || return 0
    accepts "$user" "$protocol" "$password" && return 0
    local account
    account="$(sql_string "$user")@$(sql_string "$host")"
    if $mariadb_server; then
        # Keeps other methods of the account (root@localhost OR unix_socket).
        printf 'SET PASSWORD FOR %s = PASSWORD(%s);\n' "$account" "$(sql_string "$password")"
    else
        printf 'ALTER USER %s IDENTIFIED BY %s;\n' "$account" "$(sql_string "$password")"
    fi | statement
    printf 'changed %s@%s\n' "$user" "$host"
}

# The new password beside the current one: MariaDB chains two password methods (OR), MySQL
# keeps the current one as secondary (RETAIN CURRENT PASSWORD).
add_password() {
    local user=$1 host=$2 password=$3
    exists "$user" "$host" || return 0
    accepts "$user" tcp "$password" && return 0
    local account current
    account="$(sql_string "$user")@$(sql_string "$host")"
    if $mariadb_server; then
        current=$(query "SELECT JSON_VALUE(Priv, '\$.authentication_string') FROM mysql.global_priv WHERE User = $(sql_string "$user") AND Host = $(sql_string "$host")") ||
            exit 1
        if [[ $current =~ ^\*[0-9A-F]{40}$ ]]; then
            printf 'ALTER USER %s IDENTIFIED VIA mysql_native_password USING %s OR mysql_native_password USING PASSWORD(%s);\n' \
                "$account" "$(sql_string "$current")" "$(sql_string "$password")"
        else
            printf 'SET PASSWORD FOR %s = PASSWORD(%s);\n' "$account" "$(sql_string "$password")"
        fi
    else
        printf 'ALTER USER %s IDENTIFIED BY %s RETAIN CURRENT PASSWORD;\n' "$account" "$(sql_string "$password")"
    fi | statement
    printf 'changed %s@%s\n' "$user" "$host"
}

# Only the new password, once nothing uses the old one.
retire_password() {
    local user=$1 host=$2 password=$3
    exists "$user" "$host" || return 0
    local account several
    account="$(sql_string "$user")@$(sql_string "$host")"
    if $mariadb_server; then
        # Two methods or more (a single one may still be listed as auth_or [{}]).
        several=$(query "SELECT COALESCE(JSON_LENGTH(Priv, '\$.auth_or'), 0) > 1 FROM mysql.global_priv WHERE User = $(sql_string "$user") AND Host = $(sql_string "$host")") ||
            exit 1
        [[ $several == *1* ]] || return 0
        printf 'ALTER USER %s IDENTIFIED VIA mysql_native_password USING PASSWORD(%s);\n' \
            "$account" "$(sql_string "$password")" | statement
    else
        several=$(query "SELECT JSON_EXTRACT(User_attributes, '\$.additional_password') IS NOT NULL FROM mysql.user WHERE User = $(sql_string "$user") AND Host = $(sql_string "$host")") ||
            exit 1
        [[ $several == *1* ]] || return 0
        printf 'ALTER USER %s DISCARD OLD PASSWORD;\n' "$account" | statement
    fi
    printf 'retired %s@%s\n' "$user" "$host"
}

case $mode in
    rotate)
        set_password root localhost socket "$root_password"
        set_password root % tcp "$root_password"
        add_password "$site_user" % "$site_password"
        ;;
    retire)
        accepts "$site_user" tcp "$site_password" ||
            die "the site's account does not accept the new password yet"
        retire_password "$site_user" % "$site_password"
        ;;
    *)
        echo "unknown mode $mode (rotate or retire)" >&2
        exit 2
        ;;
esac
