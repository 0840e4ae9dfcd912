#include "proxy/session/session.h"

#include "proxy/session/session_phases.h"

namespace pgroute::proxy {

void session_failure_log::operator()(const std::exception_ptr& failure) const {
    if (!failure) return;
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        log.error(std::string("session failed: ") + e.what());
    }
}

asio::awaitable<void> run_session(asio::ip::tcp::socket client, std::size_t endpoint_index,
                                  worker_context& worker, admitted_session admitted) {
    auto session = std::make_unique<session_state>(std::move(admitted), std::move(client),
                                                   endpoint_index, worker);
    session_state& s = *session;
    const bool to_serve = co_await read_startup(s);
    if (!to_serve) co_return;
    const proxy_auth* auth = s.generation->auth();
    if (auth != nullptr && !co_await authenticate_client(s, *auth)) co_return;
    const bool connected = co_await connect_session(s);
    if (!connected) co_return;
    carry_session(std::move(session));
}

}  // namespace pgroute::proxy
