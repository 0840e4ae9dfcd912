// A private directory under $TMPDIR (else /tmp) for one test's data dirs, configs and logs,
// removed with it. PGROUTE_KEEP_TMP=1 keeps it (and prints where) for a post-mortem.
#pragma once

#include <filesystem>
#include <string_view>

namespace pgroute::test_support {

class temp_dir {
  public:
    // When the test runs as root the directory belongs to `postgres`, which must write in it.
    explicit temp_dir(std::string_view prefix = "pgroute-test");
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace pgroute::test_support
