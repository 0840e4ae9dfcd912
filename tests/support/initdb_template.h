// initdb is most of a cluster's start-up time, so a test process runs it once and copies the
// result for every data directory it needs.
#pragma once

#include <filesystem>

namespace pgroute::test_support {

// Creates `data_dir` (which must not exist) as a fresh, never-started PostgreSQL data directory:
// superuser `postgres`, UTF8, C locale, pg_hba trusting everyone (callers replace it).
void copy_initdb_template(const std::filesystem::path& data_dir);

}  // namespace pgroute::test_support
