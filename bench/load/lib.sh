# Shared helpers of the load harness (sourced by bench/run): logging, free loopback ports,
# daemons started as `postgres`, and the cleanup that stops every one of them on exit.
# shellcheck shell=bash

readonly pg_bin=/usr/lib/postgresql/15/bin
readonly run_as_user=postgres
readonly host=127.0.0.1

log() { printf "bench [%3ds]: %s\n" "$SECONDS" "$*" >&2; }
die() {
  echo "bench: $*" >&2
  exit 1
}

# Distinct free loopback ports, picked by the kernel. A port can be taken again between this
# and its use; the daemons' start-up checks then fail loudly rather than measure the wrong thing.
free_ports() { # free_ports N
  /usr/bin/python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# A base port B with B..B+N-1 all free, for a daemon group that numbers its ports from one base.
free_port_block() { # free_port_block N
  /usr/bin/python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    base = random.randrange(20000, 60000 - n)
    socks = []
    try:
        for port in range(base, base + n):
            s = socket.socket()
            socks.append(s)
            s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    print(base)
    sys.exit(0)
sys.exit("no block of %d free ports" % n)
PY
}

# Daemons we started, stopped in reverse order on exit: "pid:signal:name".
started=()
# Client processes running in the background (the idle-session opener), ended first.
background_clients=()
# Commands (eval'd) that stop what is not one of `started`, run after the daemons are stopped.
cleanup_hooks=()

# Starts a daemon as `postgres` with a clean environment (root's PATH has a non-Debian python3
# first). setpriv and env exec in place, so $! is the daemon's own pid.
spawn() { # spawn NAME STOP_SIGNAL LOG_FILE COMMAND...
  local name=$1 stop_signal=$2 log_file=$3
  shift 3
  (
    cd "$work_dir" || exit
    exec setpriv --reuid="$run_as_user" --regid="$run_as_user" --init-groups \
      env -i HOME="$work_dir" LANG=C.UTF-8 PATH="$pg_bin:/usr/bin:/bin" "$@" \
      </dev/null >>"$log_file" 2>&1
  ) &
  spawned_pid=$!
  started+=("$spawned_pid:$stop_signal:$name")
}

is_alive() { kill -0 "$1" 2>/dev/null; }

stop_daemon() { # stop_daemon PID SIGNAL NAME
  local pid=$1 signal=$2 name=$3 deadline
  is_alive "$pid" || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 15))
  while is_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  if is_alive "$pid"; then
    log "$name (pid $pid) ignored SIG$signal for 15s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# The EXIT trap: background clients first, then the daemons newest first (proxies before the
# servers behind them), then the cleanup hooks, then the scratch directory. Reports any process
# that survived.
cleanup() {
  local status=$? entry i survivors=()
  trap - EXIT INT TERM
  for pid in "${background_clients[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    entry=${started[i]}
    IFS=: read -r pid signal name <<<"$entry"
    stop_daemon "$pid" "$signal" "$name"
  done
  wait 2>/dev/null || true
  for hook in "${cleanup_hooks[@]}"; do eval "$hook" || status=1; done
  for entry in "${started[@]}"; do
    IFS=: read -r pid signal name <<<"$entry"
    if is_alive "$pid"; then survivors+=("$name:$pid"); fi
  done
  if ((${#survivors[@]})); then
    echo "bench: processes survived: ${survivors[*]}" >&2
    status=1
  fi
  if [[ -n ${work_dir:-} && -d $work_dir ]]; then
    if ((status != 0)) && [[ -n ${keep_on_failure:-} ]]; then
      log "kept $work_dir for inspection"
    else
      rm -rf "$work_dir"
    fi
  fi
  exit "$status"
}

# Polls COMMAND every 0.1s until it succeeds or SECONDS_MAX pass.
wait_until() { # wait_until SECONDS_MAX WHAT COMMAND...
  local limit=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "timed out after ${limit}s waiting until $what"
    sleep 0.1
  done
}

# Substitutes @NAME@ with the value of the shell variable NAME for every NAME given.
render() { # render TEMPLATE OUTPUT NAME...
  local template=$1 output=$2 expr=() name
  shift 2
  for name in "$@"; do expr+=(-e "s|@${name}@|${!name}|g"); done
  sed "${expr[@]}" "$template" >"$output"
  if grep -q '@[a-z_]*@' "$output"; then die "unfilled placeholder in $output"; fi
}

sql() { # sql PORT DB SQL: one value, unaligned, as superuser over TCP
  "$pg_bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$host" -p "$1" -U postgres -d "$2" -c "$3"
}
