// Finds processes still working in a directory (by cwd or command line), to prove that a test
// left nothing running behind it. PostgreSQL's backends chdir into their data directory.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <vector>

namespace pgroute::test_support {

[[nodiscard]] std::vector<pid_t> processes_using(const std::filesystem::path& dir);

}  // namespace pgroute::test_support
