// The HTTP/1.1 of the admin listener: parse a request's head as its bytes arrive (strictly, since
// anyone may connect), and format a complete response. Pure: no sockets.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pgroute::proxy {

// Longest request head (request line and headers) the listener reads; longer gets 431.
inline constexpr std::size_t max_request_head_bytes = 8192;

enum class request_progress { incomplete, complete, invalid };

struct http_request {
    std::string_view method;
    std::string_view path;   // the target without its query string
    std::string_view query;  // after '?', empty if none
};

struct request_parse {
    request_progress progress = request_progress::incomplete;
    http_request request{};  // views into the bytes given, when complete
    int error_status = 0;    // when invalid: 400, 414, 431 or 505
    std::string error{};     // when invalid, for the response body
};

// Reads the bytes received so far. A body, if any, is ignored: the admin pages take none, and
// the listener closes every connection after one response.
[[nodiscard]] request_parse parse_http_request(std::string_view bytes);

struct http_response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body{};
    std::string allow{};  // the Allow header of a 405
};

// Status line, headers (Content-Length, Connection: close, no caching) and, unless the request
// was HEAD, the body.
[[nodiscard]] std::string format_http_response(const http_response& response, bool head_only);

}  // namespace pgroute::proxy
