#include "tests/support/temp_dir.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <string>
#include <system_error>

namespace pgroute::test_support {
namespace {

void give_to_postgres(const std::filesystem::path& path) {
    const passwd* user = getpwnam("postgres");
    if (user == nullptr) return;  // no such user: the test's own identity runs PostgreSQL
    if (chown(path.c_str(), user->pw_uid, user->pw_gid) < 0) {
        throw std::system_error(errno, std::generic_category(), "chown " + path.string());
    }
}

// TMPDIR=/dev/shm makes clusters start faster: initdb and pg_basebackup write tens of MB.
std::filesystem::path temp_base() {
    const char* tmpdir = std::getenv("TMPDIR");
    return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

bool keep_requested() {
    const char* keep = std::getenv("PGROUTE_KEEP_TMP");
    return keep != nullptr && std::string_view(keep) == "1";
}

}  // namespace

temp_dir::temp_dir(std::string_view prefix) {
    std::string pattern = (temp_base() / (std::string(prefix) + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    path_ = pattern;
    if (geteuid() == 0) give_to_postgres(path_);
}

temp_dir::~temp_dir() {
    if (keep_requested()) {
        std::cerr << "PGROUTE_KEEP_TMP=1: kept " << path_.string() << '\n';
        return;
    }
    std::error_code ignored;  // a destructor cannot report it; /tmp is cleaned eventually
    std::filesystem::remove_all(path_, ignored);
}

}  // namespace pgroute::test_support
