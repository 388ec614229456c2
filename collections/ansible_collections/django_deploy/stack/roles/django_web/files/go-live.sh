#!/usr/bin/env bash
# Puts a healthy release live, then retires the releases it replaces: one round trip for what
# follows the health check of a switch (tasks/switch.yml).
#   go-live.sh PROJECT RELEASES_DIR ID NEW_CONTAINER LIVE_NAME SOCKET_DIR LIVE_SOCKET
#              CODE_LINK SOCKET_OWNER DRAIN_SECONDS STOP_SECONDS [COMMAND ARGS...] <RECORD
# 0. A new release's record (JSON) on stdin becomes RELEASES_DIR/ID/release.json; a rollback's
#    release has its record already and gets {}.
# 1. The engine restarts the new container from now on (it had no restart policy until healthy).
# 2. Traffic moves: LIVE_SOCKET is pointed at the new release's socket by renaming a new link
#    over it, so nginx's next connection goes to the new release and none finds no socket.
# 3. The release's live_since, the releases/current and CODE_LINK links follow (a code directory
#    from before releases, still mounted by the old container, moves aside into RELEASES_DIR).
# 4. The containers of earlier releases drain: until no connection waits in their sockets' accept
#    queues (polled every 0.25 s in their network namespaces; the whole DRAIN_SECONDS on a host
#    without nsenter and ss), for at most DRAIN_SECONDS. Then they are stopped (uWSGI finishes
#    the requests its workers took on SIGTERM, for up to STOP_SECONDS) and removed.
# 5. The new container takes LIVE_NAME.
# 6. COMMAND, when given, runs next in the same round trip (a deploy's pruning:
#    files/prune-releases.sh); its output is this script's.
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

record=$(cat)
if [[ $record != "{}" ]]; then
    printf '%s\n' "$record" >"$releases/$id/release.json.new"
    chmod 0644 "$releases/$id/release.json.new"
    mv "$releases/$id/release.json.new" "$releases/$id/release.json"
fi

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

# Connections waiting in the accept queues of the listening Unix sockets of the containers whose
# main processes are PIDs ("unknown" when they cannot be read).
queued() {
    local pid total=0 count
    for pid in "$@"; do
        # The queue is the column after LISTEN (old ss prints no Netid column for one family).
        count=$(nsenter --target "$pid" --net ss -xln 2>/dev/null |
            awk '{ for (i = 1; i < NF; i++) if ($i == "LISTEN") { q += $(i + 1); break } } END { print q + 0 }') ||
            { echo unknown; return; }
        total=$((total + count))
    done
    echo "$total"
}

# Waits until the CONTAINERS have no connection queued, for at most DRAIN_SECONDS.
drain_queues() {
    local name pid pids=() step
    if ! command -v nsenter >/dev/null || ! command -v ss >/dev/null; then
        sleep "$drain"
        return
    fi
    for name in "$@"; do
        pid=$(docker container inspect "$name" | sed -n 's/^ *"Pid": *\([0-9]*\),.*$/\1/p' | head -n 1)
        if [[ ${pid:-0} -gt 0 ]]; then
            pids+=("$pid")
        fi
    done
    for ((step = 0; step < drain * 4; step++)); do
        sleep 0.25
        case $(queued ${pids[@]+"${pids[@]}"}) in
            0) return ;;
            unknown)
                sleep "$(((drain * 4 - step - 1) / 4))"
                return
                ;;
        esac
    done
}

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
    drain_queues "${present[@]}"
    docker stop --time "$stop" "${present[@]}" >/dev/null
    docker rm "${present[@]}" >/dev/null
fi
docker rename "$new_container" "$live_name"

if (($# > 11)); then
    shift 11
    "$@"
fi
