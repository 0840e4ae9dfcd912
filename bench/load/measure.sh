# One measurement point: a pgbench run against one target's endpoint, with the proxy's CPU time
# and peak RSS around it; and the idle-session memory probe. Each appends one JSON line to
# $raw_file. Sourced by bench/run.
# shellcheck shell=bash

clock_ticks=$(getconf CLK_TCK)
cores=$(nproc)
readonly clock_ticks cores
failed_points=0

# utime + stime of every thread of PID, in clock ticks (/proc/PID/stat fields 14 and 15).
cpu_ticks() {
  local stat fields
  [[ -n $1 ]] || {
    echo 0
    return
  }
  read -r stat <"/proc/$1/stat"
  # Field 2, the command name, may hold spaces: split after its closing parenthesis.
  read -r -a fields <<<"${stat##*) }"
  echo $((fields[11] + fields[12]))
}

status_kib() { # status_kib PID VmRSS|VmHWM
  [[ -n $1 ]] || {
    echo 0
    return
  }
  awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"
}

endpoint_of() { # endpoint_of TARGET read|write -> "PORT DB"
  if [[ $2 == read ]]; then
    echo "${read_port[$1]} ${read_db[$1]}"
  else
    echo "${write_port[$1]} ${write_db[$1]}"
  fi
}

# Leaves the write tables as pgbench's own pre-run vacuum would, but directly on the primary so
# that no target pays for it in its measured CPU.
reset_write_tables() {
  "$pg_bin/psql" -X -q -h "$host" -p "$primary_port" -U postgres -d bench \
    -c "VACUUM pgbench_branches" -c "VACUUM pgbench_tellers" -c "TRUNCATE pgbench_history"
}

# pgbench's -T clock starts before its clients connect, and on a busy machine opening 128
# sessions can take seconds: each point gets that time on top of its measured window. The cost
# is measured once, opening the most clients the plan uses straight to the replica.
measure_connect_cost() { # measure_connect_cost CLIENTS
  local report
  report=$("$pg_bin/pgbench" -n -S -h "$host" -p "$replica_port" -U postgres -c "$1" \
    -j $(($1 < cores ? $1 : cores)) -t 1 bench 2>&1) || die "pgbench could not open $1 sessions"
  connect_ms_per_session=$(awk -v n="$1" '/^initial connection time/ { printf "%d", $5 / n + 1 }' \
    <<<"$report")
  [[ -n $connect_ms_per_session ]] || die "no connection time in pgbench's report: $report"
}

# 1.5 times the measured cost, since a proxy adds its own hop to every session it opens, to the
# nearest second: a point fails rather than measure a window under half its length.
connect_allowance_seconds() { # connect_allowance_seconds CLIENTS
  echo $(((3 * connect_ms_per_session * $1 + 1000) / 2000))
}

# run_point SCENARIO ROUND TARGET ENDPOINT PROTOCOL CLIENTS USER PGBENCH_ARGS...
run_point() {
  local scenario=$1 round=$2 target=$3 endpoint=$4 protocol=$5 clients=$6 user=$7
  shift 7
  local port db pid point_dir allowance cpu_before cpu_after code=0
  read -r port db < <(endpoint_of "$target" "$endpoint")
  pid=${proxy_pid[$target]:-}
  point_dir=$work_dir/point
  rm -rf "$point_dir" && mkdir "$point_dir"
  [[ $endpoint == write ]] && reset_write_tables

  allowance=$(connect_allowance_seconds "$clients")
  [[ " $* " == *" -C "* ]] && allowance=0 # -C opens no session up front

  cpu_before=$(cpu_ticks "$pid")
  # Only the SCRAM user has a password; the others are trusted and never asked for it.
  PGPASSWORD=$scram_password timeout --kill-after=10 $((seconds + allowance + 60)) \
    "$pg_bin/pgbench" -n -h "$host" -p "$port" -U "$user" -c "$clients" -j $((clients < cores ? clients : cores)) \
    -T $((seconds + allowance)) -M "$protocol" -l --log-prefix="$point_dir/tx" "$@" "$db" \
    >"$point_dir/out" 2>&1 || code=$?
  cpu_after=$(cpu_ticks "$pid")

  /usr/bin/python3 "$load_dir/point_result.py" --out "$point_dir/out" --logs "$point_dir" \
    --exit-code "$code" --min-window-seconds "$((seconds / 2))" \
    --cpu-ticks $((cpu_after - cpu_before)) --clock-ticks "$clock_ticks" \
    --peak-rss-kib "$(status_kib "$pid" VmHWM)" --proxy "${pid:+yes}" \
    --field "scenario=$scenario" --field "round=$round" --field "target=$target" \
    --field "endpoint=$endpoint" --field "protocol=$protocol" --field "clients=$clients" \
    --field "user=$user" \
    >>"$raw_file" || code=1
  if ((code != 0)); then
    failed_points=$((failed_points + 1))
    log "FAILED: $scenario round $round on $target (exit $code); pgbench said:"
    tail -n 5 "$point_dir/out" >&2
  fi
  rm -rf "$point_dir"
}

idle_sessions_open() { # idle_sessions_open MARKER: all of them have run their query and wait
  [[ $(sql "$replica_port" postgres "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle'
        AND query LIKE 'SELECT $1 AS pgroute_bench_idle_session%'") -ge $idle_sessions ]]
}

# RSS growth of TARGET's proxy while $idle_sessions sessions are open, have run one query each,
# and wait. Run on freshly started proxies: a warm heap would hide what a session costs. The
# sessions sleep far longer than the reading needs and are ended once it is taken: PgBouncer
# opens its server connections one at a time, so a fixed pause could end before it has them all.
measure_idle_sessions() { # measure_idle_sessions TARGET MARKER
  local target=$1 marker=$2 port db pid rss_before rss_open clients_pid
  read -r port db < <(endpoint_of "$target" read)
  pid=${proxy_pid[$target]}
  rss_before=$(status_kib "$pid" VmRSS)
  timeout --kill-after=5 "$idle_limit_seconds" "$pg_bin/pgbench" -n -h "$host" -p "$port" \
    -U postgres -c "$idle_sessions" -j "$cores" -t 1 -M simple -D "idle_marker=$marker" \
    -D "idle_seconds=$idle_limit_seconds" -f "$load_dir/idle_session.sql" "$db" \
    >"$work_dir/idle-$target.out" 2>&1 &
  clients_pid=$!
  background_clients+=("$clients_pid")
  wait_until $((idle_limit_seconds - 10)) "$idle_sessions sessions idle through $target" \
    idle_sessions_open "$marker"
  sleep 1
  rss_open=$(status_kib "$pid" VmRSS)
  idle_sessions_open "$marker" || die "idle sessions through $target ended before the reading"
  kill -TERM "$clients_pid" 2>/dev/null || true
  wait "$clients_pid" 2>/dev/null || true
  printf '{"kind": "idle", "target": "%s", "sessions": %d, %s, %s}\n' "$target" \
    "$idle_sessions" "\"rss_before_kib\": $rss_before" "\"rss_open_kib\": $rss_open" >>"$raw_file"
}
