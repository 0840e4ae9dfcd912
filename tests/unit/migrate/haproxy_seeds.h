// The HAProxy configs of the users' stacks (../shared/seeds/*.txt), as the seeds print them.
#pragma once

namespace pgroute::test {

// Seed 004 (004_d201e6ca78926bd4.txt, "HAProxy Configuration (haproxy/haproxy.cfg)"): the
// Terraform/VM stack, listen sections for primary and replicas and a stats page.
inline constexpr const char* seed_004_haproxy_cfg = R"(global
    maxconn 1000
    log stdout format raw local0

defaults
    log global
    mode tcp
    retries 3
    timeout connect 10s
    timeout client 30m
    timeout server 30m
    timeout check 5s

# Stats page - accessible at http://<haproxy-ip>:8404/stats
listen stats
    mode http
    bind *:8404
    stats enable
    stats uri /stats
    stats refresh 10s
    stats admin if LOCALHOST

# PostgreSQL Primary (read-write)
listen postgresql-primary
    bind *:5432
    mode tcp
    option httpchk GET /primary
    http-check expect status 200
    default-server inter 3s fall 3 rise 2 on-marked-down shutdown-sessions
    server pg-node-1 10.0.0.11:5432 check port 8008
    server pg-node-2 10.0.0.12:5432 check port 8008
    server pg-node-3 10.0.0.13:5432 check port 8008

# PostgreSQL Replicas (read-only)
listen postgresql-replicas
    bind *:5433
    mode tcp
    balance roundrobin
    option httpchk GET /replica
    http-check expect status 200
    default-server inter 3s fall 3 rise 2 on-marked-down shutdown-sessions
    server pg-node-1 10.0.0.11:5432 check port 8008
    server pg-node-2 10.0.0.12:5432 check port 8008
    server pg-node-3 10.0.0.13:5432 check port 8008
)";

// Seed 001 (001_6aeb72a69875da4d.txt, "Configuration (from configs/haproxy.cfg)"): the Docker
// Compose stack's backends, printed without their frontends and servers.
inline constexpr const char* seed_001_haproxy_fragment = R"(backend patroni_write_backend
    balance first
    option httpchk GET /master
    http-check expect status 200

backend patroni_read_backend
    balance roundrobin
    option httpchk GET /replica
    http-check expect status 200
)";

// Seeds 000 and 001 describe the rest of that stack's configs/haproxy.cfg in prose: write on
// 5551 and read on 5552 in front of db1..db4 (PostgreSQL on 5431 and the Patroni API on 8001
// inside the compose network), stats on 5553. This is the whole file as they describe it, around
// seed 001's backends.
inline constexpr const char* seed_000_001_haproxy_cfg = R"(defaults
    log global
    mode tcp
    retries 2
    timeout client 30m
    timeout connect 4s
    timeout server 30m
    timeout check 5s

listen stats
    mode http
    bind *:5553
    stats enable
    stats uri /stats

frontend patroni_write
    bind *:5551
    default_backend patroni_write_backend

frontend patroni_read
    bind *:5552
    default_backend patroni_read_backend

backend patroni_write_backend
    balance first
    option httpchk GET /master
    http-check expect status 200
    default-server inter 3s fall 3 rise 2 on-marked-down shutdown-sessions
    server db1 db1:5431 check port 8001
    server db2 db2:5431 check port 8001
    server db3 db3:5431 check port 8001
    server db4 db4:5431 check port 8001

backend patroni_read_backend
    balance roundrobin
    option httpchk GET /replica
    http-check expect status 200
    default-server inter 3s fall 3 rise 2 on-marked-down shutdown-sessions
    server db1 db1:5431 check port 8001
    server db2 db2:5431 check port 8001
    server db3 db3:5431 check port 8001
    server db4 db4:5431 check port 8001
)";

}  // namespace pgroute::test
