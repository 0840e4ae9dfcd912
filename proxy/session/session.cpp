#include "proxy/session/session.h"

#include "proxy/session/session_phases.h"

namespace pgroute::proxy {

asio::awaitable<void> run_session(asio::ip::tcp::socket client, std::size_t endpoint_index,
                                  worker_context& worker) {
    session_state session(std::move(client), endpoint_index, worker);
    const bool to_serve = co_await read_startup(session);
    if (!to_serve) co_return;
    const proxy_auth* auth = session.generation->auth();
    if (auth != nullptr && !co_await authenticate_client(session, *auth)) co_return;
    const bool connected = co_await connect_session(session);
    if (!connected) co_return;
    co_await carry_session(session);
}

}  // namespace pgroute::proxy
