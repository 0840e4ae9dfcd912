# The four targets side by side: direct (no proxy), pgroute, HAProxy and PgBouncer, each with a
# read endpoint (the replica) and a write endpoint (the primary); with --baseline a fifth, pgroute
# built at another revision ($baseline_target, pgroute@HASH). Sourced by bench/run.
# shellcheck shell=bash

readonly targets=(direct pgroute ${baseline_target:+"$baseline_target"} haproxy pgbouncer)
declare -A read_port read_db write_port write_db proxy_pid

# The same config for both builds of pgroute, each on its own ports. The arguments shadow the
# port variables that render fills the template from.
start_pgroute() { # start_pgroute TARGET EXECUTABLE WRITE_PORT READ_PORT ADMIN_PORT
  local target=$1 executable=$2 pgroute_write_port=$3 pgroute_read_port=$4 pgroute_admin_port=$5
  local config=$work_dir/$target.yaml
  render "$load_dir/configs/pgroute.yaml" "$config" \
    pgroute_write_port pgroute_read_port pgroute_admin_port primary_port replica_port
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
  echo '"postgres" ""' >"$work_dir/pgbouncer-users.txt"
  chown "$run_as_user:" "$work_dir/pgbouncer-users.txt"
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
  log "pgroute on $pgroute_write_port/$pgroute_read_port, HAProxy on" \
    "$haproxy_write_port/$haproxy_read_port, PgBouncer on $pgbouncer_port$baseline_ports"
  start_pgroute pgroute "$work_dir/pgroute" \
    "$pgroute_write_port" "$pgroute_read_port" "$pgroute_admin_port"
  if [[ -n $baseline_target ]]; then
    start_pgroute "$baseline_target" "$baseline_bin" \
      "$baseline_write_port" "$baseline_read_port" "$baseline_admin_port"
  fi
  start_haproxy
  start_pgbouncer
  local target
  for target in "${targets[@]}"; do
    check_endpoint "$target" read
    check_endpoint "$target" write
  done
}
