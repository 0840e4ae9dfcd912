// The two HTTP/1.1 messages the health client deals in: the request it sends (a GET to Patroni,
// a POST to pgroute's own admin listener), and the response it reads as bytes arrive. Pure: no
// sockets.
#pragma once

#include <string>
#include <string_view>

#include "health/patroni/http_url.h"

namespace pgroute::health {

enum class http_method { get, post };

// A request with no body for base_path + path with "Connection: close", so the server ends the
// body by closing when it sends no Content-Length (Patroni's HTTP/1.0 server never does).
// `authorization`, when not empty, goes out as the Authorization header.
[[nodiscard]] std::string format_request(http_method method, const http_url& url,
                                         std::string_view path,
                                         std::string_view authorization = {});

enum class response_progress { incomplete, complete, invalid };

struct parsed_response {
    response_progress progress = response_progress::incomplete;
    int status_code = 0;      // once the status line has been read
    std::string_view body{};  // into the bytes given, when complete
    std::string error{};      // when invalid
};

// Reads everything received so far; `at_eof` says the server has closed. A body ends after
// Content-Length bytes or at the close; chunked transfer coding is refused (a server must not use
// it for an HTTP/1.0 peer, and Patroni does not).
[[nodiscard]] parsed_response parse_http_response(std::string_view bytes, bool at_eof);

}  // namespace pgroute::health
