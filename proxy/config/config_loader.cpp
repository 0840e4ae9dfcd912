#include "proxy/config/config_loader.h"

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "health/patroni/http_url.h"

namespace pgroute::proxy {

namespace {

void read_listen(yaml_reader& map, const std::string& key, listen_address& out) {
    std::string text;
    map.read(key, text);
    if (text.empty()) return;
    if (auto parsed = parse_listen_address(text)) {
        out = *parsed;
    } else {
        map.problem(key, "must be host:port with a port from 1 to 65535, got '" + text + "'");
    }
}

void read_u32_size(yaml_reader& map, const std::string& key, std::uint32_t& out, std::uint64_t min,
                   std::uint64_t max) {
    std::uint64_t value = out;
    map.read_size(key, value);
    if (value < min || value > max) {
        map.problem(
            key, "must be from " + std::to_string(min) + " to " + std::to_string(max) + " bytes");
        return;
    }
    out = static_cast<std::uint32_t>(value);
}

endpoint_config read_endpoint(const std::string& name, const YAML::Node& node, bool tls_configured,
                              std::vector<config_problem>& problems) {
    endpoint_config ep;
    ep.name = name;
    ep.tls = tls_configured ? client_tls_mode::allow : client_tls_mode::disable;
    yaml_reader map(node, "endpoints." + name, problems);
    if (!map.has("listen")) map.problem("listen", "is required");
    read_listen(map, "listen", ep.listen);
    if (!map.has("route")) map.problem("route", "is required (leader or replica)");
    map.read_choice("route", ep.route,
                    {{"leader", route_kind::leader}, {"replica", route_kind::replica}});
    map.read_choice("balance", ep.balance,
                    {{"roundrobin", balance_kind::round_robin},
                     {"leastconn", balance_kind::least_connections}});
    map.read("fallback_to_leader", ep.fallback_to_leader);
    map.read("cut_on_promote", ep.cut_on_promote);
    map.read("cut_lagging_when_idle", ep.cut_lagging_when_idle);
    map.read_choice("tls", ep.tls,
                    {{"disable", client_tls_mode::disable},
                     {"allow", client_tls_mode::allow},
                     {"require", client_tls_mode::require}});
    if (ep.tls != client_tls_mode::disable && !tls_configured) {
        map.problem("tls", "needs the top-level tls section (cert_file, key_file)");
    }
    return ep;
}

node_config read_node(std::size_t index, const YAML::Node& node, bool patroni_mode,
                      std::vector<config_problem>& problems) {
    node_config n;
    yaml_reader map(node, "nodes[" + std::to_string(index) + "]", problems);
    map.read("name", n.address.name);
    if (n.address.name.empty()) map.problem("name", "is required");
    map.read("host", n.address.host);
    if (n.address.host.empty()) map.problem("host", "is required");
    unsigned port = 5432;
    map.read("port", port, 1, 65535);
    n.address.port = static_cast<std::uint16_t>(port);
    map.read("api_url", n.api_url);
    // Checked here so that `pgroute --check` catches it, not the first poll.
    if (!n.api_url.empty()) {
        if (const auto url = health::parse_http_url(n.api_url); !url) {
            map.problem("api_url", url.error());
        }
    }
    if (map.has("role")) {
        if (patroni_mode) map.problem("role", "is ignored when a patroni section is present");
        health::node_role role{};
        map.read_choice(
            "role", role,
            {{"primary", health::node_role::leader}, {"replica", health::node_role::replica}});
        n.static_role = role;
    } else if (!patroni_mode) {
        map.problem("role", "is required without a patroni section (primary or replica)");
    }
    if (patroni_mode && n.api_url.empty()) map.problem("api_url", "is required in Patroni mode");
    return n;
}

patroni_config read_patroni(yaml_reader& map) {
    patroni_config p;
    map.read_duration("interval", p.timing.interval);
    map.read_duration("fast_interval", p.timing.fast_interval);
    map.read_duration("timeout", p.timing.timeout);
    map.read_size("max_lag", p.rules.max_lag_bytes);
    map.read_duration("max_lag_time", p.rules.max_lag_time);
    map.read("rise", p.rules.rise, 1, 100);
    map.read("fall", p.rules.fall, 1, 100);
    map.read("api_ca_file", p.api_ca_file);
    map.read("api_cert_file", p.api_cert_file);
    map.read("api_key_file", p.api_key_file);
    map.read("api_username", p.api_username);
    map.read("api_password", p.api_password);
    if (p.api_cert_file.empty() != p.api_key_file.empty()) {
        map.problem(p.api_cert_file.empty() ? "api_cert_file" : "api_key_file",
                    "api_cert_file and api_key_file go together");
    }
    if (p.api_username.empty() && !p.api_password.empty()) {
        map.problem("api_username", "is required with api_password");
    }
    if (p.timing.interval.count() < 10) map.problem("interval", "must be at least 10ms");
    if (p.timing.fast_interval.count() < 10) map.problem("fast_interval", "must be at least 10ms");
    if (p.timing.timeout.count() < 10) map.problem("timeout", "must be at least 10ms");
    return p;
}

tls_config read_tls(yaml_reader& map) {
    tls_config t;
    map.read("cert_file", t.cert_file);
    map.read("key_file", t.key_file);
    map.read("ca_file", t.ca_file);
    if (t.cert_file.empty()) map.problem("cert_file", "is required");
    if (t.key_file.empty()) map.problem("key_file", "is required");
    return t;
}

server_tls_config read_server_tls(yaml_reader& map) {
    server_tls_config t;
    map.read_choice("mode", t.mode,
                    {{"disable", server_tls_mode::disable},
                     {"prefer", server_tls_mode::prefer},
                     {"require", server_tls_mode::require},
                     {"verify-full", server_tls_mode::verify_full}});
    map.read("ca_file", t.ca_file);
    if (t.mode == server_tls_mode::verify_full && t.ca_file.empty()) {
        map.problem("ca_file", "is required with mode verify-full");
    }
    return t;
}

auth_config read_auth(yaml_reader& map) {
    auth_config a;
    map.read_choice("mode", a.mode,
                    {{"passthrough", auth_mode::passthrough}, {"proxy", auth_mode::proxy}});
    map.read("auth_file", a.auth_file);
    map.read("auth_user", a.auth_user);
    if (map.has("auth_query") && a.auth_user.empty()) {
        map.problem("auth_query", "needs auth_user, whom pgroute runs it as");
    }
    map.read("auth_query", a.auth_query);
    if (a.auth_query.find("$1") == std::string::npos) {
        map.problem("auth_query", "must take the user name as $1");
    }
    map.read("auth_dbname", a.auth_dbname);
    map.read_duration("auth_cache_ttl", a.auth_cache_ttl);
    map.read("auth_pool_size", a.auth_pool_size, 1, 100);
    if (a.mode == auth_mode::passthrough && !a.auth_user.empty()) {
        map.problem("auth_user", "is only used with mode proxy (the node authenticates clients)");
    }
    if (a.mode == auth_mode::proxy && a.auth_file.empty()) {
        map.problem("auth_file", "is required with mode proxy");
    }
    if (a.mode == auth_mode::passthrough && !a.auth_file.empty()) {
        map.problem("auth_file", "is only used with mode proxy (the node authenticates clients)");
    }
    return a;
}

limits_config read_limits(yaml_reader& map) {
    limits_config l;
    // Up to 1GB, PostgreSQL's own ceiling on a message.
    read_u32_size(map, "max_message_length", l.max_message_length, 1024, 1u << 30);
    read_u32_size(map, "max_startup_packet_length", l.max_startup_packet_length, 64, 1 << 20);
    map.read_duration("startup_timeout", l.startup_timeout);
    map.read_duration("connect_timeout", l.connect_timeout);
    // node_wait is hold_timeout's name from before sessions could move, when it bounded only a
    // new session's wait (3 s then); configs that set it keep working.
    if (map.has("node_wait") && map.has("hold_timeout")) {
        map.problem("node_wait", "is the older name of hold_timeout: set only hold_timeout");
    }
    map.read_duration("node_wait", l.hold_timeout);
    map.read_duration("hold_timeout", l.hold_timeout);
    unsigned max_clients = l.max_client_connections;
    map.read("max_client_connections", max_clients, 1, 1'000'000);
    l.max_client_connections = max_clients;
    read_u32_size(map, "buffer_size", l.buffer_size, 1024, 1 << 24);
    map.read_duration("idle_error_hold", l.idle_error_hold);
    map.read_duration("drain_timeout", l.drain_timeout);
    read_u32_size(map, "max_session_state", l.max_session_state, 0, 1u << 30);
    // A held session keeps its client's connection, and its place under max_client_connections.
    if (l.idle_error_hold > std::chrono::hours(1)) {
        map.problem("idle_error_hold", "must be at most 1h");
    }
    return l;
}

peering_config read_peering(yaml_reader& map, std::vector<config_problem>& problems) {
    peering_config p;
    if (!map.has("id")) map.problem("id", "is required: this instance's id, 1 to 255");
    map.read("id", p.id, 1, 255);
    const auto peers = map.child("peers");
    if (peers && !peers.IsSequence()) {
        map.problem("peers", "must be a list of {id, address}");
        return p;
    }
    std::set<unsigned> ids{p.id};
    for (std::size_t i = 0; peers && i < peers.size(); ++i) {
        yaml_reader entry(peers[i], "peering.peers[" + std::to_string(i) + "]", problems);
        peer_config peer;
        if (!entry.has("id")) entry.problem("id", "is required (1 to 255)");
        entry.read("id", peer.id, 1, 255);
        if (peer.id != 0 && !ids.insert(peer.id).second) {
            entry.problem("id", std::to_string(peer.id) + " is this instance's or another peer's");
        }
        if (!entry.has("address")) entry.problem("address", "is required (host:port)");
        read_listen(entry, "address", peer.address);
        p.peers.push_back(std::move(peer));
    }
    return p;
}

void check_cross_references(config& cfg, std::vector<config_problem>& problems) {
    if (cfg.endpoints.empty())
        problems.push_back({"endpoints", "at least one endpoint is required"});
    if (cfg.nodes.empty()) problems.push_back({"nodes", "at least one node is required"});
    std::set<std::string> names;
    for (std::size_t i = 0; i < cfg.nodes.size(); ++i) {
        if (!names.insert(cfg.nodes[i].address.name).second) {
            problems.push_back({"nodes[" + std::to_string(i) + "].name",
                                "duplicate node name '" + cfg.nodes[i].address.name + "'"});
        }
    }
    if (!cfg.patroni) {
        int primaries = 0;
        for (const auto& n : cfg.nodes)
            primaries += n.static_role == health::node_role::leader;
        if (primaries > 1) problems.push_back({"nodes", "at most one node may have role primary"});
    }
    std::set<std::pair<std::string, std::uint16_t>> listens;
    for (const auto& ep : cfg.endpoints) {
        if (!listens.insert({ep.listen.host, ep.listen.port}).second) {
            problems.push_back({"endpoints." + ep.name + ".listen", "address already used"});
        }
    }
    if (cfg.admin && !listens.insert({cfg.admin->listen.host, cfg.admin->listen.port}).second) {
        problems.push_back({"admin.listen", "address already used by an endpoint"});
    }
}

}  // namespace

std::optional<listen_address> parse_listen_address(std::string_view text) {
    std::string_view host;
    std::string_view port;
    if (text.starts_with('[')) {
        const auto close = text.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (host.empty() || ec != std::errc{} || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
        return std::nullopt;
    }
    return listen_address{std::string(host), static_cast<std::uint16_t>(value)};
}

config_result parse_config(const std::string& yaml_text) {
    config_result result;
    auto& problems = result.problems;
    YAML::Node root;
    try {
        root = YAML::Load(yaml_text);
    } catch (const YAML::Exception& e) {
        problems.push_back(
            {"", "not valid YAML: " + e.msg + " at line " + std::to_string(e.mark.line + 1)});
        return result;
    }
    auto& cfg = result.cfg;
    yaml_reader top(root, "", problems);
    if (!top.valid()) return result;

    std::string threads = "auto";
    top.read("threads", threads);
    if (threads != "auto") top.read("threads", cfg.threads, 1, 256);
    top.read_choice("log_level", cfg.level,
                    {{"debug", log_level::debug},
                     {"info", log_level::info},
                     {"warn", log_level::warn},
                     {"error", log_level::error}});

    // A `patroni:` key, even an empty one, switches the topology source to Patroni.
    if (const auto patroni = top.child("patroni")) {
        yaml_reader map(patroni, "patroni", problems);
        cfg.patroni = read_patroni(map);
    }

    if (top.has("tls")) {
        yaml_reader map(top.child("tls"), "tls", problems);
        cfg.tls = read_tls(map);
    }
    if (top.has("server_tls")) {
        yaml_reader map(top.child("server_tls"), "server_tls", problems);
        cfg.server_tls = read_server_tls(map);
    }

    if (const auto endpoints = top.child("endpoints"); endpoints.IsMap()) {
        for (const auto& entry : endpoints) {
            const auto name = key_name(entry.first, "endpoints", problems);
            if (!name) continue;
            cfg.endpoints.push_back(
                read_endpoint(*name, entry.second, cfg.tls.has_value(), problems));
        }
    } else if (endpoints) {
        problems.push_back({"endpoints", "must be a mapping of endpoint name to settings"});
    }

    if (const auto nodes = top.child("nodes"); nodes.IsSequence()) {
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            cfg.nodes.push_back(read_node(i, nodes[i], cfg.patroni.has_value(), problems));
        }
    } else if (nodes) {
        problems.push_back({"nodes", "must be a list of nodes"});
    }

    if (top.has("auth")) {
        yaml_reader map(top.child("auth"), "auth", problems);
        cfg.auth = read_auth(map);
    }
    if (top.has("limits")) {
        yaml_reader map(top.child("limits"), "limits", problems);
        cfg.limits = read_limits(map);
    }
    if (top.has("admin")) {
        yaml_reader map(top.child("admin"), "admin", problems);
        cfg.admin = admin_config{};
        read_listen(map, "listen", cfg.admin->listen);
    }
    if (top.has("peering")) {
        yaml_reader map(top.child("peering"), "peering", problems);
        cfg.peering = read_peering(map, problems);
    }
    check_cross_references(cfg, problems);
    return result;
}

config_result load_config_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        config_result result;
        result.problems.push_back({"", "cannot read config file '" + path + "'"});
        return result;
    }
    std::stringstream text;
    text << in.rdbuf();
    return parse_config(text.str());
}

}  // namespace pgroute::proxy
