#!/usr/bin/env bash
# Writes the site's secret key (read from stdin) into DIR/secret_key. When it replaces another
# key, the replaced one goes first into DIR/secret_key_fallbacks (Django's SECRET_KEY_FALLBACKS:
# sessions and signed links made with it stay valid), which keeps at most KEPT keys.
# Prints "changed" when it wrote anything. No key is ever an argument or output.
#   rotate-secret-key.sh DIR KEPT UID < key
set -euo pipefail
umask 077
readonly dir=$1 kept=$2 owner=$3
readonly key_file=$dir/secret_key fallbacks_file=$dir/secret_key_fallbacks

new=$(cat)
current=""
if [[ -f $key_file ]]; then
    current=$(<"$key_file")
fi
[[ -f $fallbacks_file ]] || touch "$fallbacks_file"
# Done already: the same key, both files private to the owner.
if [[ $current == "$new" ]] &&
    [[ $(stat --format=%u:%a "$key_file" "$fallbacks_file") == "$owner:400"$'\n'"$owner:400" ]]; then
    exit 0
fi

# The newest replaced key first; never the live key, never one twice.
if [[ -n $current && $current != "$new" ]]; then
    printf '%s\n' "$current"
fi >"$fallbacks_file.new"
NEW_KEY=$new awk 'BEGIN { new = ENVIRON["NEW_KEY"] } $0 != "" && $0 != new && !seen[$0]++' \
    "$fallbacks_file" >>"$fallbacks_file.new"
awk -v kept="$kept" '!seen[$0]++ && ++n <= kept' "$fallbacks_file.new" >"$fallbacks_file.kept"
rm -f "$fallbacks_file.new"
printf '%s' "$new" >"$key_file.new"
chown "$owner:$owner" "$fallbacks_file.kept" "$key_file.new"
chmod 0400 "$fallbacks_file.kept" "$key_file.new"
mv -f "$fallbacks_file.kept" "$fallbacks_file"
mv -f "$key_file.new" "$key_file"
echo changed
