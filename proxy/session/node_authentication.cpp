#include "proxy/session/node_authentication.h"

#include "protocol/authentication.h"
#include "protocol/message_type.h"

namespace pgroute::proxy {

namespace {

node_authentication failure(std::string why) {
    return {std::move(why), std::nullopt};
}

}  // namespace

asio::awaitable<node_authentication> authenticate_to_node(message_stream& node,
                                                          node_exchange& exchange,
                                                          asio::steady_timer& deadline,
                                                          std::size_t max_message) {
    for (;;) {
        received_message message;
        if (auto ec = co_await node.read(message, max_message, deadline)) {
            co_return failure(ec == asio::error::timed_out
                                  ? "no answer to the login within connect_timeout"
                                  : "the login ended: " + ec.message());
        }
        if (message.type == protocol::PqMsg_ErrorResponse) {
            co_return node_authentication{{}, std::move(message)};
        }
        if (message.type == protocol::PqMsg_NoticeResponse) continue;
        if (message.type != protocol::PqMsg_Authentication) {
            co_return failure("the node sent message type " +
                              std::to_string(static_cast<unsigned char>(message.type)) +
                              " before authentication ended");
        }
        const auto request = protocol::parse_authentication(message.body);
        if (!request) co_return failure("the node sent a malformed authentication request");
        if (request->code == static_cast<std::uint32_t>(protocol::authentication_code::ok)) {
            co_return node_authentication{};
        }
        const login_step step = exchange.answer(*request);
        if (!step.failed.empty()) co_return failure("the node " + step.failed);
        if (step.reply.empty()) continue;
        if (auto ec = co_await node.write(step.reply)) {
            co_return failure("the login ended: " + ec.message());
        }
    }
}

}  // namespace pgroute::proxy
