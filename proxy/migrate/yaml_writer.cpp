#include "proxy/migrate/yaml_writer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <utility>

#include "proxy/migrate/haproxy_values.h"

namespace pgroute::proxy::migrate {
namespace {

using std::chrono::milliseconds;

// What a comment may hold: printable ASCII, so that no input byte can end the comment early or
// make the file invalid YAML.
std::string comment_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        out += byte >= 0x20 && byte < 0x7f ? c : '?';
    }
    return out;
}

// Not a word YAML 1.1 reads as a boolean or null.
bool is_safe_word(std::string_view text) {
    static constexpr std::array reserved{"true", "false", "yes", "no", "on",
                                         "off",  "null",  "y",   "n"};
    std::string lower;
    for (const char c : text)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return std::none_of(reserved.begin(), reserved.end(),
                        [&](std::string_view word) { return word == lower; });
}

// Names read back the same unquoted when they look like identifiers.
bool is_plain(std::string_view text) {
    if (text.empty() || std::isalpha(static_cast<unsigned char>(text.front())) == 0) return false;
    return std::all_of(text.begin(), text.end(),
                       [](char c) {
                           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' ||
                                  c == '-' || c == '.';
                       }) &&
           is_safe_word(text);
}

// A YAML scalar for a name from the input: plain when that reads back the same, else quoted.
std::string scalar(std::string_view text) {
    if (is_plain(text)) return std::string(text);
    std::string out = "\"";
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20 || byte >= 0x7f) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[byte >> 4];
            out += hex[byte & 15];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string duration(milliseconds value) {
    constexpr std::array<std::pair<std::int64_t, const char*>, 4> units{
        {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}}};
    const std::int64_t ms = value.count();
    for (const auto& [size, name] : units) {
        if (ms != 0 && ms % size == 0) return std::to_string(ms / size) + name;
    }
    return std::to_string(ms) + "ms";
}

std::string size(std::uint64_t bytes) {
    constexpr std::array<std::pair<std::uint64_t, const char*>, 4> units{
        {{std::uint64_t{1} << 40, "TB"}, {1 << 30, "GB"}, {1 << 20, "MB"}, {1 << 10, "kB"}}};
    for (const auto& [unit, name] : units) {
        if (bytes != 0 && bytes % unit == 0) return std::to_string(bytes / unit) + name;
    }
    return std::to_string(bytes);
}

// Addresses and URLs read back the same unquoted as long as they start like a word and hold
// nothing YAML gives a meaning to; IPv6 brackets need quotes.
std::string value_scalar(std::string_view text) {
    const bool plain =
        !text.empty() && std::isalnum(static_cast<unsigned char>(text.front())) != 0 &&
        !text.ends_with(':') &&
        std::all_of(text.begin(), text.end(),
                    [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' ||
                               c == ':' || c == '/' || c == '_' || c == '-';
                    }) &&
        is_safe_word(text);
    return plain ? std::string(text) : scalar(text);
}

class writer {
  public:
    void line(std::string_view text) {
        out_ += text;
        out_ += '\n';
    }

    // `key: value  # haproxy line N: origin`
    template <typename T>
    void setting(std::string_view indent, std::string_view key, const std::string& value,
                 const carried<T>& from) {
        line(std::string(indent) + std::string(key) + ": " + value + "  # haproxy line " +
             std::to_string(from.line) + ": " + comment_text(from.origin));
    }

    void notes(std::string_view indent, std::vector<migration_note> notes) {
        std::sort(notes.begin(), notes.end(), [](const auto& a, const auto& b) {
            return std::tie(a.line, a.text) < std::tie(b.line, b.text);
        });
        notes.erase(std::unique(notes.begin(), notes.end(),
                                [](const auto& a, const auto& b) {
                                    return a.line == b.line && a.text == b.text;
                                }),
                    notes.end());
        for (const migration_note& note : notes) {
            line(std::string(indent) + "# haproxy line " + std::to_string(note.line) + ": " +
                 comment_text(note.text));
        }
    }

    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

void write_endpoint(writer& out, const migrated_endpoint& endpoint) {
    out.line("  # " + comment_text(endpoint.origin) + " (line " + std::to_string(endpoint.line) +
             "): " + comment_text(endpoint.check) + " -> " +
             (endpoint.route == route_kind::leader ? "the leader" : "the replicas"));
    out.notes("  ", endpoint.notes);
    out.line("  " + scalar(endpoint.name) + ":");
    out.line("    listen: " +
             value_scalar(format_address(endpoint.listen.host, endpoint.listen.port)));
    out.line(std::string("    route: ") +
             (endpoint.route == route_kind::leader ? "leader" : "replica"));
    if (endpoint.balance) {
        out.line(std::string("    balance: ") +
                 (*endpoint.balance == balance_kind::round_robin ? "roundrobin" : "leastconn"));
    }
    if (endpoint.fallback_to_leader) out.line("    fallback_to_leader: true");
    if (endpoint.cut_on_promote) {
        out.line(std::string("    cut_on_promote: ") +
                 (*endpoint.cut_on_promote ? "true" : "false"));
    }
    if (endpoint.cut_lagging_when_idle) {
        out.line(std::string("    cut_lagging_when_idle: ") +
                 (*endpoint.cut_lagging_when_idle ? "true" : "false") +
                 "  # on-marked-down shutdown-sessions with ?lag=");
    }
}

}  // namespace

std::string write_pgroute_yaml(const migration& plan) {
    writer out;
    out.line("# pgroute.yaml written by `pgroute migrate-haproxy` from haproxy.cfg.");
    out.line("# Check it with `pgroute --check -c FILE`; README \"Migrating from HAProxy\".");
    if (!plan.notes.empty()) {
        out.line("#");
        out.line("# Not carried over:");
        out.notes("", plan.notes);
    }
    out.line("");
    if (plan.threads)
        out.setting("", "threads", std::to_string(plan.threads->value), *plan.threads);
    out.line("endpoints:");
    for (const migrated_endpoint& endpoint : plan.endpoints)
        write_endpoint(out, endpoint);
    out.line("");
    out.line(
        "# HAProxy's servers. pgroute also learns the members from Patroni's GET /cluster, by");
    out.line("# name: each name must be the member's `name` in its patroni.yml.");
    out.line("nodes:");
    for (const migrated_node& node : plan.nodes) {
        out.line("  - name: " + scalar(node.name) + "  # haproxy line " +
                 std::to_string(node.line));
        out.line("    host: " + value_scalar(node.host));
        out.line("    port: " + std::to_string(node.port));
        out.line("    api_url: " + value_scalar(node.api_url));
    }
    out.line("");
    out.line("patroni:");
    if (plan.interval)
        out.setting("  ", "interval", duration(plan.interval->value), *plan.interval);
    if (plan.fast_interval) {
        out.setting("  ", "fast_interval", duration(plan.fast_interval->value),
                    *plan.fast_interval);
    }
    if (plan.check_timeout) {
        out.setting("  ", "timeout", duration(plan.check_timeout->value), *plan.check_timeout);
    }
    if (plan.max_lag) out.setting("  ", "max_lag", size(plan.max_lag->value), *plan.max_lag);
    if (plan.rise) out.setting("  ", "rise", std::to_string(plan.rise->value), *plan.rise);
    if (plan.fall) out.setting("  ", "fall", std::to_string(plan.fall->value), *plan.fall);
    if (plan.connect_timeout || plan.max_client_connections) {
        out.line("");
        out.line("limits:");
        if (plan.connect_timeout) {
            out.setting("  ", "connect_timeout", duration(plan.connect_timeout->value),
                        *plan.connect_timeout);
        }
        if (plan.max_client_connections) {
            out.setting("  ", "max_client_connections",
                        std::to_string(plan.max_client_connections->value),
                        *plan.max_client_connections);
        }
    }
    if (plan.admin_listen) {
        out.line("");
        out.line("# No authentication: keep it on loopback or a management network.");
        out.line("admin:");
        out.setting("  ", "listen",
                    value_scalar(format_address(plan.admin_listen->value.host,
                                                plan.admin_listen->value.port)),
                    *plan.admin_listen);
    }
    return out.take();
}

}  // namespace pgroute::proxy::migrate
