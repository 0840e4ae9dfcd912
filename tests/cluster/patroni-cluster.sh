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

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly script_dir
# shellcheck source=tests/cluster/patroni-cluster-processes.sh
source "$script_dir/patroni-cluster-processes.sh"
# shellcheck source=tests/cluster/patroni-cluster-config.sh
source "$script_dir/patroni-cluster-config.sh"
# shellcheck source=tests/cluster/patroni-cluster-commands.sh
source "$script_dir/patroni-cluster-commands.sh"

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
