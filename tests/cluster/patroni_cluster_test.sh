#!/usr/bin/env bash
# Integration test of the shared test cluster (patroni-cluster.sh): it comes up with one leader
# and two streaming replicas, replicates a write, survives a switchover, and `down` leaves no process.
# Prints "N passed, M failed" last; exits non-zero if anything failed. Run as root.
set -uo pipefail

cluster=$(cd "$(dirname "$0")" && pwd)/patroni-cluster.sh
readonly cluster
readonly psql_bin=/usr/lib/postgresql/15/bin/psql
readonly nodes=(pg1 pg2 pg3)
readonly replication_timeout_s=15
readonly switchover_timeout_s=30

passed=0
failed=0
dir=$(mktemp -d /tmp/pgroute-cluster-test.XXXXXX)
base_port=
cluster_may_run=false

check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then
    echo "PASS: $what"
    passed=$((passed + 1))
  else
    echo "FAIL: $what"
    failed=$((failed + 1))
    return 1
  fi
}

teardown() {
  trap '' INT TERM # a second Ctrl-C must not interrupt the teardown
  if [[ $cluster_may_run == true ]]; then "$cluster" down "$dir"; fi
  rm -rf "$dir"
}
trap teardown EXIT
# Without these, a signal would end the shell without running the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM

port_is_free() {
  ! ss -Htan "( sport = :$1 )" | grep -q .
}

pick_base_port() {
  local attempt candidate offset
  for attempt in $(seq 1 50); do
    # Below Linux's ephemeral range (32768+), so no outgoing connection holds one of them.
    candidate=$((20000 + (RANDOM % 1200) * 10))
    for offset in $(seq 0 7); do
      port_is_free $((candidate + offset)) || continue 2
    done
    base_port=$candidate
    return 0
  done
  echo "no 8 free consecutive ports found in $attempt attempts" >&2
  return 1
}

pg_port() { echo $((base_port + 5 + ${1#pg} - 1)); }
rest_port() { echo $((base_port + 2 + ${1#pg} - 1)); }

sql() { # sql NODE SQL
  "$psql_bin" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(pg_port "$1")" -U postgres -d pgroute_test -c "$2" 2>/dev/null
}

# Members as "name role state lag" lines, from the REST API of any node that answers.
members() {
  local node
  for node in "${nodes[@]}"; do
    curl -sf --max-time 2 "http://127.0.0.1:$(rest_port "$node")/cluster" | /usr/bin/python3 -c '
import json, sys
for m in json.load(sys.stdin)["members"]:
    print(m["name"], m["role"], m["state"], m.get("lag", "-"))
' 2>/dev/null && return 0
  done
  return 1
}

leader() { members | awk '$2 == "leader" && $3 == "running" { print $1 }'; }
replicas() { members | awk '$2 == "replica" { print $1 }'; }

one_leader_running() {
  [[ $(leader | wc -l) == 1 ]]
}

two_replicas_streaming_from() {
  local leader=$1 walsenders
  walsenders=$(sql "$leader" "SELECT string_agg(application_name, ',' ORDER BY application_name)
                              FROM pg_stat_replication WHERE state = 'streaming'")
  [[ $walsenders == "$(replicas | sort | paste -sd,)" && $(replicas | wc -l) == 2 ]]
}

row_visible_on() { # row_visible_on NODE TOKEN
  local deadline=$((SECONDS + replication_timeout_s))
  until [[ $(sql "$1" "SELECT token FROM replication_probe WHERE token = '$2'") == "$2" ]]; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

leader_becomes() { # leader_becomes NODE
  local deadline=$((SECONDS + switchover_timeout_s))
  until [[ $(leader) == "$1" && $(sql "$1" "SELECT pg_is_in_recovery()") == f ]]; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

rejoins_as_streaming_replica() { # rejoins_as_streaming_replica OLD_LEADER NEW_LEADER
  local deadline=$((SECONDS + switchover_timeout_s))
  until [[ $(members | awk -v n="$1" '$1 == n { print $2, $3 }') == "replica running" ]] &&
    two_replicas_streaming_from "$2"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# Independent of patroni-cluster.sh's own bookkeeping: by command line, and by working
# directory for postgres children, whose command lines no longer name their data directory.
no_process_left() {
  local pid cwd left=0
  for pid in $(pgrep -f -- "$dir/"); do
    echo "  left: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
    left=1
  done
  for pid in $(pgrep -u postgres); do
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null)
    if [[ $cwd == "$dir" || $cwd == "$dir"/* ]]; then
      echo "  left: postgres pid $pid working in $cwd"
      left=1
    fi
  done
  return $left
}

run() {
  local started old_leader candidate token
  check "eight consecutive free ports are found" pick_base_port || return

  started=$SECONDS
  cluster_may_run=true
  check "cluster comes up on 127.0.0.1:$base_port within the bounded wait" "$cluster" up "$dir" "$base_port" || return
  echo "  up took $((SECONDS - started))s"

  check "exactly one member is a running leader" one_leader_running || return
  old_leader=$(leader)
  check "both replicas stream from leader $old_leader" two_replicas_streaming_from "$old_leader"

  token=probe-$RANDOM-$RANDOM
  check "a row is written on the leader" \
    sql "$old_leader" "CREATE TABLE replication_probe (token text); INSERT INTO replication_probe VALUES ('$token')"
  for candidate in $(replicas); do
    check "the row appears on replica $candidate within ${replication_timeout_s}s" row_visible_on "$candidate" "$token"
  done

  candidate=$(replicas | head -n1)
  started=$SECONDS
  check "patronictl switchover $old_leader -> $candidate is accepted" \
    patronictl -c "$dir/pg1.yml" switchover --force --leader "$old_leader" --candidate "$candidate"
  check "$candidate is the writable leader within ${switchover_timeout_s}s" leader_becomes "$candidate"
  echo "  new leader after $((SECONDS - started))s"
  check "$old_leader rejoins as a streaming replica within ${switchover_timeout_s}s" \
    rejoins_as_streaming_replica "$old_leader" "$candidate"
  echo "  cluster converged $((SECONDS - started))s after the switchover"
}

run
if [[ $cluster_may_run == true ]]; then
  started=$SECONDS
  if check "down stops every process of the cluster" "$cluster" down "$dir"; then cluster_may_run=false; fi
  echo "  down took $((SECONDS - started))s"
  check "no process mentions or works in $dir after down" no_process_left
fi

echo "$passed passed, $failed failed"
((failed == 0))
