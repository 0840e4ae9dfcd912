// libFuzzer target: the Patroni client's HTTP/1.1 response parser on arbitrary bytes, as they
// arrive in two reads and then at the close. Nothing may crash, the body must be a view of the
// bytes right after the head, and a verdict given on what had arrived so far (complete or
// invalid) must not change when more bytes or the close follow. Input layout:
// tests/fuzz/split_input.h.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "health/patroni/http_codec.h"
#include "tests/fuzz/invariant.h"
#include "tests/fuzz/split_input.h"

namespace {

using namespace pgroute::health;
using pgroute::fuzz::lies_within;
using pgroute::fuzz::require;

void check_response(const parsed_response& parsed, std::string_view bytes, bool at_eof) {
    switch (parsed.progress) {
        case response_progress::incomplete:
            require(!at_eof, "at the close a response is complete or invalid, never incomplete");
            require(parsed.error.empty(), "an incomplete response carries no error");
            break;
        case response_progress::invalid:
            require(!parsed.error.empty(), "an invalid response says why");
            break;
        case response_progress::complete: {
            require(parsed.status_code >= 100 && parsed.status_code <= 999,
                    "the status code has three digits");
            require(parsed.error.empty(), "a complete response carries no error");
            const std::size_t head_end = bytes.find("\r\n\r\n");
            require(head_end != std::string_view::npos, "a complete response has a whole head");
            require(lies_within(parsed.body, bytes), "the body points into the bytes");
            require(parsed.body.empty() || parsed.body.data() == bytes.data() + head_end + 4,
                    "the body starts right after the empty line");
            break;
        }
    }
}

bool same_verdict(const parsed_response& a, const parsed_response& b) {
    return a.progress == b.progress && a.status_code == b.status_code &&
           a.body.size() == b.body.size() && a.body.data() == b.body.data() && a.error == b.error;
}

// A verdict on fewer bytes (or before the close) stands once the rest is known.
void check_final(const parsed_response& earlier, const parsed_response& later) {
    if (earlier.progress == response_progress::incomplete) return;
    require(same_verdict(earlier, later),
            "a complete or invalid verdict does not change as more bytes or the close arrive");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto [first_read, bytes] = pgroute::fuzz::split_at_first_byte(data, size);

    const parsed_response after_first = parse_http_response(first_read, false);
    check_response(after_first, first_read, false);
    const parsed_response after_all = parse_http_response(bytes, false);
    check_response(after_all, bytes, false);
    const parsed_response at_close = parse_http_response(bytes, true);
    check_response(at_close, bytes, true);

    check_final(after_first, after_all);
    check_final(after_all, at_close);
    return 0;
}
