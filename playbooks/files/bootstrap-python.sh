#!/bin/sh
# Run by playbooks/python.yml through Ansible's raw action, before anything needs Python on the
# host: makes sure the Python the controller can drive is there, with apt bindings and requests.
# Usage: bootstrap-python.sh MIN_PYTHON3_MINOR PYTHON2_OK(yes|no) CHECK_MODE(yes|no)
# Prints "interpreter=<path>" and one of "present", "installed: <packages>", "would install:
# <packages>", or "unsupported: <why>" (exit 3).
set -eu
min_minor=$1 python2_ok=$2 check_mode=$3

# The system's files; the unit tests (playbooks/tests) point these at made-up ones.
os_release=${BOOTSTRAP_OS_RELEASE:-/etc/os-release}
debian_version=${BOOTSTRAP_DEBIAN_VERSION:-/etc/debian_version}

id=unknown version_id=unknown
if [ -r "$os_release" ]; then
    # shellcheck disable=SC1090
    . "$os_release"
    id=${ID:-unknown} version_id=${VERSION_ID:-unknown}
fi
if [ ! -r "$debian_version" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "unsupported: $id $version_id is not Debian, Ubuntu or a derivative with apt"
    exit 3
fi

case "$id:$version_id" in
    ubuntu:14.04 | ubuntu:16.04)
        # python3 is 3.5 there, which no ansible-core manages: Python 2.7 it is.
        interpreter=/usr/bin/python2.7
        packages="python2.7 python-apt python-requests python-backports.ssl-match-hostname"
        if [ "$python2_ok" != yes ]; then
            echo "interpreter=$interpreter"
            echo "unsupported: Ubuntu $version_id needs Python 2.7 on the host, which this controller's ansible-core no longer drives; use the legacy controller: make setup-legacy, then .venv-legacy/bin/ansible-playbook"
            exit 3
        fi
        ;;
    *)
        interpreter=/usr/bin/python3
        packages="python3 python3-apt python3-requests"
        ;;
esac
echo "interpreter=$interpreter"

# A python3 too old for this controller is refused before anything is installed; one installed
# just now is checked once it is there.
check_python3() {
    [ "$interpreter" = /usr/bin/python3 ] && [ -x "$interpreter" ] || return 0
    minor=$("$interpreter" -c 'import sys; print(sys.version_info[1])')
    if [ "$minor" -lt "$min_minor" ]; then
        echo "unsupported: $id $version_id has Python 3.$minor; this controller's ansible-core needs 3.$min_minor or newer on the host; use the legacy controller: make setup-legacy, then .venv-legacy/bin/ansible-playbook"
        exit 3
    fi
}
check_python3

missing=""
for package in $packages; do
    status=$(dpkg-query --show --showformat='${db:Status-Status}' "$package" 2>/dev/null || true)
    [ "$status" = installed ] || missing="$missing $package"
done
missing=${missing# }

if [ -n "$missing" ]; then
    if [ "$check_mode" = yes ]; then
        echo "would install: $missing"
        exit 0
    fi
    export DEBIAN_FRONTEND=noninteractive
    # $missing is a list of package names: split on purpose.
    # shellcheck disable=SC2086
    if ! apt-get install --yes --quiet --no-install-recommends $missing >/dev/null 2>&1; then
        apt-get update --quiet >/dev/null 2>&1 || true
        # shellcheck disable=SC2086
        if ! apt-get install --yes --quiet --no-install-recommends $missing >/tmp/bootstrap-python.log 2>&1; then
            echo "unsupported: apt-get could not install $missing (universe enabled? see /tmp/bootstrap-python.log on the host): $(tail -n 1 /tmp/bootstrap-python.log)"
            exit 3
        fi
    fi
    echo "installed: $missing"
    check_python3
fi

[ -n "$missing" ] || echo present
