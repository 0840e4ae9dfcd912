#include "tests/support/pg_server.h"

#include <libpq-fe.h>

#include <csignal>
#include <stdexcept>

#include "tests/support/text_file.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t log_tail_bytes = 4000;

}  // namespace

std::string pg_program(std::string_view name) {
    return std::string(pg_bin_dir) + "/" + std::string(name);
}

pg_server::pg_server(std::filesystem::path data_dir, std::uint16_t port,
                     std::filesystem::path log_path)
    : data_dir_(std::move(data_dir)), port_(port), log_path_(std::move(log_path)) {}

void pg_server::start(std::chrono::milliseconds timeout) {
    if (running()) throw std::logic_error("postgres on " + data_dir_.string() + " already runs");
    // postgres itself, not pg_ctl, so that it is our child and dies with the test. SIGQUIT is
    // an immediate shutdown: the postmaster takes its backends down with it.
    postmaster_.emplace(command_line{.argv = {pg_program("postgres"), "-D", data_dir_.string(),
                                              "-p", std::to_string(port_)},
                                     .working_dir = data_dir_,
                                     .as_postgres = true,
                                     .death_signal = SIGQUIT},
                        log_path_);
    const std::string ping = "host=127.0.0.1 port=" + std::to_string(port_) +
                             " dbname=postgres connect_timeout=2 user=" + std::string(superuser);
    wait_until(
        [&] {
            if (!postmaster_->running()) {
                throw std::runtime_error("postgres on " + data_dir_.string() +
                                         " exited while starting; its log ends with:\n" +
                                         log_tail());
            }
            return PQping(ping.c_str()) == PQPING_OK;
        },
        timeout, "postgres on port " + std::to_string(port_) + " accepts connections", 10ms);
}

void pg_server::stop() {
    if (!running()) return;
    postmaster_->signal(SIGINT);
    if (!postmaster_->wait_for(10s)) postmaster_->terminate(SIGQUIT, 5s);
}

void pg_server::kill() {
    if (running()) postmaster_->terminate(SIGQUIT, 5s);
}

bool pg_server::running() {
    return postmaster_ && postmaster_->running();
}

std::string pg_server::log_tail() const {
    const std::string log = read_text(log_path_);
    return log.size() <= log_tail_bytes ? log : log.substr(log.size() - log_tail_bytes);
}

}  // namespace pgroute::test_support
