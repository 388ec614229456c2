#!/bin/bash
# Main process of the web container: uWSGI, configured by the mounted /etc/uwsgi/uwsgi.ini.
set -euo pipefail

readonly CONFIG=/etc/uwsgi/uwsgi.ini

if [[ ! -r $CONFIG ]]; then
    echo "start-uwsgi: $CONFIG is missing; mount the uWSGI configuration there" >&2
    exit 1
fi
exec uwsgi --ini "$CONFIG" "$@"
