#include "proxy/migrate/proxy_settings.h"

#include <string_view>

namespace pgroute::proxy::migrate {
namespace {

const char* const logging_reason =
    "pgroute logs one line per event (a cut, a topology change) to stderr";
const char* const checking_reason = "pgroute checks nodes through Patroni's REST API only";

std::string option_reason(std::string_view option) {
    if (option.ends_with("log") || option == "dontlognull" || option == "log-health-checks" ||
        option == "logasap") {
        return logging_reason;
    }
    if (option == "redispatch") {
        return "pgroute routes a new session again, within limits.hold_timeout, when its node "
               "refuses it";
    }
    if (option.ends_with("tcpka")) return "pgroute does not set TCP keepalives";
    if (option.ends_with("-check")) return checking_reason;
    return "pgroute has no equivalent";
}

class proxy_reader {
  public:
    proxy_reader(const haproxy_section& section, proxy_settings settings)
        : section_(section), settings_(std::move(settings)) {}

    std::variant<proxy_settings, migrate_error> read() {
        for (const haproxy_directive& directive : section_.directives) {
            if (auto error = read_directive(directive)) return *error;
        }
        return std::move(settings_);
    }

  private:
    void note(const haproxy_directive& directive, std::string_view why) {
        settings_.notes.push_back(
            {directive.line, "'" + directive.text() + "' is not carried: " + std::string(why)});
    }

    static migrate_error needs(const haproxy_directive& directive, std::string_view what) {
        return migrate_error{directive.line,
                             "'" + directive.words[0] + "' needs " + std::string(what)};
    }

    std::optional<migrate_error> read_directive(const haproxy_directive& directive) {
        const auto& words = directive.words;
        const std::string& keyword = words[0];
        const std::string second = words.size() > 1 ? words[1] : std::string();
        if (keyword == "bind") return read_bind(directive);
        if (keyword == "server") return read_server(directive);
        if (keyword == "default-server") {
            return read_server_params(directive, 1, settings_.default_server, settings_.notes);
        }
        if (keyword == "timeout") return read_timeout(directive);
        if (keyword == "mode") {
            if (second.empty()) return needs(directive, "tcp or http");
            settings_.mode = second;
        } else if (keyword == "balance") {
            read_balance(directive);
        } else if (keyword == "option" && second == "httpchk") {
            // `option httpchk URI` sends OPTIONS; `option httpchk METHOD URI [VERSION]`.
            const bool method_given = words.size() > 3;
            settings_.check =
                check_spec{.method = method_given ? words[2] : "OPTIONS",
                           .uri = words.size() > 2 ? words[method_given ? 3 : 2] : "/",
                           .line = directive.line,
                           .text = directive.text()};
        } else if (keyword == "http-check") {
            return read_http_check(directive);
        } else if (keyword == "option") {
            if (second.empty()) return needs(directive, "an option name");
            note(directive, option_reason(second));
        } else if (keyword == "stats") {
            settings_.stats = true;
            if (second != "enable") {
                note(directive, second == "auth" || second == "admin"
                                    ? "the admin listener has no authentication and changes "
                                      "nothing: keep it on loopback or a management network"
                                    : "the admin listener serves / (status page), /metrics, "
                                      "/topology, /health and /ready");
            }
        } else if (keyword == "http-request" && words.size() > 2 && second == "use-service" &&
                   words[2] == "prometheus-exporter") {
            settings_.stats = true;
            note(directive, "the admin listener serves pgroute's own /metrics");
        } else if (keyword == "default_backend" ||
                   (keyword == "use_backend" && words.size() == 2)) {
            if (second.empty()) return needs(directive, "a backend name");
            settings_.default_backend =
                carried<std::string>{second, directive.line, directive.text()};
        } else if (keyword == "use_backend") {
            note(directive, "pgroute routes an endpoint by role, not by conditions");
        } else if (keyword == "maxconn") {
            if (!parse_count(second, 0, 0x7fffffff)) return needs(directive, "a number");
            note(directive,
                 "pgroute's connection limit is process-wide: limits."
                 "max_client_connections, from global maxconn");
        } else if (keyword == "log") {
            note(directive, logging_reason);
        } else if (keyword == "retries") {
            note(directive,
                 "pgroute routes a new session again, within limits.hold_timeout, when "
                 "its node refuses it");
        } else if (keyword == "tcp-check") {
            note(directive, checking_reason);
        } else if (keyword == "monitor-uri") {
            note(directive, "the admin listener answers /health (liveness) and /ready");
        } else {
            note(directive, "pgroute has no equivalent");
        }
        return std::nullopt;
    }

    std::optional<migrate_error> read_bind(const haproxy_directive& directive) {
        const auto& words = directive.words;
        if (words.size() < 2) return needs(directive, "an address");
        if (section_.kind == section_kind::backend || section_.kind == section_kind::defaults) {
            note(directive, "a " + section_.keyword + " section does not listen");
            return std::nullopt;
        }
        std::string_view list = words[1];
        while (!list.empty()) {
            const auto comma = list.find(',');
            const std::string_view one = list.substr(0, comma);
            list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
            const auto address = parse_bind_address(one);
            if (address) {
                settings_.binds.push_back({*address, directive.line, "bind " + std::string(one)});
            } else {
                note(directive, address.error());
            }
        }
        if (words.size() > 2) {
            std::string params;
            for (std::size_t i = 2; i < words.size(); ++i)
                params += " " + words[i];
            settings_.notes.push_back(
                {directive.line, "bind parameters '" + params.substr(1) + "' are not carried: " +
                                     (params.find(" ssl") != std::string::npos
                                          ? "TLS to clients is pgroute.yaml's tls section "
                                            "(cert_file, key_file) and endpoints.NAME.tls"
                                          : "pgroute has no equivalent")});
        }
        return std::nullopt;
    }

    std::optional<migrate_error> read_server(const haproxy_directive& directive) {
        const auto& words = directive.words;
        if (words.size() < 3) return needs(directive, "a name and an address");
        const auto address = parse_server_address(words[2]);
        if (!address)
            return migrate_error{directive.line, "server " + words[1] + ": " + address.error()};
        server_spec server = settings_.default_server;
        server.name = words[1];
        server.address = *address;
        server.line = directive.line;
        if (auto error = read_server_params(directive, 3, server, settings_.notes)) return error;
        settings_.servers.push_back(std::move(server));
        return std::nullopt;
    }

    std::optional<migrate_error> read_timeout(const haproxy_directive& directive) {
        const auto& words = directive.words;
        if (words.size() < 3) return needs(directive, "a name and a time");
        const auto time = parse_haproxy_time(words[2]);
        if (!time)
            return migrate_error{directive.line, "timeout " + words[1] + ": " + time.error()};
        const carried<milliseconds> value{*time, directive.line, directive.text()};
        const std::string& name = words[1];
        if (name == "connect") {
            settings_.connect_timeout = value;
        } else if (name == "check") {
            settings_.check_timeout = value;
        } else if (name == "client" || name == "server" || name == "tunnel" ||
                   name == "client-fin" || name == "server-fin") {
            note(directive,
                 "pgroute never ends an idle session; PostgreSQL's "
                 "idle_session_timeout and idle_in_transaction_session_timeout do");
        } else if (name == "queue") {
            note(directive,
                 "pgroute does not queue: a session waits at most limits.hold_timeout "
                 "for a node");
        } else {
            note(directive, "pgroute has no equivalent");
        }
        return std::nullopt;
    }

    void read_balance(const haproxy_directive& directive) {
        const std::string algorithm = directive.words.size() > 1 ? directive.words[1] : "";
        if (algorithm == "roundrobin" || algorithm == "static-rr") {
            settings_.balance =
                carried<balance_kind>{balance_kind::round_robin, directive.line, directive.text()};
            if (algorithm == "static-rr") note(directive, "pgroute's roundrobin has no weights");
        } else if (algorithm == "leastconn") {
            settings_.balance = carried<balance_kind>{balance_kind::least_connections,
                                                      directive.line, directive.text()};
        } else {
            note(directive,
                 "pgroute balances replicas by roundrobin or leastconn; a leader "
                 "endpoint has one target");
        }
    }

    std::optional<migrate_error> read_http_check(const haproxy_directive& directive) {
        const auto& words = directive.words;
        const std::string second = words.size() > 1 ? words[1] : "";
        if (second == "expect") {
            if (words.size() == 4 && words[2] == "status" && words[3] == "200") return std::nullopt;
            note(directive,
                 "pgroute reads Patroni's status as JSON (GET /patroni), not a status code");
        } else if (second == "send") {
            std::string method = "GET";
            std::string uri;
            // Not read in pairs: `hdr NAME VALUE` takes two words.
            for (std::size_t i = 2; i + 1 < words.size(); ++i) {
                if (words[i] == "meth") method = words[i + 1];
                if (words[i] == "uri") uri = words[i + 1];
            }
            if (uri.empty()) return needs(directive, "'uri'");
            settings_.check = check_spec{method, uri, directive.line, directive.text()};
        } else {
            note(directive, checking_reason);
        }
        return std::nullopt;
    }

    const haproxy_section& section_;
    proxy_settings settings_;
};

}  // namespace

proxy_settings proxy_settings::inherited() const {
    proxy_settings copy;
    copy.check = check;
    copy.balance = balance;
    copy.mode = mode;
    copy.default_server = default_server;
    return copy;
}

std::variant<proxy_settings, migrate_error> read_proxy(const haproxy_section& section,
                                                       const proxy_settings& defaults) {
    return proxy_reader(section, defaults.inherited()).read();
}

}  // namespace pgroute::proxy::migrate
