#!/usr/bin/env bash
# "Run the main job" locally: install dependencies, build pgroute, start a three-node Patroni
# cluster on 127.0.0.1 and run pgroute in front of it in the foreground. Ctrl-C stops pgroute
# and tears the cluster down (its logs stay in the cluster directory until the next run).
#
# Run as root from anywhere. Environment:
#   PGROUTE_LOCAL_DIR        cluster directory, wiped at start   (default /tmp/pgroute-local)
#   PGROUTE_LOCAL_BASE_PORT  first of 8 consecutive ports         (default 15400)
#   PGROUTE_BIN              run this pgroute binary instead of building one
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
readonly repo
readonly cluster=$repo/tests/cluster/patroni-cluster.sh
readonly dir=${PGROUTE_LOCAL_DIR:-/tmp/pgroute-local}
readonly base_port=${PGROUTE_LOCAL_BASE_PORT:-15400}
readonly config=$dir/pgroute.yaml
pgroute=${PGROUTE_BIN:-}

log() { echo "run-local: $*"; }

[[ $(id -u) -eq 0 ]] || {
  echo "run-local: run as root (it installs packages and starts PostgreSQL as postgres)" >&2
  exit 1
}

"$repo/.ci/install-deps"

if [[ -z $pgroute ]]; then
  log "building pgroute (Release) in $repo/build"
  cmake -S "$repo" -B "$repo/build" -DCMAKE_BUILD_TYPE=Release
  cmake --build "$repo/build" -j2 --target pgroute
  pgroute=$repo/build/proxy/app/pgroute
fi
[[ -x $pgroute ]] || {
  echo "run-local: $pgroute is not an executable" >&2
  exit 1
}

# A previous run killed with SIGKILL may have left its cluster behind. Anything else in the
# way is not ours to delete.
if [[ -d $dir ]]; then
  [[ -f $dir/pg1.yml || -d $dir/etcd || -z $(ls -A "$dir") ]] || {
    echo "run-local: $dir exists and is not a cluster directory; set PGROUTE_LOCAL_DIR" >&2
    exit 1
  }
  log "removing the previous cluster in $dir"
  "$cluster" down "$dir"
  rm -rf "$dir"
fi

cluster_started=false
staged_config=
# shellcheck disable=SC2317 # called by the EXIT trap
teardown() {
  # A second Ctrl-C must not interrupt the teardown; `down` inherits the ignored SIGINT.
  trap '' INT TERM
  if [[ -n $staged_config ]]; then rm -f "$staged_config"; fi
  if [[ $cluster_started == true ]]; then
    log "tearing the cluster down (logs stay in $dir)"
    "$cluster" down "$dir"
  fi
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The configuration is checked before the cluster starts, so a mistake costs no cluster start-up.
staged_config=$(mktemp /tmp/pgroute-local.XXXXXX.yaml)
node_entries() {
  local node index
  for node in pg1 pg2 pg3; do
    index=${node#pg}
    cat <<EOF
  - name: $node
    host: 127.0.0.1
    port: $((base_port + 4 + index))
    api_url: http://127.0.0.1:$((base_port + 1 + index))
EOF
  done
}

cat >"$staged_config" <<EOF
# Written by tests/cluster/run-local.sh for the cluster in $dir.
threads: auto
log_level: info
endpoints:
  write:
    listen: 127.0.0.1:5551
    route: leader
  read:
    listen: 127.0.0.1:5552
    route: replica
    balance: roundrobin
    fallback_to_leader: false
nodes:
$(node_entries)
patroni:
  interval: 1s
  timeout: 1s
  max_lag: 1MB
  max_lag_time: 0s
  rise: 2
  fall: 3
limits:
  # max_message_length stays at its default, PostgreSQL's own limit (1 GB - 1).
  max_startup_packet_length: 10000
  startup_timeout: 10s
  connect_timeout: 5s
  max_client_connections: 1000
admin:
  listen: 127.0.0.1:5553
EOF
"$pgroute" --check -c "$staged_config"

cluster_started=true
"$cluster" up "$dir" "$base_port"
mv "$staged_config" "$config"
log "wrote $config"

"$cluster" status "$dir"
cat <<EOF

Connect through pgroute:
  psql "host=127.0.0.1 port=5551 user=postgres dbname=pgroute_test"                   # writes: the leader
  psql "host=127.0.0.1 port=5552 user=trust_user dbname=pgroute_test"                 # reads: a replica
  PGPASSWORD=md5_pass psql "host=127.0.0.1 port=5552 user=md5_user dbname=pgroute_test"
  PGPASSWORD=scram_pass psql "host=127.0.0.1 port=5551 user=scram_user dbname=pgroute_test"
  curl http://127.0.0.1:5553/metrics        # also /topology, /health, /status
Cluster:
  patronictl -c $dir/pg1.yml list
  patronictl -c $dir/pg1.yml switchover --force --leader LEADER --candidate REPLICA
Stop: Ctrl-C.

EOF

# pgroute runs as a child we wait on, not in the foreground: a signal sent to this script alone
# (kill PID) would otherwise wait for pgroute to exit before the trap could forward it.
log "starting $pgroute -c $config"
"$pgroute" -c "$config" &
pgroute_pid=$!
trap 'kill -TERM "$pgroute_pid" 2>/dev/null || true' INT TERM
pgroute_status=0
wait "$pgroute_pid" || pgroute_status=$?
while kill -0 "$pgroute_pid" 2>/dev/null; do # that wait was cut short by a forwarded signal
  pgroute_status=0
  wait "$pgroute_pid" || pgroute_status=$?
done
log "pgroute exited with status $pgroute_status"
exit "$pgroute_status"
