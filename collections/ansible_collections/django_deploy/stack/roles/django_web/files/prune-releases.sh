#!/usr/bin/env bash
# Bounds the disk the releases use; the django_release module runs it after a deploy's switch, in
# the same module run (tasks/deploy.yml, tasks/switch.yml). The KEEP releases live most recently (LIVE_ID, the live one, first; the
# others by the time of their live_since) keep their directories; every other directory in
# RELEASES_DIR goes, with OLD_CODE_DIR (the staging directory of the layout from before
# releases). Then, when a directory went or IMAGE_CHANGED is "yes", the images of REPOSITORY that
# no kept release's record names go (one still used by a container left over from a killed run
# stays, for a later deploy), with dangling images and the build cache. Prints what it removed,
# nothing when it removed nothing.
#   prune-releases.sh RELEASES_DIR LIVE_ID KEEP OLD_CODE_DIR REPOSITORY IMAGE_CHANGED
set -euo pipefail
readonly releases=${1%/} live=$2 keep=$3 old_code=$4 repository=$5 image_changed=$6

mapfile -t kept < <(
    {
        echo "$releases/$live"
        find "$releases" -mindepth 2 -maxdepth 2 -name live_since -printf '%T@ %h\n' | sort -rn | cut -d ' ' -f 2-
    } | awk '!seen[$0]++' | head -n "$keep"
)
removed=()
while IFS= read -r -d '' dir; do
    if ! printf '%s\n' "${kept[@]}" | grep -qxF "$dir"; then
        removed+=("$dir")
    fi
done < <(find "$releases" -mindepth 1 -maxdepth 1 -type d -print0)
if [[ -d $old_code ]]; then
    removed+=("$old_code")
fi
if ((${#removed[@]} > 0)); then
    rm -rf "${removed[@]}"
    echo "removed release directories: ${removed[*]##*/}"
fi
if ((${#removed[@]} == 0)) && [[ $image_changed != yes ]]; then
    exit 0
fi

# Image references in the kept releases' records: "image": "<repository>:<tag>",
mapfile -t used < <(
    for dir in "${kept[@]}"; do
        [[ -f $dir/release.json ]] && sed -n 's/^ *"image": *"\([^"]*\)".*$/\1/p' "$dir/release.json"
    done
)
# Tags of the repository: the second column of docker image ls (no Go template: the script
# passes through Ansible).
# (${array[@]+...}: bash 4.3, Ubuntu 16.04's, takes an empty array for an unset one.)
mapfile -t present < <(docker image ls "$repository" | awk 'NR > 1 && $2 != "<none>" { print $1 ":" $2 }')
images_removed=no
for image in ${present[@]+"${present[@]}"}; do
    if ! printf '%s\n' ${used[@]+"${used[@]}"} | grep -qxF "$image" && docker image rm "$image" >/dev/null 2>&1; then
        echo "removed image: $image"
        images_removed=yes
    fi
done
# Build stages and cache dangle only once an image was built or removed.
if [[ $images_removed == no && $image_changed != yes ]]; then
    exit 0
fi
if [[ -n $(docker image prune --force | grep -v '^Total reclaimed space: 0B$' || true) ]]; then
    echo "removed dangling images"
fi
docker builder prune --force >/dev/null
