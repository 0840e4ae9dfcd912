#!/bin/bash
# The image's HEALTHCHECK: GET /health on the admin listener through bash's /dev/tcp, so the
# runtime image needs no curl. Exit 0 only for a 200; any other answer, or none, is unhealthy.
#   pgroute-healthcheck [PORT [HOST]]   (default 5553 on 127.0.0.1, the seeds' admin.listen)
set -euo pipefail
port=${1:-5553}
host=${2:-127.0.0.1}
exec 3<>"/dev/tcp/${host}/${port}"
printf 'GET /health HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$host" >&3
IFS= read -r -t 3 status_line <&3
[[ $status_line == "HTTP/1."[01]" 200 "* ]]
