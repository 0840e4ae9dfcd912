# Sourced by patroni-cluster.sh: the etcd command line, each node's Patroni configuration (with
# the opt-in REST API security) and the roles the tests log in with.
# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034  # set and used by patroni-cluster.sh and the files it sources

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
