#!/usr/bin/env bash
# A throwaway three-node Patroni cluster (etcd 3.4 + PostgreSQL 15) on 127.0.0.1, for
# integration tests and local runs. Everything lives in one directory; `down` leaves no process.
#
#   patroni-cluster.sh up DIR BASE_PORT   start and wait for leader + 2 streaming replicas
#   patroni-cluster.sh down DIR           stop everything started in DIR; non-zero if a process survives
#   patroni-cluster.sh status DIR         patronictl list
#
# Ports: etcd client BASE, etcd peer BASE+1, Patroni REST BASE+2..BASE+4 (pg1..pg3),
# PostgreSQL BASE+5..BASE+7 (pg1..pg3). Run as root; Patroni and PostgreSQL run as `postgres`.
# If `up` fails it leaves the processes for inspection: the caller runs `down` in any case.
# `up` waits at most PGROUTE_CLUSTER_UP_TIMEOUT seconds (default 90) for the whole start-up.
#
# Opt-in for `up`, all unset by default (plain http, no authentication):
#   PGROUTE_PATRONI_API_TLS_DIR=DIR   the REST APIs serve https with DIR/node.crt and node.key (a
#       certificate for 127.0.0.1, as tests/support/test_certs makes it), signed by DIR/ca.crt;
#       Patroni's own calls to the other members and patronictl verify them against that CA.
#       The files are copied into the cluster directory, owned by postgres.
#   PGROUTE_PATRONI_API_VERIFY_CLIENT=none|optional|required   restapi.verify_client (TLS only);
#       Patroni and patronictl then present DIR/client.crt and DIR/client.key.
#   PGROUTE_PATRONI_API_USER, PGROUTE_PATRONI_API_PASSWORD   restapi.authentication (both or
#       neither): Patroni 3.0 asks it of the unsafe methods (PATCH /config, POST /switchover, ...),
#       and patronictl and Patroni itself send it.
set -euo pipefail

readonly pg_bin=/usr/lib/postgresql/15/bin
readonly run_as_user=postgres
readonly nodes=(pg1 pg2 pg3)
readonly up_timeout_s=${PGROUTE_CLUSTER_UP_TIMEOUT:-90}
readonly stop_timeout_s=30
readonly api_tls_source=${PGROUTE_PATRONI_API_TLS_DIR:-}
readonly api_verify_client=${PGROUTE_PATRONI_API_VERIFY_CLIENT:-}
readonly api_user=${PGROUTE_PATRONI_API_USER:-}
readonly api_password=${PGROUTE_PATRONI_API_PASSWORD:-}

log() { echo "patroni-cluster: $*"; }
die() {
  echo "patroni-cluster: $*" >&2
  exit 1
}

usage() {
  sed -n '5,7p' "$0" | sed 's/^# *//' >&2
  exit 2
}

# --- ports and paths ------------------------------------------------------------------------------

node_index() { # pg2 -> 1
  echo $((${1#pg} - 1))
}
etcd_client_port() { echo "$base_port"; }
etcd_peer_port() { echo $((base_port + 1)); }
rest_port() { echo $((base_port + 2 + $(node_index "$1"))); }
pg_port() { echo $((base_port + 5 + $(node_index "$1"))); }
api_tls_dir() { echo "$dir/api-tls"; }
api_scheme() { if [[ -n $api_tls_source ]]; then echo https; else echo http; fi; }

# --- processes ------------------------------------------------------------------------------------

is_alive() {
  [[ -n $1 ]] && kill -0 "$1" 2>/dev/null
}

pid_from_file() {
  if [[ -s $1 ]]; then head -n1 "$1"; fi
}

# Starts a command as `postgres` in a new session with a clean environment, so it survives the
# caller's shell and inherits none of its variables (root's PATH puts a non-Debian python3 first).
# The subshell, setsid, setpriv and env all exec in place, so $! is the daemon's own pid. The
# daemon works in DIR so that it never pins the caller's directory.
spawn_daemon() {
  local pid_file=$1 log_file=$2
  shift 2
  (
    cd "$dir"
    exec setsid setpriv --reuid="$run_as_user" --regid="$run_as_user" --init-groups \
      env -i HOME="$dir" LANG=C.UTF-8 PATH="$pg_bin:/usr/bin:/bin" "$@" \
      </dev/null >>"$log_file" 2>&1
  ) &
  echo $! >"$pid_file"
}

# Sends SIGTERM, waits up to stop_timeout_s, then SIGKILL. Only for pids whose command line
# still names this cluster's directory, so a recycled pid is never signalled.
stop_pid() {
  local pid=$1 what=$2 deadline
  is_alive "$pid" && mentions_dir "$pid" || return 0
  log "stopping $what (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + stop_timeout_s))
  while is_alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
  if is_alive "$pid"; then
    log "$what (pid $pid) ignored SIGTERM for ${stop_timeout_s}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

mentions_dir() {
  local args=()
  mapfile -d "" -t args 2>/dev/null <"/proc/$1/cmdline" || return 1
  [[ " ${args[*]} " == *" $dir"[/\ ]* || " ${args[*]} " == *"=$dir"[/\ ]* ]]
}

# A postgres backend rewrites its command line ("postgres: checkpointer") but keeps its data
# directory as cwd, so cwd catches the children that cmdline misses.
works_in_dir() {
  local d
  for d in "$dir" "${nodes[@]/#/$dir/}"; do
    [[ /proc/$1/cwd -ef $d ]] && return 0
  done
  return 1
}

# Builtins only: under a parallel build a fork per process made one scan take seconds.
session_of() { # session_of PID -> sets `session`
  local stat fields=()
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  # Field 2, the command name, may contain spaces: split what follows its closing parenthesis.
  read -r -a fields <<<"${stat##*) }"
  session=${fields[3]}
}

# Processes that belong to this cluster. Everything `up` starts runs in a session of its own, so
# our own session (this script, its callers, their subshells) is never listed even though its
# command lines may name the directory.
cluster_pids() {
  local session own_session p
  session_of $$
  own_session=$session
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    session_of "$p" || continue
    [[ $session == "$own_session" ]] && continue
    if mentions_dir "$p" || works_in_dir "$p"; then echo "$p"; fi
  done
}

describe_pid() {
  local args=()
  mapfile -d "" -t args 2>/dev/null <"/proc/$1/cmdline" || true
  echo "pid $1: ${args[*]:-?}"
}

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

# --- configuration --------------------------------------------------------------------------------

etcd_command() {
  local client peer
  client=http://127.0.0.1:$(etcd_client_port)
  peer=http://127.0.0.1:$(etcd_peer_port)
  etcd_args=(
    etcd --name etcd0 --data-dir "$dir/etcd"
    --listen-client-urls "$client" --advertise-client-urls "$client"
    --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer"
    --initial-cluster "etcd0=$peer" --initial-cluster-state new
    --initial-cluster-token "pgroute-$(etcd_client_port)"
  )
}

yaml_quote() { # a YAML single-quoted scalar
  printf "'%s'" "${1//\'/\'\'}"
}

# The restapi keys of the opt-in modes (TLS, client certificates, authentication) and the ctl
# section for patronictl; nothing without them. Patroni's own requests to the other members take
# the CA from restapi.cafile (or ctl.cacert) and the client certificate from ctl.certfile (else
# restapi.certfile, whose serverAuth-only certificate a verifying server would refuse).
write_api_security_config() {
  local tls
  tls=$(api_tls_dir)
  if [[ -n $api_tls_source ]]; then
    echo "  certfile: $tls/node.crt"
    echo "  keyfile: $tls/node.key"
    echo "  cafile: $tls/ca.crt"
    if [[ -n $api_verify_client ]]; then echo "  verify_client: $api_verify_client"; fi
  fi
  if [[ -n $api_user ]]; then
    echo "  authentication:"
    echo "    username: $(yaml_quote "$api_user")"
    echo "    password: $(yaml_quote "$api_password")"
  fi
  if [[ -n $api_tls_source ]]; then
    echo
    echo "ctl:"
    echo "  cacert: $tls/ca.crt"
    if [[ -n $api_verify_client ]]; then
      echo "  certfile: $tls/client.crt"
      echo "  keyfile: $tls/client.key"
    fi
  fi
}

write_patroni_config() {
  local node=$1
  cat <<EOF
scope: pgroute
namespace: /service/
name: $node

log:
  level: INFO

restapi:
  listen: 127.0.0.1:$(rest_port "$node")
  connect_address: 127.0.0.1:$(rest_port "$node")
EOF
  write_api_security_config
  cat <<EOF

# etcd3 talks to etcd's gRPC JSON gateway (/v3/), which etcd 3.4 serves on the client port.
etcd3:
  hosts: 127.0.0.1:$(etcd_client_port)

bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        max_connections: 200
        wal_level: replica
        hot_standby: 'on'
        wal_log_hints: 'on'
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 64MB
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - auth: trust

postgresql:
  listen: 127.0.0.1:$(pg_port "$node")
  connect_address: 127.0.0.1:$(pg_port "$node")
  data_dir: $dir/$node
  bin_dir: $pg_bin
  pgpass: $dir/$node.pgpass
  authentication:
    superuser:
      username: postgres
      password: postgres
    replication:
      username: replicator
      password: replicator
  # A throwaway cluster: durability is traded for speed. full_page_writes stays on because
  # pg_rewind refuses a source without it.
  parameters:
    unix_socket_directories: '$dir'
    fsync: 'off'
    synchronous_commit: 'off'
    shared_buffers: 32MB
    password_encryption: scram-sha-256
  basebackup:
    - checkpoint: fast
  pg_hba:
    - local all md5_user md5
    - local all scram_user scram-sha-256
    - local all all trust
    - local replication all trust
    - host all md5_user 127.0.0.1/32 md5
    - host all scram_user 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust

watchdog:
  mode: 'off'

tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
EOF
}

# Roles and the database the proxy tests log in with. md5_user's password is stored as an MD5
# hash so that the server really asks for MD5 (a SCRAM verifier would answer md5 lines with SCRAM).
readonly test_objects_sql="
CREATE ROLE trust_user LOGIN;
SET password_encryption = 'md5';
CREATE ROLE md5_user LOGIN PASSWORD 'md5_pass';
SET password_encryption = 'scram-sha-256';
CREATE ROLE scram_user LOGIN PASSWORD 'scram_pass';
"
readonly test_grants_sql="GRANT ALL ON SCHEMA public TO trust_user, md5_user, scram_user;"

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

[[ $(id -u) -eq 0 ]] || die "run as root (Patroni and PostgreSQL are started as $run_as_user)"
(($# >= 2)) || usage
command=$1
dir=$(realpath -m "$2")
base_port=${3:-}
[[ $dir != / ]] || die "refusing to use / as the cluster directory"

case $command in
  up)
    (($# == 3)) || usage
    cmd_up
    ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) usage ;;
esac
