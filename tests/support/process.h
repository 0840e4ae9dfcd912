// Child processes owned by a test: started without a shell, and killed by the kernel if the test
// process dies first, so a crashed test never leaves a server running behind it. (The kernel
// watches the thread that started the child: start long-lived children from the test's thread.)
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pgroute::test_support {

struct command_line {
    std::vector<std::string> argv{};  // argv[0] is looked up in PATH unless it holds a '/'
    std::vector<std::string> env{};  // "NAME=value", added to (or replacing) the test's environment
    std::filesystem::path working_dir{};  // empty: the test's own
    bool as_postgres = false;             // when the test runs as root, run as `postgres` instead
                                          // (PostgreSQL and Patroni refuse to run as root)
    int death_signal = SIGKILL;           // what the child receives when the test process dies
};

// Exit codes follow the shell's convention: 128 + signal number for a child killed by a signal.
class child_process {
  public:
    // stdout and stderr of the child are appended to `output`.
    child_process(const command_line& command, const std::filesystem::path& output);
    // stdout and stderr of the child go to `output_fd`; the caller keeps ownership of the fd.
    child_process(const command_line& command, int output_fd);
    ~child_process();  // SIGKILL and reap: call terminate() first for a graceful stop

    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] bool running();
    void signal(int signal_number) const;
    // The exit code, or nothing if the child is still running when the timeout expires.
    [[nodiscard]] std::optional<int> wait_for(std::chrono::milliseconds timeout);
    int wait();  // blocks until the child exits: prefer wait_for

    // Sends `signal_number`, then SIGKILL if the child has not exited after `grace`.
    int terminate(int signal_number, std::chrono::milliseconds grace);

  private:
    bool reap(int options);

    pid_t pid_;
    std::optional<int> exit_code_;
};

struct command_result {
    int exit_code;
    std::string output;  // stdout and stderr interleaved
};

// Runs a one-shot tool (initdb, pg_basebackup, psql) to completion; throws if it outlives
// `timeout`.
[[nodiscard]] command_result run_command(
    const command_line& command, std::chrono::milliseconds timeout = std::chrono::seconds(60));

// run_command for a tool that must succeed: throws with its output unless it exits with 0.
void run_checked(const command_line& command,
                 std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace pgroute::test_support
