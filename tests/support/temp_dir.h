// A private directory under $TMPDIR (else /tmp) for one test's data dirs, configs and logs,
// removed with it. PGROUTE_KEEP_TMP=1 keeps it (and prints where) for a post-mortem.
#pragma once

#include <filesystem>
#include <string_view>

namespace pgroute::test_support {

class TempDir {
  public:
    // When the test runs as root the directory belongs to `postgres`, which must write in it.
    explicit TempDir(std::string_view prefix = "pgroute-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace pgroute::test_support
