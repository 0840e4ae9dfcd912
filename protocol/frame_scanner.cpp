#include "protocol/frame_scanner.h"

namespace pgroute::protocol {

std::string_view to_string(frame_error e) {
    switch (e) {
        case frame_error::none:
            return "none";
        case frame_error::length_too_small:
            return "message length below 4";
        case frame_error::length_too_large:
            return "message length above the configured maximum";
    }
    return "unknown";
}

}  // namespace pgroute::protocol
