// libFuzzer target: the admin listener's request parser on arbitrary bytes from anyone who
// connects, as they arrive in two reads. Nothing may crash; a complete request is views into its
// own request line (token method, origin-form target split at '?', "HTTP/1.<digit>"); rejections
// carry one of the listener's statuses; and a verdict on the first read stands after the second.
// Input layout: tests/fuzz/split_input.h.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proxy/admin/http_codec.h"
#include "tests/fuzz/invariant.h"
#include "tests/fuzz/split_input.h"

namespace {

using namespace pgroute::proxy;
using pgroute::fuzz::lies_within;
using pgroute::fuzz::require;

bool is_visible(std::string_view text) {
    for (const char c : text) {
        if (c <= ' ' || c >= 0x7f) return false;
    }
    return true;
}

bool is_token(std::string_view text) {
    constexpr std::string_view specials = "!#$%&'*+-.^_`|~";
    for (const char c : text) {
        const bool alnum =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && specials.find(c) == std::string_view::npos) return false;
    }
    return !text.empty();
}

void check_request(const http_request& request, std::string_view bytes) {
    require(lies_within(request.method, bytes) && lies_within(request.path, bytes) &&
                lies_within(request.query, bytes),
            "method, path and query point into the bytes");
    require(request.method.data() == bytes.data() && is_token(request.method),
            "the request line starts with a token method");
    require(request.path.data() == request.method.data() + request.method.size() + 1 &&
                bytes[request.method.size()] == ' ',
            "the target follows the method after one space");
    require(request.path.starts_with('/') && is_visible(request.path) &&
                request.path.find('?') == std::string_view::npos,
            "the path is '/' then visible ASCII, without '?'");
    std::size_t target_end = request.method.size() + 1 + request.path.size();
    if (target_end < bytes.size() && bytes[target_end] == '?') {
        require(request.query.empty() || request.query.data() == bytes.data() + target_end + 1,
                "the query is what follows '?'");
        require(is_visible(request.query), "the query is visible ASCII");
        target_end += 1 + request.query.size();
    } else {
        require(request.query.empty(), "without '?' there is no query");
    }
    const std::string_view rest = bytes.substr(target_end);
    require(rest.size() >= 10 && rest.starts_with(" HTTP/1.") && rest[8] >= '0' && rest[8] <= '9' &&
                (rest[9] == '\n' || rest.substr(9, 2) == "\r\n"),
            "the target ends the line but for \" HTTP/1.<digit>\"");
}

void check_parse(const request_parse& parsed, std::string_view bytes) {
    switch (parsed.progress) {
        case request_progress::incomplete:
            require(bytes.size() <= max_request_head_bytes, "a head too long is never waited for");
            require(parsed.error_status == 0 && parsed.error.empty(), "waiting is no error");
            break;
        case request_progress::invalid:
            require(parsed.error_status == 400 || parsed.error_status == 414 ||
                        parsed.error_status == 431 || parsed.error_status == 505,
                    "a rejection is 400, 414, 431 or 505");
            require(!parsed.error.empty(), "a rejection says why");
            break;
        case request_progress::complete:
            require(parsed.error_status == 0 && parsed.error.empty(), "success is no error");
            check_request(parsed.request, bytes);
            break;
    }
}

bool same_request(const http_request& a, const http_request& b) {
    const auto same = [](std::string_view x, std::string_view y) {
        return x.data() == y.data() && x.size() == y.size();
    };
    return same(a.method, b.method) && same(a.path, b.path) && same(a.query, b.query);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto [first_read, bytes] = pgroute::fuzz::split_at_first_byte(data, size);

    const request_parse early = parse_http_request(first_read);
    check_parse(early, first_read);
    const request_parse late = parse_http_request(bytes);
    check_parse(late, bytes);
    if (early.progress == request_progress::complete) {
        require(late.progress == request_progress::complete &&
                    same_request(early.request, late.request),
                "a complete request stays the same request as more bytes arrive");
    }
    if (early.progress == request_progress::invalid) {
        require(late.progress == request_progress::invalid,
                "a rejected request stays rejected as more bytes arrive");
    }
    return 0;
}
