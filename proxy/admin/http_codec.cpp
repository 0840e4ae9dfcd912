#include "proxy/admin/http_codec.h"

namespace pgroute::proxy {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// RFC 9110 tchar: what a method or a header name may be made of.
bool is_token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text) {
        if (!is_token_char(c)) return false;
    }
    return true;
}

// An origin-form target: '/' then visible ASCII.
bool is_origin_target(std::string_view target) {
    if (target.empty() || target.front() != '/') return false;
    for (const char c : target) {
        if (c <= ' ' || c >= 0x7f) return false;
    }
    return true;
}

bool is_header_value(std::string_view value) {
    for (const char c : value) {
        if ((c < ' ' && c != '\t') || c == 0x7f) return false;
    }
    return true;
}

request_parse invalid(int status, std::string error) {
    return {request_progress::invalid, {}, status, std::move(error)};
}

// A line without its terminator; bare LF is accepted as RFC 9112 allows.
std::string_view without_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

// Where the head ends (just after its empty line), or npos while it has not all arrived.
std::size_t find_head_end(std::string_view bytes) {
    for (auto at = bytes.find('\n'); at != std::string_view::npos; at = bytes.find('\n', at + 1)) {
        if (at >= 1 && bytes[at - 1] == '\n') return at + 1;
        if (at >= 2 && bytes[at - 1] == '\r' && bytes[at - 2] == '\n') return at + 1;
    }
    return std::string_view::npos;
}

std::string_view reason_phrase(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 202:
            return "Accepted";
        case 400:
            return "Bad Request";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 414:
            return "URI Too Long";
        case 431:
            return "Request Header Fields Too Large";
        case 503:
            return "Service Unavailable";
        case 505:
            return "HTTP Version Not Supported";
    }
    return "Unknown";
}

}  // namespace

request_parse parse_http_request(std::string_view bytes) {
    const auto head_end = find_head_end(bytes);
    if (head_end == std::string_view::npos) {
        if (bytes.size() <= max_request_head_bytes) return {};
        return bytes.find('\n') == std::string_view::npos ? invalid(414, "request line too long")
                                                          : invalid(431, "request head too large");
    }
    if (head_end > max_request_head_bytes) return invalid(431, "request head too large");

    const auto first_line_end = bytes.find('\n');
    const auto request_line = without_cr(bytes.substr(0, first_line_end));
    const auto first_space = request_line.find(' ');
    const auto last_space = request_line.rfind(' ');
    if (first_space == std::string_view::npos || first_space == last_space) {
        return invalid(400, "malformed request line");
    }
    const auto method = request_line.substr(0, first_space);
    const auto target = request_line.substr(first_space + 1, last_space - first_space - 1);
    const auto version = request_line.substr(last_space + 1);
    if (!is_token(method)) return invalid(400, "malformed method");
    if (!is_origin_target(target)) return invalid(400, "malformed request target");
    // HTTP-version is "HTTP/" DIGIT "." DIGIT (RFC 9112); another well-formed one gets 505.
    const auto number = version.starts_with("HTTP/") ? version.substr(5) : std::string_view{};
    if (number.empty() || number.find_first_not_of("0123456789.") != std::string_view::npos) {
        return invalid(400, "malformed HTTP version");
    }
    if (number.size() != 3 || !number.starts_with("1.") || !is_digit(number[2])) {
        return invalid(505, "only HTTP/1.x is served");
    }

    for (auto at = first_line_end + 1; at < head_end;) {
        const auto end = bytes.find('\n', at);
        const auto line = without_cr(bytes.substr(at, end - at));
        at = end + 1;
        if (line.empty()) break;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
            return invalid(400, "malformed header line");
        }
        if (!is_header_value(line.substr(colon + 1))) {
            return invalid(400, "control character in a header value");
        }
    }

    const auto question = target.find('?');
    http_request request{method, target.substr(0, question), {}};
    if (question != std::string_view::npos) request.query = target.substr(question + 1);
    return {request_progress::complete, request, 0, {}};
}

std::string format_http_response(const http_response& response, bool head_only) {
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                      std::string(reason_phrase(response.status)) + "\r\n";
    out += "Content-Type: " + response.content_type + "\r\n";
    out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    if (!response.allow.empty()) out += "Allow: " + response.allow + "\r\n";
    out += "Cache-Control: no-store\r\nConnection: close\r\n\r\n";
    if (!head_only) out += response.body;
    return out;
}

}  // namespace pgroute::proxy
