// One PostgreSQL 15 postmaster run as a child of the test: started on a data directory that
// already exists, ready once it accepts connections, stopped the way PostgreSQL stops best.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "tests/support/process.h"

namespace pgroute::test_support {

inline constexpr std::string_view pg_bin_dir = "/usr/lib/postgresql/15/bin";
inline constexpr std::string_view superuser = "postgres";

[[nodiscard]] std::string pg_program(std::string_view name);

class pg_server {
  public:
    pg_server(std::filesystem::path data_dir, std::uint16_t port, std::filesystem::path log_path);
    ~pg_server() { stop(); }
    pg_server(const pg_server&) = delete;
    pg_server& operator=(const pg_server&) = delete;

    // Returns once the server accepts connections (a hot standby: once it is consistent).
    void start(std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // Fast shutdown (sessions are ended, a checkpoint is written), escalating to immediate and
    // then SIGKILL if it hangs. Does nothing when the server is not running.
    void stop();
    // Immediate shutdown: from the clients' side, the node is gone as if it had crashed.
    void kill();

    [[nodiscard]] bool running();
    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] const std::filesystem::path& data_dir() const { return data_dir_; }
    [[nodiscard]] const std::filesystem::path& log_path() const { return log_path_; }
    [[nodiscard]] std::string log_tail() const;

  private:
    std::filesystem::path data_dir_;
    std::uint16_t port_;
    std::filesystem::path log_path_;
    std::optional<child_process> postmaster_;
};

}  // namespace pgroute::test_support
