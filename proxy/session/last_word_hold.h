// A session that ended while its client was idle (ReadyForQuery 'I', nothing sent since) still
// owes the client the ErrorResponse that ended it: the node's own FATAL, or pgroute's cut. Sent
// at once, it reaches a client that is not reading, and libpq takes it for a notice and reports
// only "server closed the connection unexpectedly", with no SQLSTATE. Held instead, it answers
// the client's next message, as that message's error.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <string_view>

#include "proxy/routing/session_registry.h"

namespace pgroute::proxy {

enum class hold_end {
    answered,     // the client sent a message (unread beyond its type, never forwarded)
    terminated,   // the client sent Terminate: it hears nothing more
    client_left,  // the client closed or failed first
    timed_out,    // limits.idle_error_hold passed in silence: closed without a word
    interrupted,  // pgroute shuts down: the last word went out at once
};

[[nodiscard]] std::string_view to_string(hold_end end);

class last_word_hold final : public session_interrupt {
  public:
    explicit last_word_hold(const asio::any_io_executor& executor) : deadline_(executor) {}

    // Waits up to `limit` for the first byte of the client's next message and answers it with
    // `last_word`, a whole ErrorResponse. Defined for asio::ip::tcp::socket and tls_stream (the
    // session's client stream: over TLS once the client negotiated it).
    template <typename Stream>
    [[nodiscard]] asio::awaitable<hold_end> deliver(Stream& client, std::string_view last_word,
                                                    std::chrono::milliseconds limit);

    // Ends the wait: the last word goes out now.
    void interrupt() override;

  private:
    asio::steady_timer deadline_;
    bool interrupted_ = false;
};

}  // namespace pgroute::proxy
