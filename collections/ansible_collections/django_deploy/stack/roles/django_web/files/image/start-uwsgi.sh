#!/bin/bash
# Main process of the web container: uWSGI, configured by the mounted /etc/uwsgi/uwsgi.ini.
set -euo pipefail

readonly CONFIG=/etc/uwsgi/uwsgi.ini

if [[ ! -r $CONFIG ]]; then
    echo "start-uwsgi: $CONFIG is missing; mount the uWSGI configuration there" >&2
    exit 1
fi
# Swarm mode: the task collects the release's static files itself, for uWSGI to serve (nginx runs
# on other hosts), ...
if [[ ${DJANGO_DEPLOY_COLLECTSTATIC:-false} == true ]]; then
    (cd /app && python manage.py collectstatic --noinput --verbosity 0)
fi

# ... and a stopping task keeps serving for DJANGO_DEPLOY_DRAIN_SECONDS: Swarm takes it out of
# the service's DNS when it starts to stop, and nginx looks the tasks up again every second, so
# the requests still coming in are answered before uWSGI stops taking new ones.
if [[ -n ${DJANGO_DEPLOY_DRAIN_SECONDS:-} ]]; then
    uwsgi --ini "$CONFIG" "$@" &
    readonly UWSGI_PID=$!
    trap 'sleep "$DJANGO_DEPLOY_DRAIN_SECONDS"; kill -TERM "$UWSGI_PID"' TERM
    status=0
    wait "$UWSGI_PID" || status=$?
    # A wait cut short by the trap: uWSGI is finishing its requests now.
    if kill -0 "$UWSGI_PID" 2>/dev/null; then
        status=0
        wait "$UWSGI_PID" || status=$?
    fi
    exit "$status"
fi
exec uwsgi --ini "$CONFIG" "$@"
