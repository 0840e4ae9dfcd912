#include "tests/support/process.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "tests/support/unique_fd.h"

extern char** environ;

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

struct user_identity {
    uid_t uid;
    gid_t gid;
    std::vector<gid_t> groups;
    std::string home;
};

// Who the child becomes; nothing when it keeps the test's identity.
std::optional<user_identity> child_identity(const command_line& command) {
    if (!command.as_postgres || geteuid() != 0) return std::nullopt;
    const passwd* user = getpwnam("postgres");
    if (user == nullptr) throw std::runtime_error("as_postgres: there is no user `postgres`");
    user_identity identity{user->pw_uid, user->pw_gid, {}, user->pw_dir};
    int count = 16;
    identity.groups.resize(count);
    while (getgrouplist("postgres", user->pw_gid, identity.groups.data(), &count) < 0) {
        identity.groups.resize(count);
    }
    identity.groups.resize(count);
    return identity;
}

std::string env_name(const std::string& entry) {
    return entry.substr(0, entry.find('='));
}

std::vector<std::string> child_environment(const command_line& command,
                                           const std::optional<user_identity>& identity) {
    std::vector<std::string> additions;
    if (identity) {
        additions = {"HOME=" + identity->home, "USER=postgres", "LOGNAME=postgres"};
    }
    additions.insert(additions.end(), command.env.begin(), command.env.end());

    std::vector<std::string> result;
    for (char** entry = environ; *entry != nullptr; ++entry)
        result.emplace_back(*entry);
    // In order, so that a later addition for the same name wins, as with repeated `export`.
    for (const std::string& addition : additions) {
        std::erase_if(result, [&](const std::string& entry) {
            return env_name(entry) == env_name(addition);
        });
        result.push_back(addition);
    }
    return result;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    for (std::string& s : strings)
        pointers.push_back(s.data());
    pointers.push_back(nullptr);
    return pointers;
}

// What the child was doing when it failed, reported to the parent through a pipe.
enum child_step { redirect, set_groups, set_gid, set_uid, change_dir, set_death_signal, exec };
constexpr const char* child_step_names[] = {"dup2",  "setgroups", "setgid", "setuid",
                                            "chdir", "prctl",     "exec"};

struct child_failure {
    child_step step;
    int error;
};

[[noreturn]] void child_fail(int report_fd, child_step step) {
    const child_failure failure{step, errno};
    [[maybe_unused]] const ssize_t ignored = write(report_fd, &failure, sizeof failure);
    _exit(127);
}

// Runs in the forked child, so it makes only async-signal-safe calls.
[[noreturn]] void exec_child(const command_line& command,
                             const std::optional<user_identity>& identity, char* const* argv,
                             char* const* envp, int stdin_fd, int output_fd, int report_fd,
                             pid_t parent) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (dup2(stdin_fd, STDIN_FILENO) < 0) child_fail(report_fd, redirect);
    if (output_fd >= 0) {
        if (dup2(output_fd, STDOUT_FILENO) < 0 || dup2(output_fd, STDERR_FILENO) < 0) {
            child_fail(report_fd, redirect);
        }
    }
    if (identity) {
        if (setgroups(identity->groups.size(), identity->groups.data()) < 0) {
            child_fail(report_fd, set_groups);
        }
        if (setgid(identity->gid) < 0) child_fail(report_fd, set_gid);
        if (setuid(identity->uid) < 0) child_fail(report_fd, set_uid);
    }
    if (!command.working_dir.empty() && chdir(command.working_dir.c_str()) < 0) {
        child_fail(report_fd, change_dir);
    }
    // After setuid: changing credentials clears the parent-death signal.
    if (prctl(PR_SET_PDEATHSIG, command.death_signal) < 0) child_fail(report_fd, set_death_signal);
    // The test may have died between fork and prctl, too early for the signal to be sent.
    if (getppid() != parent) _exit(127);
    // Descriptors the test holds (listening sockets, other children's pipes) must not leak in.
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    execvpe(argv[0], argv, envp);
    child_fail(report_fd, exec);
}

pid_t spawn(const command_line& command, int output_fd) {
    if (command.argv.empty()) throw std::invalid_argument("spawn: empty argv");
    const std::optional<user_identity> identity = child_identity(command);
    std::vector<std::string> argv_strings = command.argv;
    std::vector<std::string> env_strings = child_environment(command, identity);
    const std::vector<char*> argv = c_strings(argv_strings);
    const std::vector<char*> envp = c_strings(env_strings);

    const unique_fd stdin_fd(open("/dev/null", O_RDONLY | O_CLOEXEC), "open /dev/null");
    int report[2] = {-1, -1};
    pipe2(report, O_CLOEXEC);
    const unique_fd report_read(report[0], "pipe2");
    unique_fd report_write(report[1], "pipe2");

    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0) {
        exec_child(command, identity, argv.data(), envp.data(), stdin_fd.get(), output_fd,
                   report_write.get(), parent);
    }
    report_write.reset();
    child_failure failure{};
    ssize_t n;
    do {
        n = read(report_read.get(), &failure, sizeof failure);
    } while (n < 0 && errno == EINTR);
    if (n == 0) return pid;  // the report pipe closed on a successful exec

    waitpid(pid, nullptr, 0);
    throw std::system_error(failure.error, std::generic_category(),
                            "starting " + command.argv[0] + ": " + child_step_names[failure.step]);
}

int exit_code_of(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

// The temporary unique_fd lives until the delegated constructor has forked the child.
child_process::child_process(const command_line& command, const std::filesystem::path& output)
    : child_process(command,
                    unique_fd(open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644),
                              "open " + output.string())
                        .get()) {}

child_process::child_process(const command_line& command, int output_fd)
    : pid_(spawn(command, output_fd)) {}

child_process::~child_process() {
    signal(SIGKILL);
    wait();
}

bool child_process::reap(int options) {
    if (exit_code_) return true;
    int status = 0;
    pid_t result;
    do {
        result = waitpid(pid_, &status, options);
    } while (result < 0 && errno == EINTR);
    if (result == pid_) exit_code_ = exit_code_of(status);
    return exit_code_.has_value();
}

bool child_process::running() {
    return !reap(WNOHANG);
}

void child_process::signal(int signal_number) const {
    if (!exit_code_) kill(pid_, signal_number);
}

std::optional<int> child_process::wait_for(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!reap(WNOHANG)) {
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(5ms);
    }
    return exit_code_;
}

int child_process::wait() {
    reap(0);
    return *exit_code_;
}

int child_process::terminate(int signal_number, std::chrono::milliseconds grace) {
    signal(signal_number);
    if (const std::optional<int> code = wait_for(grace)) return *code;
    signal(SIGKILL);
    return wait();
}

command_result run_command(const command_line& command, std::chrono::milliseconds timeout) {
    int pipe_fds[2] = {-1, -1};
    pipe2(pipe_fds, O_CLOEXEC);
    const unique_fd read_end(pipe_fds[0], "pipe2");
    unique_fd write_end(pipe_fds[1], "pipe2");
    child_process process(command, write_end.get());
    write_end.reset();

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string output;
    char buffer[4096];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd readable{read_end.get(), POLLIN, 0};
        const int ready = left.count() > 0 ? poll(&readable, 1, static_cast<int>(left.count())) : 0;
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) throw std::system_error(errno, std::generic_category(), "poll");
        if (ready == 0) {
            throw std::runtime_error(command.argv[0] + " did not finish within " +
                                     std::to_string(timeout.count()) + " ms; output so far:\n" +
                                     output);
        }
        const ssize_t n = read(read_end.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        output.append(buffer, static_cast<std::size_t>(n));
    }
    // The output closed; a child that closed it early still gets the rest of the deadline.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    const std::optional<int> code = process.wait_for(std::max(left, 0ms));
    if (!code) {
        throw std::runtime_error(command.argv[0] + " did not exit within " +
                                 std::to_string(timeout.count()) + " ms; output:\n" + output);
    }
    return {*code, std::move(output)};
}

void run_checked(const command_line& command, std::chrono::milliseconds timeout) {
    const command_result result = run_command(command, timeout);
    if (result.exit_code != 0) {
        throw std::runtime_error(command.argv.front() + " failed with exit code " +
                                 std::to_string(result.exit_code) + ":\n" + result.output);
    }
}

}  // namespace pgroute::test_support
