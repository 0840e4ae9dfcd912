#include "proxy/migrate/haproxy_values.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <limits>

#include "proxy/config/config_loader.h"

namespace pgroute::proxy::migrate {
namespace {

using health::parse_failure;

struct time_unit {
    std::string_view name;
    std::uint64_t microseconds;
};

constexpr std::array time_units{
    time_unit{"us", 1},         time_unit{"ms", 1000},         time_unit{"s", 1'000'000},
    time_unit{"m", 60'000'000}, time_unit{"h", 3'600'000'000}, time_unit{"d", 86'400'000'000},
};

// Host names and IP literals only, so that what reaches pgroute.yaml needs no quoting and means
// the same to getaddrinfo as it did to HAProxy.
bool is_host(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    if (host.find(':') != std::string_view::npos) {
        in6_addr address{};
        return inet_pton(AF_INET6, std::string(host).c_str(), &address) == 1;
    }
    for (const char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == ':' ||
                        c == '%';
        if (!ok) return false;
    }
    return true;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
    const auto value = parse_count(text, 1, 65535);
    if (!value) return std::nullopt;
    return static_cast<std::uint16_t>(*value);
}

// Strips HAProxy's address family prefixes; sockets that are not TCP give an error.
health::parsed<std::string_view> strip_family(std::string_view text) {
    for (const std::string_view prefix : {"ipv4@", "ipv6@", "tcp@", "tcp4@", "tcp6@"}) {
        if (text.starts_with(prefix)) return text.substr(prefix.size());
    }
    if (text.starts_with('/') || text.find('@') != std::string_view::npos) {
        return parse_failure{"'" + std::string(text) +
                             "' is not a TCP address: pgroute listens on TCP only"};
    }
    return text;
}

// Splits "host:port" where an IPv6 host may be bracketed or not (HAProxy's last colon rule).
std::pair<std::string_view, std::string_view> split_host_port(std::string_view text) {
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return {text, {}};
        const std::string_view rest = text.substr(close + 1);
        return {text.substr(1, close - 1), rest.starts_with(':') ? rest.substr(1) : rest};
    }
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return {text, {}};
    return {text.substr(0, colon), text.substr(colon + 1)};
}

}  // namespace

health::parsed<std::chrono::milliseconds> parse_haproxy_time(std::string_view text) {
    std::uint64_t count = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (ec != std::errc{} || text.empty()) {
        return parse_failure{"'" + std::string(text) + "' is not a time (e.g. 500ms, 3s, 1m)"};
    }
    const std::string_view unit = text.substr(static_cast<std::size_t>(end - text.data()));
    std::uint64_t multiplier = unit.empty() ? 1000 : 0;
    for (const time_unit& candidate : time_units) {
        if (candidate.name == unit) multiplier = candidate.microseconds;
    }
    if (multiplier == 0) {
        return parse_failure{"'" + std::string(text) +
                             "' has an unknown time unit (us, ms, s, m, h, d)"};
    }
    // HAProxy's own ceiling on a time is 2^31 - 1 ms, about 24 days.
    constexpr std::uint64_t max_microseconds = std::uint64_t{0x7fffffff} * 1000;
    if (count > max_microseconds / multiplier) {
        return parse_failure{"'" + std::string(text) + "' is too long"};
    }
    const std::uint64_t microseconds = count * multiplier;
    return std::chrono::milliseconds{static_cast<std::int64_t>((microseconds + 999) / 1000)};
}

health::parsed<listen_address> parse_bind_address(std::string_view text) {
    const auto stripped = strip_family(text);
    if (!stripped) return parse_failure{stripped.error()};
    if ((*stripped).find(',') != std::string_view::npos) {
        return parse_failure{"'" + std::string(text) + "' lists several addresses"};
    }
    const auto [host, port_text] = split_host_port(*stripped);
    if (port_text.find('-') != std::string_view::npos) {
        return parse_failure{"'" + std::string(text) +
                             "' is a port range: an endpoint has one port"};
    }
    const auto port = parse_port(port_text);
    if (!port) return parse_failure{"'" + std::string(text) + "' has no valid port"};
    // HAProxy's "*" and an empty host, and "::", all mean every address of the family.
    std::string address(host);
    if (address.empty() || address == "*") address = "0.0.0.0";
    if (!is_host(address)) return parse_failure{"'" + std::string(text) + "' has no valid host"};
    const auto checked = parse_listen_address(format_address(address, *port));
    if (!checked) return parse_failure{"'" + std::string(text) + "' is not host:port"};
    return *checked;
}

health::parsed<server_address> parse_server_address(std::string_view text) {
    const auto stripped = strip_family(text);
    if (!stripped) return parse_failure{stripped.error()};
    const auto [host, port_text] = split_host_port(*stripped);
    server_address address;
    address.host = std::string(host);
    if (!is_host(address.host)) {
        return parse_failure{"'" + std::string(text) + "' has no valid host"};
    }
    if ((*stripped).find(':') == std::string_view::npos) return address;
    if (port_text.starts_with('+') || port_text.starts_with('-')) {
        return parse_failure{
            "'" + std::string(text) +
            "' has a port relative to the client's: pgroute needs the node's port"};
    }
    if (port_text.empty()) return address;
    address.port = parse_port(port_text);
    if (!address.port) return parse_failure{"'" + std::string(text) + "' has no valid port"};
    return address;
}

check_uri parse_check_uri(std::string_view text) {
    check_uri uri;
    const auto question = text.find('?');
    uri.path = std::string(text.substr(0, question));
    if (question == std::string_view::npos) return uri;
    std::string_view query = text.substr(question + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
        if (pair.empty()) continue;
        const auto equals = pair.find('=');
        uri.query.emplace_back(std::string(pair.substr(0, equals)),
                               equals == std::string_view::npos
                                   ? std::string()
                                   : std::string(pair.substr(equals + 1)));
    }
    return uri;
}

std::optional<unsigned> parse_count(std::string_view text, unsigned min, unsigned max) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min ||
        value > max) {
        return std::nullopt;
    }
    return value;
}

std::string format_address(std::string_view host, std::uint16_t port) {
    const bool ipv6 = host.find(':') != std::string_view::npos;
    std::string text = ipv6 ? "[" + std::string(host) + "]" : std::string(host);
    return text + ":" + std::to_string(port);
}

}  // namespace pgroute::proxy::migrate
