#include "tests/support/pgroute_process.h"

#include <csignal>
#include <stdexcept>

#include "tests/support/ports.h"
#include "tests/support/text_file.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view pgroute_binary = PGROUTE_BINARY;

// Runs before the Process member is built, so the config exists when pgroute reads it.
std::filesystem::path written_config(const temp_dir& dir, std::string_view yaml) {
    if (pgroute_binary.empty()) {
        throw std::runtime_error("this build has no pgroute target, so there is nothing to run");
    }
    std::filesystem::path path = dir.path() / "pgroute.yaml";
    write_text(path, yaml);
    return path;
}

}  // namespace

pgroute_process::pgroute_process(std::string_view yaml,
                                 const std::vector<std::uint16_t>& listen_ports,
                                 std::chrono::milliseconds start_timeout,
                                 std::vector<std::string> env)
    : dir_("pgroute-proxy"),
      config_path_(written_config(dir_, yaml)),
      log_path_(dir_.path() / "pgroute.log"),
      process_(command_line{.argv = {std::string(pgroute_binary), "-c", config_path_.string()},
                            .env = std::move(env)},
               log_path_) {
    for (const std::uint16_t port : listen_ports) {
        wait_until(
            [&] {
                if (!process_.running()) {
                    throw std::runtime_error("pgroute exited while starting; its log:\n" +
                                             log_text());
                }
                return accepts_tcp(port);
            },
            start_timeout, "pgroute listens on 127.0.0.1:" + std::to_string(port), 10ms);
    }
}

void pgroute_process::stop() {
    process_.signal(SIGTERM);
    const std::optional<int> exit_code = process_.wait_for(10s);
    if (!exit_code) {
        process_.terminate(SIGKILL, 0ms);
        throw std::runtime_error("pgroute did not exit within 10 s of SIGTERM; its log:\n" +
                                 log_text());
    }
    if (*exit_code != 0) {
        throw std::runtime_error("pgroute exited with code " + std::to_string(*exit_code) +
                                 " after SIGTERM; its log:\n" + log_text());
    }
}

void pgroute_process::wait_exit(std::chrono::milliseconds timeout) {
    const std::optional<int> exit_code = process_.wait_for(timeout);
    if (!exit_code) {
        throw std::runtime_error("pgroute did not exit within " + std::to_string(timeout.count()) +
                                 " ms; its log:\n" + log_text());
    }
    if (*exit_code != 0) {
        throw std::runtime_error("pgroute exited with code " + std::to_string(*exit_code) +
                                 "; its log:\n" + log_text());
    }
}

std::string pgroute_process::log_text() const {
    return read_text(log_path_);
}

}  // namespace pgroute::test_support
