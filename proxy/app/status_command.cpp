#include "proxy/app/status_command.h"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <iostream>

#include "health/patroni/http_client.h"
#include "proxy/app/admin_address.h"
#include "proxy/app/status_table.h"

namespace pgroute::proxy {

namespace {

constexpr std::chrono::seconds status_timeout{5};

}  // namespace

int print_status(const cli_options& options) {
    const auto address = find_admin_listener(options);
    if (const auto* error = std::get_if<admin_address_error>(&address)) {
        std::cerr << "pgroute status: " << error->message << "\n";
        return 1;
    }
    const auto& [url_text, url] = std::get<admin_address>(address);
    asio::io_context io;
    auto answer =
        asio::co_spawn(io, health::http_get(url, "/topology", status_timeout), asio::use_future);
    io.run();
    const auto response = answer.get();
    if (response.outcome != health::poll_outcome::ok) {
        std::cerr << "pgroute status: GET " << url_text << "/topology failed: "
                  << (response.error.empty() ? std::string(to_string(response.outcome))
                                             : response.error)
                  << "\n";
        return 1;
    }
    const auto table = format_status_table(response.body);
    if (const auto* error = std::get_if<status_table_error>(&table)) {
        std::cerr << "pgroute status: " << error->message << "\n";
        return 1;
    }
    std::cout << std::get<std::string>(table);
    return 0;
}

}  // namespace pgroute::proxy
