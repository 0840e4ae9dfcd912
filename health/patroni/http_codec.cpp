#include "health/patroni/http_codec.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace pgroute::health {
namespace {

constexpr std::string_view crlf = "\r\n";

parsed_response invalid(std::string error) {
    return {.progress = response_progress::invalid, .error = std::move(error)};
}

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

// "HTTP/1." DIGIT SP 3DIGIT [SP reason] -> the status code.
std::optional<int> parse_status_line(std::string_view line) {
    constexpr std::size_t code_at = 9;
    constexpr std::size_t code_end = code_at + 3;
    if (line.size() < code_end || !line.starts_with("HTTP/1.") ||
        !std::isdigit(static_cast<unsigned char>(line[7])) || line[8] != ' ' ||
        (line.size() > code_end && line[code_end] != ' ')) {
        return std::nullopt;
    }
    int status = 0;
    const auto [end, ec] = std::from_chars(line.data() + code_at, line.data() + code_end, status);
    if (ec != std::errc{} || end != line.data() + code_end || status < 100) return std::nullopt;
    return status;
}

}  // namespace

std::string format_request(http_method method, const http_url& url, std::string_view path,
                           std::string_view authorization) {
    std::string request = (method == http_method::post ? "POST " : "GET ") + url.base_path +
                          std::string(path) + " HTTP/1.1\r\n";
    request += "Host: " + host_header(url) + "\r\n";
    if (method == http_method::post) request += "Content-Length: 0\r\n";
    if (!authorization.empty()) request += "Authorization: " + std::string(authorization) + "\r\n";
    request += "Accept: application/json\r\nConnection: close\r\nUser-Agent: pgroute\r\n\r\n";
    return request;
}

parsed_response parse_http_response(std::string_view bytes, bool at_eof) {
    const std::size_t head_end = bytes.find("\r\n\r\n");
    if (head_end == std::string_view::npos) {
        if (at_eof) return invalid("connection closed before the response headers ended");
        return {};
    }
    std::string_view head = bytes.substr(0, head_end + crlf.size());
    const std::string_view body = bytes.substr(head_end + 2 * crlf.size());

    const std::size_t status_end = head.find(crlf);
    const std::optional<int> status = parse_status_line(head.substr(0, status_end));
    if (!status) return invalid("malformed status line");
    head.remove_prefix(status_end + crlf.size());

    std::optional<std::size_t> content_length;
    while (!head.empty()) {
        const std::size_t line_end = head.find(crlf);
        const std::string_view line = head.substr(0, line_end);
        head.remove_prefix(line_end + crlf.size());
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return invalid("malformed header line");
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trim(line.substr(colon + 1));
        if (iequals(name, "Transfer-Encoding") && !iequals(value, "identity")) {
            return invalid("Transfer-Encoding " + std::string(value) + " is not supported");
        }
        if (iequals(name, "Content-Length")) {
            std::size_t length = 0;
            const auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), length);
            if (ec != std::errc{} || end != value.data() + value.size() ||
                (content_length && *content_length != length)) {
                return invalid("bad Content-Length");
            }
            content_length = length;
        }
    }

    parsed_response parsed{.progress = response_progress::complete, .status_code = *status};
    if (!content_length) {
        if (!at_eof) parsed.progress = response_progress::incomplete;
        parsed.body = body;
        return parsed;
    }
    if (body.size() < *content_length) {
        if (!at_eof) {
            parsed.progress = response_progress::incomplete;
            return parsed;
        }
        return invalid("body truncated: " + std::to_string(body.size()) + " of " +
                       std::to_string(*content_length) + " bytes");
    }
    parsed.body = body.substr(0, *content_length);
    return parsed;
}

}  // namespace pgroute::health
