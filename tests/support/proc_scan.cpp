#include "tests/support/proc_scan.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>

namespace pgroute::test_support {
namespace {

// A removed directory reads as "<dir> (deleted)" in /proc, hence the space.
bool inside(std::string_view path, std::string_view dir) {
    if (!path.starts_with(dir)) return false;
    const std::string_view rest = path.substr(dir.size());
    return rest.empty() || rest.front() == '/' || rest.front() == ' ';
}

bool mentions(const std::filesystem::path& proc_entry, const std::string& dir) {
    std::error_code error;
    const std::string cwd = std::filesystem::read_symlink(proc_entry / "cwd", error).string();
    if (!error && inside(cwd, dir)) return true;
    std::ifstream cmdline_file(proc_entry / "cmdline");
    const std::string cmdline{std::istreambuf_iterator<char>(cmdline_file), {}};
    return cmdline.find(dir) != std::string::npos;
}

}  // namespace

std::vector<pid_t> processes_using(const std::filesystem::path& dir) {
    const std::string wanted = dir.lexically_normal().string();
    std::vector<pid_t> found;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
        const std::string name = entry.path().filename().string();
        pid_t pid = 0;
        const auto [end, parse_error] =
            std::from_chars(name.data(), name.data() + name.size(), pid);
        if (parse_error != std::errc{} || end != name.data() + name.size()) continue;
        if (pid == getpid()) continue;
        if (mentions(entry.path(), wanted)) found.push_back(pid);
    }
    if (error) throw std::system_error(error, "listing /proc");
    return found;
}

}  // namespace pgroute::test_support
