// Whole-file reads and writes for configs and logs the tests write or inspect.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace pgroute::test_support {

[[nodiscard]] std::string read_text(const std::filesystem::path& path);
void write_text(const std::filesystem::path& path, std::string_view text);
void append_text(const std::filesystem::path& path, std::string_view text);

}  // namespace pgroute::test_support
