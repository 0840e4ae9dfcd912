#!/bin/bash
# docker/healthcheck.sh, the image's HEALTHCHECK, passes against a running pgroute's admin
# listener and fails once nothing answers there.  Usage: healthcheck_test.sh PGROUTE HEALTHCHECK
set -euo pipefail
pgroute=$1
healthcheck=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/pgroute-healthcheck.XXXXXX")
pid=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Ports of its own, away from the defaults a cluster on this machine may hold, and below the
# kernel's ephemeral range (32768-60999), where the other tests' client connections take ports
# at any moment (one did: "Address already in use"), as tests/support/ports.cpp picks them.
base=$((20000 + RANDOM % 12700))
cat >"$work/pgroute.yaml" <<YAML
endpoints:
  write: {listen: "127.0.0.1:$base", route: leader}
nodes:
  - {name: pg1, host: 127.0.0.1, port: $((base + 1)), role: primary}
admin:
  listen: 127.0.0.1:$((base + 2))
YAML
"$pgroute" -c "$work/pgroute.yaml" 2>"$work/pgroute.log" &
pid=$!
for _ in $(seq 50); do
  "$healthcheck" $((base + 2)) 2>/dev/null && break
  sleep 0.1
done
if ! "$healthcheck" $((base + 2)); then
  echo "healthcheck failed against a running pgroute:"; cat "$work/pgroute.log"; exit 1
fi
echo "healthy while pgroute runs"
kill "$pid"; wait "$pid" || true; pid=
if "$healthcheck" $((base + 2)) 2>/dev/null; then
  echo "healthcheck passed with pgroute stopped"; exit 1
fi
echo "unhealthy once it stopped"
