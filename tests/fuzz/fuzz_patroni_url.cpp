// libFuzzer target: the parser of a Patroni REST API address (a node's api_url in pgroute.yaml or
// in GET /cluster) on arbitrary text. What it accepts must be well-formed, must read back from
// its own rendering, and must make GET requests that are one request each, with no header of the
// URL's making: the admin listener's strict parser reads them back to the path asked for.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "health/patroni/http_codec.h"
#include "health/patroni/http_url.h"
#include "proxy/admin/http_codec.h"
#include "tests/fuzz/invariant.h"

namespace {

using namespace pgroute::health;
using pgroute::fuzz::require;

void check_url(const http_url& url, std::string_view text) {
    require(!url.host.empty(), "the host is never empty");
    require(url.port != 0, "the port is never 0");
    require(url.tls == text.starts_with("https://"), "https, and only https, means TLS");
    require(
        url.base_path.empty() || (url.base_path.starts_with('/') && !url.base_path.ends_with('/')),
        "the base path is empty or '/...' without a trailing '/'");
    require(url.base_path.find_first_of("?#") == std::string::npos,
            "the base path has no query or fragment");
}

// Brackets in a host can only be IPv6's, which host_header adds back.
void check_rendering(const http_url& url) {
    if (url.host.find_first_of("[]") != std::string::npos) return;
    const std::string text = (url.tls ? "https://" : "http://") + host_header(url) + url.base_path;
    const parsed<http_url> again = parse_http_url(text);
    require(again.has_value() && *again == url, "an accepted URL reads back from its rendering");
}

void check_request(const http_url& url, std::string_view path) {
    const std::string request = format_request(http_method::get, url, path, "Basic dTpw");
    std::size_t lines = 0;
    for (std::size_t at = request.find("\r\n"); at != std::string::npos;
         at = request.find("\r\n", at + 2)) {
        ++lines;
    }
    require(lines == 7 && std::count(request.begin(), request.end(), '\r') == 7 &&
                std::count(request.begin(), request.end(), '\n') == 7 &&
                request.ends_with("\r\n\r\n"),
            "a request is its line, five headers of pgroute's and the empty line, nothing more");
    const auto parsed = pgroute::proxy::parse_http_request(request);
    require(parsed.progress == pgroute::proxy::request_progress::complete,
            "the request is valid HTTP/1.1: " + parsed.error);
    require(
        parsed.request.method == "GET" && parsed.request.path == url.base_path + std::string(path),
        "the request asks for the base path and the path");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const parsed<http_url> url = parse_http_url(text);
    if (!url) {
        require(url.error().starts_with("invalid URL \""), "a rejection names the URL");
        return 0;
    }
    check_url(*url, text);
    check_rendering(*url);
    check_request(*url, "/patroni");
    check_request(*url, "/cluster");
    return 0;
}
