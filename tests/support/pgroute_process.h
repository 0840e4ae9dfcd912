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

class PgrouteProcess {
  public:
    // Writes `yaml` to pgroute.yaml in a temp dir, runs `pgroute -c` on it (stderr and stdout to
    // pgroute.log beside it) and returns once every port in `listen_ports` accepts TCP.
    PgrouteProcess(std::string_view yaml, const std::vector<std::uint16_t>& listen_ports,
                   std::chrono::milliseconds start_timeout = std::chrono::seconds(10));
    ~PgrouteProcess() = default;  // the Process member kills it if stop() was not called
    PgrouteProcess(const PgrouteProcess&) = delete;
    PgrouteProcess& operator=(const PgrouteProcess&) = delete;

    // SIGTERM; throws unless pgroute exits with code 0 within 10 s (a clean stop is a feature).
    void stop();

    [[nodiscard]] std::string log_text() const;
    [[nodiscard]] const std::filesystem::path& config_path() const { return config_path_; }
    [[nodiscard]] const std::filesystem::path& log_path() const { return log_path_; }
    [[nodiscard]] pid_t pid() const { return process_.pid(); }

  private:
    TempDir dir_;
    std::filesystem::path config_path_;
    std::filesystem::path log_path_;
    Process process_;
};

}  // namespace pgroute::test_support
