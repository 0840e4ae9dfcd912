#include "proxy/app/drain_command.h"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <iostream>

#include "health/patroni/http_client.h"
#include "proxy/app/admin_address.h"

namespace pgroute::proxy {

namespace {

constexpr std::chrono::seconds drain_timeout{5};

}  // namespace

int run_drain_command(const cli_options& options) {
    const std::string name = options.cmd == command::drain ? "drain" : "undrain";
    const auto address = find_admin_listener(options);
    if (const auto* error = std::get_if<admin_address_error>(&address)) {
        std::cerr << "pgroute " << name << ": " << error->message << "\n";
        return 1;
    }
    const auto& [url_text, url] = std::get<admin_address>(address);
    const std::string path = "/" + name + "/" + options.node;
    asio::io_context io;
    auto answer = asio::co_spawn(io, health::http_post(url, path, drain_timeout), asio::use_future);
    io.run();
    const auto response = answer.get();
    if (response.outcome == health::poll_outcome::ok) {
        std::cout << response.body;
        return 0;
    }
    std::cerr << "pgroute " << name << ": POST " << url_text << path << " failed: "
              << (!response.body.empty()   ? response.body
                  : response.error.empty() ? std::string(to_string(response.outcome)) + "\n"
                                           : response.error + "\n");
    return 1;
}

}  // namespace pgroute::proxy
