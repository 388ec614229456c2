#!/usr/bin/env bash
# Unpacks a release's code archive into RELEASE/code, a directory no running container mounts
# yet, then marks the code complete with its VERSION (RELEASE/code.complete). A leftover of an
# unpacking that was cut short is replaced. The archive is removed in any case. Files are owned
# by root, readable by all, writable by none but root.
#   bash unpack-release.sh RELEASE ARCHIVE VERSION
set -euo pipefail
readonly release=$1 archive=$2 version=$3
trap 'rm -f "$archive"' EXIT

rm -rf "$release/code" "$release/code.complete"
mkdir -p "$release/code"
chown root:root "$release"
chmod 0755 "$release"
tar --extract --gzip --file "$archive" --directory "$release/code" --no-same-owner
chown -R root:root "$release/code"
chmod -R u=rwX,go=rX "$release/code"
printf '%s\n' "$version" >"$release/code.complete.new"
chmod 0644 "$release/code.complete.new"
mv "$release/code.complete.new" "$release/code.complete"
