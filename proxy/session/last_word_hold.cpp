#include "proxy/session/last_word_hold.h"

#include <asio/ip/tcp.hpp>

#include "protocol/message_type.h"
#include "proxy/net/deadline.h"
#include "proxy/net/tls_stream.h"
#include "proxy/session/client_error.h"

namespace pgroute::proxy {

std::string_view to_string(hold_end end) {
    switch (end) {
        case hold_end::answered:
            return "answered";
        case hold_end::terminated:
            return "terminate";
        case hold_end::client_left:
            return "client left";
        case hold_end::timed_out:
            return "timed out";
        case hold_end::interrupted:
            return "shutdown";
    }
    return "unknown";
}

template <typename Stream>
asio::awaitable<hold_end> last_word_hold::deliver(Stream& client, std::string_view last_word,
                                                  std::chrono::milliseconds limit) {
    deadline_.expires_after(limit);
    char type = 0;
    std::error_code ec;
    // if/else, not ?:, around co_await: GCC 12 miscompiles co_await inside a conditional.
    if (!interrupted_) ec = co_await read_exactly(client, asio::buffer(&type, 1), deadline_);
    hold_end end = hold_end::answered;
    if (interrupted_) {
        end = hold_end::interrupted;
    } else if (ec == asio::error::timed_out) {
        end = hold_end::timed_out;
    } else if (ec) {
        end = hold_end::client_left;
    } else if (type == protocol::PqMsg_Terminate) {
        end = hold_end::terminated;
    }
    if (end == hold_end::answered || end == hold_end::interrupted) {
        co_await send_last_word(client, last_word);
    }
    co_return end;
}

template asio::awaitable<hold_end> last_word_hold::deliver(asio::ip::tcp::socket&, std::string_view,
                                                           std::chrono::milliseconds);
template asio::awaitable<hold_end> last_word_hold::deliver(tls_stream&, std::string_view,
                                                           std::chrono::milliseconds);

void last_word_hold::interrupt() {
    interrupted_ = true;
    deadline_.cancel();  // the wait ends as if the limit had passed; interrupted_ tells them apart
}

}  // namespace pgroute::proxy
