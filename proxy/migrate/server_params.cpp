// `server NAME ADDRESS PARAMS...` and `default-server PARAMS...`: the check's target and timing
// are carried over; every other parameter gets a note.
#include <array>
#include <string_view>

#include "proxy/migrate/proxy_settings.h"

namespace pgroute::proxy::migrate {
namespace {

// Server parameters that take a value, so that the value is not read as a parameter.
constexpr std::array valued_params{
    "agent-addr",
    "agent-inter",
    "agent-port",
    "agent-send",
    "alpn",
    "ca-file",
    "check-alpn",
    "check-proto",
    "check-sni",
    "ciphers",
    "ciphersuites",
    "cookie",
    "crl-file",
    "crt",
    "curves",
    "error-limit",
    "guid",
    "hash-key",
    "id",
    "init-addr",
    "log-proto",
    "max-reuse",
    "maxconn",
    "maxqueue",
    "minconn",
    "namespace",
    "npn",
    "observe",
    "on-error",
    "pool-conn-name",
    "pool-high-conn",
    "pool-low-conn",
    "pool-max-conn",
    "pool-purge-delay",
    "proto",
    "proxy-v2-options",
    "redir",
    "resolve-net",
    "resolve-opts",
    "resolve-prefer",
    "resolvers",
    "set-proxy-v2-tlv-fmt",
    "shard",
    "sigalgs",
    "slowstart",
    "sni",
    "socks4",
    "source",
    "ssl-max-ver",
    "ssl-min-ver",
    "tcp-ut",
    "track",
    "usesrc",
    "verify",
    "weight",
    "ws",
    "client-sigalgs",
    "downinter",
    "on-marked-up",
};

bool takes_value(std::string_view param) {
    for (const std::string_view candidate : valued_params) {
        if (candidate == param) return true;
    }
    return false;
}

std::string why_not_carried(std::string_view param) {
    if (param == "backup") {
        return "pgroute has no backup servers: a read endpoint can fall back to the leader "
               "(fallback_to_leader)";
    }
    if (param == "ssl" || param == "verify" || param == "ca-file" || param == "sni") {
        return "TLS to the nodes is server_tls (mode, ca_file) in pgroute.yaml";
    }
    if (param == "weight") return "pgroute balances replicas evenly";
    if (param == "maxconn" || param == "maxqueue" || param == "minconn") {
        return "pgroute has no per-node connection limit or queue";
    }
    if (param == "send-proxy" || param == "send-proxy-v2") {
        return "PostgreSQL does not read the PROXY protocol";
    }
    if (param == "downinter") return "pgroute polls every node at patroni.interval";
    if (param == "resolvers" || param == "init-addr" || param == "resolve-prefer") {
        return "pgroute resolves a node's host with getaddrinfo at each connection";
    }
    return "pgroute has no equivalent";
}

}  // namespace

std::optional<migrate_error> read_server_params(const haproxy_directive& directive,
                                                std::size_t first, server_spec& server,
                                                std::vector<migration_note>& notes) {
    const auto& words = directive.words;
    const auto value_of = [&](std::size_t& i) -> const std::string* {
        if (i + 1 >= words.size()) return nullptr;
        return &words[++i];
    };
    const auto missing = [&](std::string_view param) {
        return migrate_error{directive.line, "'" + std::string(param) + "' needs a value"};
    };
    const auto time_param =
        [&](std::size_t& i,
            std::optional<carried<milliseconds>>& out) -> std::optional<migrate_error> {
        const std::string& param = words[i];
        const std::string* value = value_of(i);
        if (value == nullptr) return missing(param);
        const auto time = parse_haproxy_time(*value);
        if (!time) return migrate_error{directive.line, param + " " + time.error()};
        out = carried<milliseconds>{*time, directive.line, param + " " + *value};
        return std::nullopt;
    };
    const auto count_param =
        [&](std::size_t& i, std::optional<carried<unsigned>>& out) -> std::optional<migrate_error> {
        const std::string& param = words[i];
        const std::string* value = value_of(i);
        if (value == nullptr) return missing(param);
        const auto count = parse_count(*value, 1, 1'000'000);
        if (!count) return migrate_error{directive.line, param + " needs a positive number"};
        out = carried<unsigned>{*count, directive.line, param + " " + *value};
        return std::nullopt;
    };

    for (std::size_t i = first; i < words.size(); ++i) {
        const std::string& param = words[i];
        std::optional<migrate_error> error;
        if (param == "check") {
            server.check = true;
        } else if (param == "no-check") {
            server.check = false;
        } else if (param == "check-ssl") {
            server.check_ssl = true;
        } else if (param == "port") {
            const std::string* value = value_of(i);
            if (value == nullptr) return missing(param);
            const auto port = parse_count(*value, 1, 65535);
            if (!port) return migrate_error{directive.line, "port '" + *value + "' is not a port"};
            server.check_port = static_cast<std::uint16_t>(*port);
        } else if (param == "addr") {
            const std::string* value = value_of(i);
            if (value == nullptr) return missing(param);
            const auto address = parse_server_address(*value);
            if (!address) return migrate_error{directive.line, "addr " + address.error()};
            server.check_host = (*address).host;
        } else if (param == "inter") {
            error = time_param(i, server.timing.inter);
        } else if (param == "fastinter") {
            error = time_param(i, server.timing.fastinter);
        } else if (param == "rise") {
            error = count_param(i, server.timing.rise);
        } else if (param == "fall") {
            error = count_param(i, server.timing.fall);
        } else if (param == "on-marked-down") {
            const std::string* value = value_of(i);
            if (value == nullptr) return missing(param);
            if (*value == "shutdown-sessions") {
                server.timing.shutdown_sessions = true;
            } else {
                notes.push_back({directive.line, "'on-marked-down " + *value +
                                                     "' has no equivalent: pgroute cuts the "
                                                     "sessions of a node that loses its role"});
            }
        } else {
            std::string text = "'" + param;
            if (takes_value(param)) {
                const std::string* value = value_of(i);
                if (value == nullptr) return missing(param);
                text += " ";
                text += *value;
            }
            text += "' of ";
            text += words[0];
            if (first > 1) text += " " + words[1];
            text += " is not carried: ";
            text += why_not_carried(param);
            notes.push_back({directive.line, std::move(text)});
        }
        if (error) return error;
    }
    return std::nullopt;
}

}  // namespace pgroute::proxy::migrate
