#!/bin/bash
# Container health check: a real request through nginx to the site's /healthz, which answers
# 200 only when the site can query its database. There is no HTTP client in the image; bash's
# /dev/tcp is enough for one request. No Host header, as a probe by IP address would send: the
# default server passes /healthz on and closes every other connection.
# With a path as its argument, that path instead: /nginx-healthz is nginx's own answer, which
# Swarm mode checks (an edge's nginx that Swarm found unhealthy because web or the database is
# down would be replaced, and its host would refuse connections instead of serving the
# maintenance page and static files).
set -euo pipefail
path=${1:-/healthz}

# This container's own nginx listens: its master writes the pid file once its listeners are open.
# (Beside a second nginx container on the same ports, the request below may reach either.)
if ! kill -0 "$(cat /tmp/nginx.pid 2>/dev/null)" 2>/dev/null; then
    echo "nginx-healthcheck: nginx is not running in this container" >&2
    exit 1
fi

exec 3<>"/dev/tcp/127.0.0.1/${NGINX_PORT:?the deploy sets NGINX_PORT}"
printf 'GET %s HTTP/1.0\r\n\r\n' "$path" >&3
read -r protocol status _ <&3 || true
if [[ $protocol != HTTP/* || $status != 200 ]]; then
    echo "nginx-healthcheck: $path answered ${protocol:-nothing} ${status:-}" >&2
    exit 1
fi
