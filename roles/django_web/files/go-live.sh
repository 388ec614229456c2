#!/usr/bin/env bash
# Puts a healthy release live, then retires the releases it replaces: one round trip for what
# follows the health check of a switch (tasks/switch.yml).
#   bash go-live.sh PROJECT RELEASES_DIR ID NEW_CONTAINER LIVE_NAME SOCKET_DIR LIVE_SOCKET
#                   CODE_LINK SOCKET_OWNER DRAIN_SECONDS STOP_SECONDS
# 1. The engine restarts the new container from now on (it had no restart policy until healthy).
# 2. Traffic moves: LIVE_SOCKET is pointed at the new release's socket by renaming a new link
#    over it, so nginx's next connection goes to the new release and none finds no socket.
# 3. The release's live_since, the releases/current and CODE_LINK links follow (a code directory
#    from before releases, still mounted by the old container, moves aside into RELEASES_DIR).
# 4. The containers of earlier releases get DRAIN_SECONDS to finish what they accepted, then are
#    stopped (uWSGI finishes in-flight requests on SIGTERM, for up to STOP_SECONDS) and removed.
# 5. The new container takes LIVE_NAME.
set -euo pipefail
readonly project=$1 releases=$2 id=$3 new_container=$4 live_name=$5 socket_dir=$6 live_socket=$7
readonly code_link=$8 socket_owner=$9 drain=${10} stop=${11}

# Replaces LINK by a symbolic link to TARGET in one rename.
relink() {
    local target=$1 link=$2 owner=${3:-root:root}
    ln -sfn "$target" "$link.new"
    chown -h "$owner" "$link.new"
    mv -T "$link.new" "$link"
}

docker update --restart unless-stopped "$new_container" >/dev/null
relink "web-$id.sock" "$socket_dir/$live_socket" "$socket_owner"

date -u +%Y-%m-%dT%H:%M:%SZ >"$releases/$id/live_since.new"
chmod 0644 "$releases/$id/live_since.new"
mv "$releases/$id/live_since.new" "$releases/$id/live_since"
if [[ -d $code_link && ! -L $code_link ]]; then
    mv "$code_link" "$releases/before-releases"
fi
relink "$id" "$releases/current"
relink "$releases/$id/code" "$code_link"

# The web containers of the project but the new one; the live name also covers a container made
# before releases carried labels. Names are the last column of docker ps (no Go template: the
# script passes through Ansible).
mapfile -t old < <(
    {
        docker ps --all --filter "label=django-deploy.project=$project" \
            --filter label=django-deploy.service=web | awk 'NR > 1 { print $NF }'
        echo "$live_name"
    } | grep -vxF "$new_container" | sort -u
)
present=()
for name in "${old[@]}"; do
    if docker container inspect "$name" >/dev/null 2>&1; then
        present+=("$name")
    fi
done
if ((${#present[@]} > 0)); then
    sleep "$drain"
    docker stop --time "$stop" "${present[@]}" >/dev/null
    docker rm "${present[@]}" >/dev/null
fi
docker rename "$new_container" "$live_name"
