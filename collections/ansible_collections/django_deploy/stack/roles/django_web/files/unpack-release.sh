#!/usr/bin/env bash
# Copies the uWSGI configuration UWSGI_INI into RELEASE and unpacks the release's code, a gzip tar
# archive in base64 on stdin, into RELEASE/code, a directory no running container mounts yet;
# then marks the code complete with its VERSION (RELEASE/code.complete). Code already complete
# with that VERSION is kept; a leftover of an unpacking that was cut short is replaced. Files are
# owned by root, readable by all, writable by none but root. Prints "changed" when it unpacked.
#   unpack-release.sh RELEASE VERSION UWSGI_INI <ARCHIVE_BASE64
set -euo pipefail
readonly release=$1 version=$2 uwsgi_ini=$3

mkdir -p "$release"
chown root:root "$release"
chmod 0755 "$release"
install -o root -g root -m 0644 "$uwsgi_ini" "$release/uwsgi.ini"
if [[ -f $release/code.complete && $(<"$release/code.complete") == "$version" ]]; then
    cat >/dev/null
    exit 0
fi

rm -rf "$release/code" "$release/code.complete"
mkdir "$release/code"
base64 --decode | tar --extract --gzip --directory "$release/code" --no-same-owner
chown -R root:root "$release/code"
chmod -R u=rwX,go=rX "$release/code"
printf '%s\n' "$version" >"$release/code.complete.new"
chmod 0644 "$release/code.complete.new"
mv "$release/code.complete.new" "$release/code.complete"
echo changed
