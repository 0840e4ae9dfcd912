# The PostgreSQL primary and its streaming replica behind every target, in $work_dir, with the
# pgbench tables at scale $scale. Sourced by bench/run after lib.sh.
# shellcheck shell=bash

start_postgres() { # start_postgres NAME DATA_DIR PORT
  spawn "postgres-$1" INT "$work_dir/$1.log" "$pg_bin/postgres" -D "$2" -p "$3"
  wait_until 60 "postgres $1 accepts connections on $3" \
    "$pg_bin/pg_isready" -q -h "$host" -p "$3" -d postgres -U postgres
}

as_postgres() {
  (cd "$work_dir" && setpriv --reuid="$run_as_user" --regid="$run_as_user" --init-groups "$@")
}

replica_caught_up() {
  local lsn
  lsn=$(sql "$primary_port" postgres "SELECT pg_current_wal_lsn()")
  [[ $(sql "$replica_port" postgres \
    "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn") == t ]]
}

# The user of the SCRAM connection-rate point: a SCRAM verifier on the servers (pg_hba.conf asks
# it for SCRAM), and the same verifier in the proxies' user lists.
create_scram_user() {
  sql "$primary_port" bench "CREATE ROLE $scram_user LOGIN PASSWORD '$scram_password';
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO $scram_user" >/dev/null
  scram_secret=$(sql "$primary_port" postgres \
    "SELECT rolpassword FROM pg_authid WHERE rolname = '$scram_user'")
  [[ $scram_secret == SCRAM-SHA-256\$* ]] || die "$scram_user has no SCRAM verifier: $scram_secret"
}

start_cluster() {
  log "initdb, primary on $primary_port, replica on $replica_port"
  as_postgres "$pg_bin/initdb" -D "$work_dir/primary" -U postgres --auth=trust -E UTF8 \
    --locale=C --no-sync >"$work_dir/initdb.log"
  render "$load_dir/configs/postgresql.conf" "$work_dir/bench.conf" work_dir
  as_postgres sh -c "cat '$work_dir/bench.conf' >>'$work_dir/primary/postgresql.conf' &&
    cp '$load_dir/configs/pg_hba.conf' '$work_dir/primary/pg_hba.conf'"
  start_postgres primary "$work_dir/primary" "$primary_port"

  log "pgbench -i at scale $scale"
  sql "$primary_port" postgres "CREATE DATABASE bench" >/dev/null
  "$pg_bin/pgbench" -i -q -s "$scale" -h "$host" -p "$primary_port" -U postgres bench \
    >"$work_dir/pgbench-init.log" 2>&1 || die "pgbench -i failed: see $work_dir/pgbench-init.log"

  create_scram_user

  as_postgres "$pg_bin/pg_basebackup" -h "$host" -p "$primary_port" -U postgres \
    -D "$work_dir/replica" --write-recovery-conf --wal-method=stream --checkpoint=fast \
    --no-sync --create-slot --slot=bench_replica
  start_postgres replica "$work_dir/replica" "$replica_port"
  wait_until 60 "the replica has replayed the primary's WAL" replica_caught_up
  [[ $(sql "$replica_port" postgres "SELECT pg_is_in_recovery()") == t ]] ||
    die "the replica on $replica_port is not in recovery"
}
