// The pgroute binary of this build run as a child of the test, on a config the test wrote, with
// its log kept for assertions and post-mortems.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace pgroute::test_support {

class pgroute_process {
  public:
    // Writes `yaml` to pgroute.yaml in a temp dir, runs `pgroute -c` on it (stderr and stdout to
    // pgroute.log beside it) and returns once every port in `listen_ports` accepts TCP.
    // `env`: "NAME=value" entries added to pgroute's environment.
    pgroute_process(std::string_view yaml, const std::vector<std::uint16_t>& listen_ports,
                    std::chrono::milliseconds start_timeout = std::chrono::seconds(10),
                    std::vector<std::string> env = {});
    ~pgroute_process() = default;  // the Process member kills it if stop() was not called
    pgroute_process(const pgroute_process&) = delete;
    pgroute_process& operator=(const pgroute_process&) = delete;

    // SIGTERM; throws unless pgroute exits with code 0 within 10 s (a clean stop is a feature).
    void stop();
    // Waits for pgroute to exit on its own (after an upgrade, say); throws unless it exits with
    // code 0 within `timeout`.
    void wait_exit(std::chrono::milliseconds timeout);

    // Whether it has not exited (a zombie counts as exited).
    [[nodiscard]] bool running() { return process_.running(); }
    [[nodiscard]] std::string log_text() const;
    [[nodiscard]] const std::filesystem::path& config_path() const { return config_path_; }
    [[nodiscard]] const std::filesystem::path& log_path() const { return log_path_; }
    [[nodiscard]] pid_t pid() const { return process_.pid(); }

  private:
    temp_dir dir_;
    std::filesystem::path config_path_;
    std::filesystem::path log_path_;
    child_process process_;
};

}  // namespace pgroute::test_support
