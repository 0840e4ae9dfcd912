# The failover drill: a three-node Patroni cluster (tests/cluster/patroni-cluster.sh), pgroute and
# HAProxy in front of it (HAProxy as the seeds configure it), and libpq's own multi-host failover
# (target_session_attrs=read-write) as the reference without a proxy. pgroute runs twice: with
# authentication passed through (the HAProxy drop-in), and with `auth.mode: proxy`, where an idle
# session moves to the new leader. pgroute_write_drill commits
# a row every 10 ms through each while `patronictl switchover` moves the leader; the timeline goes
# to $work_dir/failover.json. Sourced by bench/run after lib.sh.
# shellcheck shell=bash

readonly patroni_cluster=$repo_dir/tests/cluster/patroni-cluster.sh
# Ten switchovers in a row, one every 12 s (each waits for the cluster to settle first); the
# timeline is the first one's, the outage and the errors are over all of them.
readonly drill_switchovers=10 drill_switchover_every=12 drill_switchover_after=5
readonly drill_seconds=$((drill_switchover_after + drill_switchovers * drill_switchover_every + 5))
readonly drill_interval_ms=10
readonly pgroute_poll_interval=1s pgroute_fast_interval=250ms haproxy_check_interval=3s
readonly drill_nodes=(pg1 pg2 pg3)

# Appends "KEY=VALUE" lines that failover_result.py reads, with VALUE in Unix seconds or text.
note_drill() { echo "$1=$2" >>"$work_dir/failover.env"; }

# patroni-cluster.sh's layout: REST API on BASE+2.., PostgreSQL on BASE+5...
drill_pg_port() { echo $((drill_base + 5 + ${1#pg} - 1)); }
drill_api_port() { echo $((drill_base + 2 + ${1#pg} - 1)); }

drill_leader() {
  curl -s --max-time 2 "http://127.0.0.1:$(drill_api_port pg1)/cluster" | /usr/bin/python3 -c '
import json, sys
print(next(m["name"] for m in json.load(sys.stdin)["members"] if m["role"] == "leader"))'
}

# One leader, and every other member a replica running with a known lag: ready for the next
# switchover.
drill_cluster_settled() {
  curl -s --max-time 2 "http://127.0.0.1:$(drill_api_port pg1)/cluster" | /usr/bin/python3 -c '
import json, sys
members = json.load(sys.stdin)["members"]
leaders = [m for m in members if m["role"] == "leader"]
replicas = [m for m in members if m["role"] != "leader"]
ok = len(leaders) == 1 and len(replicas) == 2 and all(
    m["state"] in ("running", "streaming") and isinstance(m.get("lag"), int) for m in replicas)
sys.exit(0 if ok else 1)'
}

# Writes the Unix time at which `GET /primary` on API_PORT first answers with (or, for "!200",
# without) 200 to OUT, polling every 20 ms for at most a minute.
watch_primary() { # watch_primary API_PORT 200|!200 OUT
  local code deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$1/primary")
    if [[ $2 == 200 && $code == 200 || $2 == '!200' && $code != 200 ]]; then
      date +%s.%N >"$3"
      return 0
    fi
    sleep 0.02
  done
}

# Every one of several new sessions on PORT reaches a server that takes writes: HAProxy starts
# with every node up and round-robins until its checks mark the replicas down.
writes_reach_leader() { # writes_reach_leader PORT
  local i
  for i in 1 2 3 4 5 6; do
    [[ $(sql "$1" postgres "SELECT pg_is_in_recovery()") == f ]] || return 1
  done
}

start_drill_cluster() {
  local node
  drill_base=$(free_port_block 8)
  drill_cluster_dir=$work_dir/patroni
  log "failover drill: etcd and Patroni pg1..pg3 on ports $drill_base..$((drill_base + 7))"
  cleanup_hooks+=("'$patroni_cluster' down '$drill_cluster_dir' >>'$work_dir/patroni-cluster.log' 2>&1")
  "$patroni_cluster" up "$drill_cluster_dir" "$drill_base" >>"$work_dir/patroni-cluster.log" 2>&1 ||
    die "the Patroni cluster did not come up: see $work_dir/patroni-cluster.log"
  # shellcheck disable=SC2034 # rendered into the configs
  for node in "${drill_nodes[@]}"; do
    printf -v "${node}_port" %s "$(drill_pg_port "$node")"
    printf -v "${node}_api_port" %s "$(drill_api_port "$node")"
  done
}

# pgroute in front of the drill's cluster, as NAME, its config rendered into CONFIG; `proxy`
# adds auth.mode proxy (the drill's user, postgres, has no password: the nodes trust it).
start_drill_pgroute() { # start_drill_pgroute NAME CONFIG [proxy]
  local name=$1 config=$2
  render "$load_dir/configs/pgroute-patroni.yaml" "$config" \
    pgroute_drill_port pgroute_drill_admin_port pgroute_poll_interval pgroute_fast_interval \
    pg1_port pg2_port pg3_port pg1_api_port pg2_api_port pg3_api_port
  if [[ ${3:-} == proxy ]]; then
    echo '"postgres" ""' >"$work_dir/userlist.txt"
    printf 'auth:\n  mode: proxy\n  auth_file: %s\n' "$work_dir/userlist.txt" >>"$config"
  fi
  "$work_dir/pgroute" --check -c "$config" >/dev/null || die "pgroute --check rejects $config"
  spawn "$name" INT "$work_dir/$name.log" "$work_dir/pgroute" -c "$config"
}

start_drill_proxies() {
  local pgroute_drill_port pgroute_drill_admin_port
  read -r pgroute_drill_port pgroute_drill_admin_port pgroute_proxy_drill_port \
    pgroute_proxy_drill_admin_port haproxy_drill_port < <(free_ports 5)
  pgroute_passthrough_drill_port=$pgroute_drill_port
  start_drill_pgroute pgroute-drill "$work_dir/pgroute-patroni.yaml"
  pgroute_drill_port=$pgroute_proxy_drill_port pgroute_drill_admin_port=$pgroute_proxy_drill_admin_port
  start_drill_pgroute pgroute-proxy-drill "$work_dir/pgroute-patroni-proxy.yaml" proxy

  render "$load_dir/configs/haproxy-patroni.cfg" "$work_dir/haproxy-patroni.cfg" \
    haproxy_drill_port pg1_port pg2_port pg3_port pg1_api_port pg2_api_port pg3_api_port
  haproxy -c -q -f "$work_dir/haproxy-patroni.cfg" ||
    die "haproxy -c rejects $work_dir/haproxy-patroni.cfg"
  spawn haproxy-drill TERM "$work_dir/haproxy-drill.log" "$(command -v haproxy)" -db \
    -f "$work_dir/haproxy-patroni.cfg"

  wait_until 60 "pgroute's write endpoint reaches the leader" writes_reach_leader \
    "$pgroute_passthrough_drill_port"
  wait_until 60 "proxy-mode pgroute's write endpoint reaches the leader" writes_reach_leader \
    "$pgroute_proxy_drill_port"
  wait_until 60 "HAProxy's write endpoint reaches only the leader" writes_reach_leader \
    "$haproxy_drill_port"
}

run_failover_drill() {
  local leader candidate="" node hosts="" ports="" drill_pid watcher
  start_drill_cluster
  start_drill_proxies
  leader=$(drill_leader)
  [[ -n $leader ]] || die "the drill's Patroni cluster has no leader"
  for node in "${drill_nodes[@]}"; do
    if [[ -z $candidate && $node != "$leader" ]]; then candidate=$node; fi
    hosts+=${hosts:+,}127.0.0.1 ports+=${ports:+,}$(drill_pg_port "$node")
  done
  sql "$(drill_pg_port "$leader")" postgres \
    "CREATE TABLE pgroute_drill (target text, at timestamptz DEFAULT now())" >/dev/null

  log "failover drill: a write every ${drill_interval_ms} ms through pgroute, HAProxy and" \
    "libpq multi-host for ${drill_seconds}s; $drill_switchovers switchovers, the first" \
    "$leader -> $candidate after ${drill_switchover_after}s"
  "$drill_bin" --seconds "$drill_seconds" --interval-ms "$drill_interval_ms" \
    "pgroute=host=$host port=$pgroute_passthrough_drill_port user=postgres dbname=postgres" \
    "pgroute_proxy=host=$host port=$pgroute_proxy_drill_port user=postgres dbname=postgres" \
    "haproxy=host=$host port=$haproxy_drill_port user=postgres dbname=postgres" \
    "direct=host=$hosts port=$ports user=postgres dbname=postgres target_session_attrs=read-write" \
    >"$work_dir/drill.json" 2>"$work_dir/drill.log" &
  drill_pid=$!
  background_clients+=("$drill_pid")
  sleep "$drill_switchover_after"

  watch_primary "$(drill_api_port "$candidate")" 200 "$work_dir/promoted_at" &
  background_clients+=($!)
  watch_primary "$(drill_api_port "$leader")" '!200' "$work_dir/demoted_at" &
  background_clients+=($!)
  note_drill old_leader "$leader"
  note_drill candidate "$candidate"
  note_drill switchovers "$drill_switchovers"
  local round started=$SECONDS
  for ((round = 1; round <= drill_switchovers; round++)); do
    if ((round > 1)); then
      wait_until 30 "the cluster settles after switchover $((round - 1))" drill_cluster_settled
      while ((SECONDS < started + (round - 1) * drill_switchover_every)); do sleep 0.2; done
      # The node after the leader, so that every node leads in turn.
      leader=$(drill_leader)
      candidate=pg$((${leader#pg} % ${#drill_nodes[@]} + 1))
    else
      note_drill switchover_at "$(date +%s.%N)"
    fi
    patronictl -c "$drill_cluster_dir/pg1.yml" switchover --force --leader "$leader" \
      --candidate "$candidate" >>"$work_dir/patroni-cluster.log" 2>&1 ||
      die "patronictl switchover $round ($leader -> $candidate) failed: see $work_dir/patroni-cluster.log"
    ((round > 1)) || note_drill patronictl_returned_at "$(date +%s.%N)"
  done
  ((SECONDS - started < drill_seconds - drill_switchover_after)) ||
    die "the switchovers took longer than the writes they were to be measured by"
  wait "$drill_pid" || die "pgroute_write_drill failed: $(tail -n 5 "$work_dir/drill.log")"
  for watcher in promoted_at demoted_at; do
    [[ -s $work_dir/$watcher ]] || die "the drill never saw $watcher"
    note_drill "$watcher" "$(cat "$work_dir/$watcher")"
  done
  note_drill pgroute_poll_interval "$pgroute_poll_interval"
  note_drill pgroute_fast_interval "$pgroute_fast_interval"
  note_drill haproxy_check_interval "$haproxy_check_interval"
}
