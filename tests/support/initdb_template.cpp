#include "tests/support/initdb_template.h"

#include "tests/support/pg_server.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace pgroute::test_support {
namespace {

class initdb_template {
  public:
    initdb_template() : dir_("pgroute-initdb") {
        run_checked(
            {.argv = {pg_program("initdb"), "-D", data_dir().string(), "-U", std::string(superuser),
                      "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync",
                      // pg_basebackup and the primary write whole WAL segments: 1 MB
                      // ones instead of 16 MB cut a test cluster's disk writes by a third.
                      "--wal-segsize=1"},
             .working_dir = dir_.path(),
             .as_postgres = true});
    }

    [[nodiscard]] std::filesystem::path data_dir() const { return dir_.path() / "data"; }

  private:
    temp_dir dir_;
};

// Made on first use and never changed afterwards; removed when the test process exits.
const initdb_template& shared_template() {
    static const initdb_template initdb_template;
    return initdb_template;
}

}  // namespace

void copy_initdb_template(const std::filesystem::path& data_dir) {
    const std::filesystem::path source = shared_template().data_dir();
    // As postgres, so that the copy has the owner and 0700 mode PostgreSQL insists on.
    run_checked({.argv = {"cp", "-a", source.string(), data_dir.string()},
                 .working_dir = source.parent_path(),
                 .as_postgres = true});
}

}  // namespace pgroute::test_support
