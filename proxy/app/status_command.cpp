#include "proxy/app/status_command.h"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <iostream>

#include "health/patroni/http_get.h"
#include "health/patroni/http_url.h"
#include "proxy/app/status_table.h"
#include "proxy/config/config_loader.h"

namespace pgroute::proxy {

namespace {

constexpr std::chrono::seconds status_timeout{5};

}  // namespace

std::string admin_url(const config& cfg) {
    const listen_address at = cfg.admin ? cfg.admin->listen : admin_config{}.listen;
    std::string host = at.host;
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return "http://" + host + ":" + std::to_string(at.port);
}

int print_status(const cli_options& options) {
    std::string url = options.admin_url;
    if (url.empty()) {
        const auto loaded = load_config_file(options.config_path);
        if (!loaded.ok()) {
            std::cerr << "pgroute status: cannot read " << options.config_path
                      << " to find the admin listener (or give --url): "
                      << loaded.problems.front().message << "\n";
            return 1;
        }
        url = admin_url(loaded.cfg);
    }
    const auto parsed = health::parse_http_url(url);
    if (!parsed) {
        std::cerr << "pgroute status: " << parsed.error() << "\n";
        return 1;
    }
    asio::io_context io;
    auto answer = asio::co_spawn(io, health::http_get(*parsed, "/topology", status_timeout),
                                 asio::use_future);
    io.run();
    const auto response = answer.get();
    if (response.outcome != health::poll_outcome::ok) {
        std::cerr << "pgroute status: GET " << url << "/topology failed: "
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
