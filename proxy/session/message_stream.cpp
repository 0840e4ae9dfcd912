#include "proxy/session/message_stream.h"

#include <array>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <tuple>

#include "protocol/byte_reader.h"
#include "proxy/net/deadline.h"

namespace pgroute::proxy {

asio::awaitable<std::error_code> message_stream::read(received_message& out, std::size_t max_body,
                                                      asio::steady_timer& deadline) {
    std::array<char, 5> header{};
    const auto read_into = [&](asio::mutable_buffer into) {
        return tls_ ? read_exactly(*tls_, into, deadline) : read_exactly(socket_, into, deadline);
    };
    if (auto ec = co_await read_into(asio::buffer(header))) co_return ec;
    const std::uint32_t length = protocol::load_u32(header.data() + 1);
    if (length < 4 || length - 4 > max_body) co_return asio::error::message_size;
    out.type = header[0];
    out.body.assign(length - 4, '\0');
    if (out.body.empty()) co_return std::error_code();
    co_return co_await read_into(asio::buffer(out.body));
}

asio::awaitable<std::error_code> message_stream::write(std::string_view messages) {
    constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
    std::error_code ec;
    // if/else, not ?:, around co_await: GCC 12 miscompiles co_await inside a conditional.
    if (tls_) {
        std::tie(ec, std::ignore) =
            co_await asio::async_write(*tls_, asio::buffer(messages), use_tuple);
    } else {
        std::tie(ec, std::ignore) =
            co_await asio::async_write(socket_, asio::buffer(messages), use_tuple);
    }
    co_return ec;
}

}  // namespace pgroute::proxy
