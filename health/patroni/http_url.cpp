#include "health/patroni/http_url.h"

#include <algorithm>
#include <charconv>

namespace pgroute::health {

parsed<http_url> parse_http_url(std::string_view url) {
    const auto fail = [&](std::string_view why) {
        return parse_failure{"invalid URL \"" + std::string(url) + "\": " + std::string(why)};
    };
    // Host and path go verbatim into the request line and the Host header, and an api_url may
    // come from GET /cluster: a space or a line break would forge headers or a second request.
    // RFC 3986 allows neither, nor anything outside visible ASCII unless percent-encoded.
    const bool visible = std::all_of(url.begin(), url.end(), [](char c) {
        return static_cast<unsigned char>(c) > ' ' && static_cast<unsigned char>(c) < 0x7f;
    });
    if (!visible) return fail("only visible ASCII is allowed (percent-encode the rest)");

    http_url parsed;
    std::string_view rest;
    if (url.starts_with("http://")) {
        rest = url.substr(7);
    } else if (url.starts_with("https://")) {
        rest = url.substr(8);
        parsed.tls = true;
        parsed.port = 443;
    } else {
        return fail("expected http://host:port or https://host:port");
    }
    const std::size_t path_start = rest.find('/');
    std::string_view authority = rest.substr(0, path_start);
    std::string_view path = path_start == std::string_view::npos ? "" : rest.substr(path_start);
    if (authority.find('@') != std::string_view::npos) {
        return fail("credentials in the URL are not supported");
    }
    if (path.find_first_of("?#") != std::string_view::npos) {
        return fail("a query or fragment is not allowed");
    }

    std::string_view port_text;
    if (authority.starts_with('[')) {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return fail("unterminated [IPv6 address]");
        parsed.host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty() && !after.starts_with(':')) return fail("junk after ]");
        if (!after.empty()) port_text = after.substr(1);
    } else {
        const std::size_t colon = authority.find(':');
        parsed.host = authority.substr(0, colon);
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    }
    if (parsed.host.empty()) return fail("missing host");

    if (!port_text.empty() || authority.ends_with(':')) {
        unsigned port = 0;
        const auto [end, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
            port > 65535) {
            return fail("port must be a number from 1 to 65535");
        }
        parsed.port = static_cast<std::uint16_t>(port);
    }

    while (path.ends_with('/'))
        path.remove_suffix(1);
    parsed.base_path = path;
    return parsed;
}

std::string host_header(const http_url& url) {
    const bool ipv6 = url.host.find(':') != std::string::npos;
    return (ipv6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
}

}  // namespace pgroute::health
