# Sourced by patroni-cluster.sh: where each daemon listens, and the processes of a cluster
# directory (started as postgres in a session of their own, found again, stopped).
# shellcheck shell=bash
# shellcheck disable=SC2154,SC2164  # set by patroni-cluster.sh (set -e included), which sources this file

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
