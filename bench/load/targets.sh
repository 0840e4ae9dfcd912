# The targets side by side: direct (no proxy), pgroute with authentication passed through,
# pgroute-proxy (`auth.mode: proxy`: pgroute authenticates clients and logs into the node itself),
# HAProxy and PgBouncer, each with a read endpoint (the replica) and a write endpoint (the
# primary); with --baseline one more, pgroute built at another revision ($baseline_target,
# pgroute@HASH). Sourced by bench/run.
# shellcheck shell=bash

readonly targets=(direct pgroute ${baseline_target:+"$baseline_target"} pgroute-proxy haproxy
  pgbouncer)
declare -A read_port read_db write_port write_db proxy_pid

# The users the proxies that authenticate clients know: postgres without a password (the servers
# trust it) and the SCRAM user with its verifier, in PgBouncer's userlist.txt format.
write_user_list() { # write_user_list FILE
  printf '"postgres" ""\n"%s" "%s"\n' "$scram_user" "$scram_secret" >"$1"
  chown "$run_as_user:" "$1"
}

# The same config for every build and mode of pgroute, each on its own ports; `proxy` adds
# auth.mode proxy. The arguments shadow the port variables that render fills the template from.
start_pgroute() { # start_pgroute TARGET EXECUTABLE WRITE_PORT READ_PORT ADMIN_PORT [proxy]
  local target=$1 executable=$2 pgroute_write_port=$3 pgroute_read_port=$4 pgroute_admin_port=$5
  local config=$work_dir/$target.yaml
  render "$load_dir/configs/pgroute.yaml" "$config" \
    pgroute_write_port pgroute_read_port pgroute_admin_port primary_port replica_port
  if [[ ${6:-} == proxy ]]; then
    write_user_list "$work_dir/$target-users.txt"
    printf 'auth:\n  mode: proxy\n  auth_file: %s\n' "$work_dir/$target-users.txt" >>"$config"
  fi
  "$executable" --check -c "$config" >/dev/null || die "$target --check rejects $config"
  spawn "$target" INT "$work_dir/$target.log" "$executable" -c "$config"
  proxy_pid[$target]=$spawned_pid
  read_port[$target]=$pgroute_read_port read_db[$target]=bench
  write_port[$target]=$pgroute_write_port write_db[$target]=bench
}

start_haproxy() {
  render "$load_dir/configs/haproxy.cfg" "$work_dir/haproxy.cfg" \
    haproxy_write_port haproxy_read_port primary_port replica_port
  haproxy -c -q -f "$work_dir/haproxy.cfg" || die "haproxy -c rejects $work_dir/haproxy.cfg"
  # -db: stay in the foreground, one process (with its threads) whose pid we measure.
  spawn haproxy TERM "$work_dir/haproxy.log" "$(command -v haproxy)" -db -f "$work_dir/haproxy.cfg"
  proxy_pid[haproxy]=$spawned_pid
}

start_pgbouncer() {
  render "$load_dir/configs/pgbouncer.ini" "$work_dir/pgbouncer.ini" \
    pgbouncer_port primary_port replica_port work_dir
  write_user_list "$work_dir/pgbouncer-users.txt"
  cp "$load_dir/configs/pgbouncer-hba.conf" "$work_dir/pgbouncer-hba.conf"
  spawn pgbouncer TERM "$work_dir/pgbouncer.log" "$(command -v pgbouncer)" "$work_dir/pgbouncer.ini"
  proxy_pid[pgbouncer]=$spawned_pid
}

# Every endpoint answers and lands on the right server: reads on the replica, writes on the
# primary. A target that routes wrongly would be measured against the wrong server.
check_endpoint() { # check_endpoint TARGET read|write
  local target=$1 kind=$2 port db expected
  if [[ $kind == read ]]; then
    port=${read_port[$target]} db=${read_db[$target]} expected=t
  else
    port=${write_port[$target]} db=${write_db[$target]} expected=f
  fi
  wait_until 30 "$target's $kind endpoint on $port answers" sql "$port" "$db" "SELECT 1"
  [[ $(sql "$port" "$db" "SELECT pg_is_in_recovery()") == "$expected" ]] ||
    die "$target's $kind endpoint on $port reaches the wrong server"
  [[ $(PGPASSWORD=$scram_password "$pg_bin/psql" -X -q -A -t -h "$host" -p "$port" \
    -U "$scram_user" -d "$db" -c "SELECT current_user") == "$scram_user" ]] ||
    die "$scram_user cannot log in with SCRAM through $target's $kind endpoint on $port"
}

start_targets() {
  read_port[direct]=$replica_port read_db[direct]=bench
  write_port[direct]=$primary_port write_db[direct]=bench
  read_port[haproxy]=$haproxy_read_port read_db[haproxy]=bench
  write_port[haproxy]=$haproxy_write_port write_db[haproxy]=bench
  read_port[pgbouncer]=$pgbouncer_port read_db[pgbouncer]=bench_ro
  write_port[pgbouncer]=$pgbouncer_port write_db[pgbouncer]=bench_rw

  local baseline_ports=""
  if [[ -n $baseline_target ]]; then
    baseline_ports=", $baseline_target on $baseline_write_port/$baseline_read_port"
  fi
  log "pgroute on $pgroute_write_port/$pgroute_read_port, pgroute-proxy on" \
    "$pgroute_proxy_write_port/$pgroute_proxy_read_port, HAProxy on" \
    "$haproxy_write_port/$haproxy_read_port, PgBouncer on $pgbouncer_port$baseline_ports"
  start_pgroute pgroute "$work_dir/pgroute" \
    "$pgroute_write_port" "$pgroute_read_port" "$pgroute_admin_port"
  if [[ -n $baseline_target ]]; then
    start_pgroute "$baseline_target" "$baseline_bin" \
      "$baseline_write_port" "$baseline_read_port" "$baseline_admin_port"
  fi
  start_pgroute pgroute-proxy "$work_dir/pgroute" \
    "$pgroute_proxy_write_port" "$pgroute_proxy_read_port" "$pgroute_proxy_admin_port" proxy
  start_haproxy
  start_pgbouncer
  local target
  for target in "${targets[@]}"; do
    check_endpoint "$target" read
    check_endpoint "$target" write
  done
}
