# Sourced by patroni-cluster.sh: what the REST APIs say of the cluster, and the subcommands up,
# down and status with the waits of `up`.
# shellcheck shell=bash
# shellcheck disable=SC2154  # set by patroni-cluster.sh, which sources this file

# --- Patroni REST ---------------------------------------------------------------------------------

# What curl needs to talk to the REST APIs in TLS mode (see api_tls_setup); empty otherwise.
curl_api_args=()

# Prints "LEADER_NAME REPLICAS_AT_LAG_0" from GET /cluster, or nothing if the API does not answer.
# Patroni 3.0.2 reports a streaming replica as state "running" (the "streaming" state came later).
cluster_summary() {
  local port=$1
  curl -sf --max-time 2 "${curl_api_args[@]}" "$(api_scheme)://127.0.0.1:$port/cluster" 2>/dev/null |
    /usr/bin/python3 -c '
import json, sys
members = json.load(sys.stdin).get("members", [])
leaders = [m["name"] for m in members if m.get("role") == "leader" and m.get("state") == "running"]
replicas = [m for m in members if m.get("role") == "replica"
            and m.get("state") in ("running", "streaming") and m.get("lag") == 0]
if len(leaders) == 1:
    print(leaders[0], len(replicas))
' 2>/dev/null || true
}

psql_node() { # psql_node NODE DB SQL
  setpriv --reuid="$run_as_user" --regid="$run_as_user" --init-groups \
    "$pg_bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$dir" -p "$(pg_port "$1")" -U postgres -d "$2" -c "$3"
}

# --- subcommands ----------------------------------------------------------------------------------

# Checks the opt-in settings, copies the TLS files where postgres (Patroni) can read them and
# root (patronictl, curl) too, and sets what curl needs.
api_security_setup() {
  local tls file files=(ca.crt node.crt node.key)
  if [[ -n $api_user || -n $api_password ]] && [[ -z $api_user || -z $api_password ]]; then
    die "set both PGROUTE_PATRONI_API_USER and PGROUTE_PATRONI_API_PASSWORD, or neither"
  fi
  if [[ -n $api_user ]]; then curl_api_args+=(-u "$api_user:$api_password"); fi
  if [[ -z $api_tls_source ]]; then
    [[ -z $api_verify_client ]] || die "PGROUTE_PATRONI_API_VERIFY_CLIENT needs PGROUTE_PATRONI_API_TLS_DIR"
    return 0
  fi
  case $api_verify_client in
    "") ;;
    none | optional | required) files+=(client.crt client.key) ;;
    *) die "PGROUTE_PATRONI_API_VERIFY_CLIENT must be none, optional or required" ;;
  esac
  for file in "${files[@]}"; do
    [[ -f $api_tls_source/$file && -r $api_tls_source/$file ]] ||
      die "PGROUTE_PATRONI_API_TLS_DIR: $api_tls_source/$file is missing or unreadable"
  done
  tls=$(api_tls_dir)
  mkdir -m 700 "$tls"
  for file in "${files[@]}"; do
    install -m 600 "$api_tls_source/$file" "$tls/$file"
    chown "$run_as_user:" "$tls/$file"
  done
  chown "$run_as_user:" "$tls"
  curl_api_args+=(--cacert "$tls/ca.crt")
  if [[ -n $api_verify_client ]]; then curl_api_args+=(--cert "$tls/client.crt" --key "$tls/client.key"); fi
}

# Fails fast when a daemon has exited (typically a port already taken) instead of waiting out the deadline.
daemons_alive() {
  local pid_file
  for pid_file in "$dir"/*.pid; do
    is_alive "$(pid_from_file "$pid_file")" || {
      echo "patroni-cluster: $(basename "$pid_file" .pid) exited; see $dir/$(basename "$pid_file" .pid).log" >&2
      return 1
    }
  done
}

wait_until() { # wait_until DEADLINE DESCRIPTION COMMAND...
  local deadline=$1 what=$2
  shift 2
  until "$@"; do
    daemons_alive || return 1
    ((SECONDS < deadline)) || {
      echo "patroni-cluster: timed out after ${up_timeout_s}s waiting for $what" >&2
      return 1
    }
    sleep 0.5
  done
}

etcd_healthy() {
  curl -sf --max-time 1 "http://127.0.0.1:$(etcd_client_port)/health" 2>/dev/null | grep -q '"health":"true"'
}

leader_name=
find_leader() {
  local node summary
  for node in "${nodes[@]}"; do
    summary=$(cluster_summary "$(rest_port "$node")")
    if [[ -n $summary ]]; then
      leader_name=${summary%% *}
      return 0
    fi
  done
  return 1
}

leader_writable() {
  [[ $(psql_node "$leader_name" postgres "SELECT pg_is_in_recovery()" 2>/dev/null) == f ]]
}

# Both the DCS view (two replicas at lag 0) and the leader's own view (two walsenders streaming)
# must agree: /cluster alone reports lag 0 for a replica that restored but never connected.
replicas_streaming() {
  local summary streaming
  summary=$(cluster_summary "$(rest_port "$leader_name")")
  [[ $summary == "$leader_name 2" ]] || return 1
  streaming=$(psql_node "$leader_name" postgres \
    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'" 2>/dev/null) || return 1
  [[ $streaming == 2 ]]
}

show_logs() {
  local f
  for f in "$dir"/*.log; do
    [[ -f $f ]] || continue
    echo "----- tail $f" >&2
    tail -n 15 "$f" >&2
  done
}

cmd_up() {
  local started=$SECONDS node deadline
  if ! [[ $base_port =~ ^[0-9]+$ ]] || ((base_port < 1024 || base_port + 7 > 65535)); then
    die "BASE_PORT must be a number in 1024..65528"
  fi
  # A leftover etcd or data directory would resurrect an old cluster instead of bootstrapping.
  if [[ -d $dir && -n $(ls -A "$dir") ]]; then
    die "$dir is not empty: run down and remove it first"
  fi

  mkdir -p "$dir"
  chown "$run_as_user:" "$dir"
  chmod 700 "$dir"
  setpriv --reuid="$run_as_user" --regid="$run_as_user" --init-groups test -w "$dir" -a -x "$dir" ||
    die "$run_as_user cannot write to $dir: every parent directory must be searchable by $run_as_user"
  api_security_setup
  deadline=$((SECONDS + up_timeout_s))

  log "starting etcd on 127.0.0.1:$(etcd_client_port)"
  etcd_command
  spawn_daemon "$dir/etcd.pid" "$dir/etcd.log" "${etcd_args[@]}"
  wait_until "$deadline" "etcd to become healthy" etcd_healthy || {
    show_logs
    exit 1
  }

  for node in "${nodes[@]}"; do
    write_patroni_config "$node" >"$dir/$node.yml"
    chown "$run_as_user:" "$dir/$node.yml"
  done
  log "starting patroni ${nodes[*]}"
  for node in "${nodes[@]}"; do
    spawn_daemon "$dir/$node.pid" "$dir/$node.log" /usr/bin/patroni "$dir/$node.yml"
  done

  if ! wait_until "$deadline" "a Patroni leader" find_leader ||
    ! wait_until "$deadline" "leader $leader_name to accept writes" leader_writable; then
    show_logs
    exit 1
  fi
  log "leader $leader_name is up after $((SECONDS - started))s; creating test roles and database"
  psql_node "$leader_name" postgres "$test_objects_sql"
  psql_node "$leader_name" postgres "CREATE DATABASE pgroute_test"
  psql_node "$leader_name" pgroute_test "$test_grants_sql"

  wait_until "$deadline" "two streaming replicas" replicas_streaming || {
    show_logs
    exit 1
  }

  log "cluster up in $((SECONDS - started))s, leader $leader_name"
  log "  etcd      127.0.0.1:$(etcd_client_port) (peer $(etcd_peer_port))"
  for node in "${nodes[@]}"; do
    log "  $node       postgres 127.0.0.1:$(pg_port "$node")  rest $(api_scheme)://127.0.0.1:$(rest_port "$node")"
  done
  log "  sockets   $dir   users postgres, trust_user, md5_user/md5_pass, scram_user/scram_pass; db pgroute_test"
}

cmd_down() {
  local node pid survivors=()
  [[ -d $dir ]] || {
    log "$dir does not exist: nothing to stop"
    return 0
  }
  # Patroni stops its own PostgreSQL on SIGTERM; stopping all three together avoids a pointless failover.
  for node in "${nodes[@]}"; do
    stop_pid "$(pid_from_file "$dir/$node.pid")" "patroni $node" &
  done
  wait

  for node in "${nodes[@]}"; do
    pid=$(pid_from_file "$dir/$node/postmaster.pid")
    if is_alive "$pid" && mentions_dir "$pid"; then
      # Patroni did not stop it (killed, or never got that far): immediate shutdown.
      log "postgres $node (pid $pid) outlived patroni: SIGQUIT"
      kill -QUIT "$pid" 2>/dev/null || true
      stop_pid "$pid" "postgres $node"
    fi
  done

  stop_pid "$(pid_from_file "$dir/etcd.pid")" "etcd"

  for pid in $(cluster_pids); do
    log "straggler $(describe_pid "$pid"): SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  done
  sleep 0.2
  mapfile -t survivors < <(cluster_pids)
  if ((${#survivors[@]} > 0)); then
    for pid in "${survivors[@]}"; do echo "patroni-cluster: survived: $(describe_pid "$pid")" >&2; done
    exit 1
  fi
  rm -f "$dir"/*.pid
  log "down: no process left in $dir"
}

cmd_status() {
  [[ -f $dir/pg1.yml ]] || die "no cluster configuration in $dir"
  patronictl -c "$dir/pg1.yml" list
}
