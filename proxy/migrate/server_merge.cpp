#include "proxy/migrate/server_merge.h"

#include <algorithm>

namespace pgroute::proxy::migrate {
namespace {

// Patroni's REST API port when HAProxy's check went to the server's own port.
constexpr std::uint16_t patroni_default_api_port = 8008;

void merge_time(const std::optional<carried<milliseconds>>& from,
                std::optional<carried<milliseconds>>& into, std::string_view key,
                std::vector<migration_note>& notes) {
    if (from && from->value.count() < 10) {
        notes.push_back({from->line, "'" + from->origin + "' is not carried: " + std::string(key) +
                                         " is at least 10ms"});
        return;
    }
    merge_setting(from, into, key, notes);
}

void merge_count(const std::optional<carried<unsigned>>& from,
                 std::optional<carried<unsigned>>& into, std::string_view key,
                 std::vector<migration_note>& notes) {
    if (from && from->value > 100) {
        notes.push_back({from->line, "'" + from->origin + "' is not carried: " + std::string(key) +
                                         " is 1 to 100"});
        return;
    }
    merge_setting(from, into, key, notes);
}

}  // namespace

void merge_timing(const std::vector<server_spec>& servers, migration& out) {
    for (const server_spec& server : servers) {
        const check_timing& timing = server.timing;
        merge_time(timing.inter, out.interval, "patroni.interval", out.notes);
        merge_time(timing.fastinter, out.fast_interval, "patroni.fast_interval", out.notes);
        merge_count(timing.rise, out.rise, "patroni.rise", out.notes);
        merge_count(timing.fall, out.fall, "patroni.fall", out.notes);
    }
}

void add_nodes(const std::vector<server_spec>& servers, migration& out,
               std::vector<migration_note>& notes) {
    for (const server_spec& server : servers) {
        migrated_node node;
        node.name = server.name;
        node.host = server.address.host;
        node.line = server.line;
        if (server.address.port) {
            node.port = *server.address.port;
        } else {
            notes.push_back({server.line, "server " + server.name +
                                              " has no port: HAProxy used the client's; "
                                              "pgroute uses 5432"});
        }
        if (!server.check) {
            notes.push_back({server.line, "server " + server.name +
                                              " has no 'check': HAProxy sent to it whatever its "
                                              "role; pgroute routes by its Patroni role"});
        }
        std::uint16_t api_port = patroni_default_api_port;
        if (server.check_port) {
            api_port = *server.check_port;
        } else if (server.check) {
            notes.push_back({server.line, "server " + server.name +
                                              " checks its own port: pgroute asks Patroni's REST "
                                              "API, assumed on 8008"});
        }
        const std::string api_host = server.check_host.empty() ? node.host : server.check_host;
        node.api_url = std::string(server.check_ssl ? "https://" : "http://") +
                       format_address(api_host, api_port);

        const auto same_name =
            std::find_if(out.nodes.begin(), out.nodes.end(),
                         [&](const migrated_node& n) { return n.name == node.name; });
        const auto same_address = std::find_if(
            out.nodes.begin(), out.nodes.end(),
            [&](const migrated_node& n) { return n.host == node.host && n.port == node.port; });
        if (same_name != out.nodes.end()) {
            if (same_name->host != node.host || same_name->port != node.port ||
                same_name->api_url != node.api_url) {
                notes.push_back({server.line, "server " + server.name +
                                                  " is not carried: a "
                                                  "node of that name is on line " +
                                                  std::to_string(same_name->line)});
            }
            continue;
        }
        if (same_address != out.nodes.end()) {
            notes.push_back({server.line, "server " + server.name + " is not carried: it is " +
                                              same_address->name + " (line " +
                                              std::to_string(same_address->line) +
                                              ") under another name"});
            continue;
        }
        out.nodes.push_back(std::move(node));
    }
}

}  // namespace pgroute::proxy::migrate
