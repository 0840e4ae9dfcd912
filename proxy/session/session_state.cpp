#include "proxy/session/session_state.h"

#include <cstdio>

namespace pgroute::proxy {

std::string describe(const asio::ip::tcp::socket& socket) {
    std::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return "unknown";
    return remote.address().to_string() + ":" + std::to_string(remote.port());
}

std::string quoted(std::string_view node_name) {
    return "\"" + std::string(node_name) + "\"";
}

std::string seconds_since(std::chrono::steady_clock::time_point start) {
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    char text[32];
    std::snprintf(text, sizeof text, "%.3fs", elapsed.count());
    return text;
}

}  // namespace pgroute::proxy
