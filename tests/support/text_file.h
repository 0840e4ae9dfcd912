// Whole-file reads and writes for configs and logs the tests write or inspect.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace pgroute::test_support {

[[nodiscard]] std::string read_text(const std::filesystem::path& path);
void write_text(const std::filesystem::path& path, std::string_view text);
void append_text(const std::filesystem::path& path, std::string_view text);
// How often `needle` occurs in `text` (a log).
[[nodiscard]] std::size_t occurrences(std::string_view text, std::string_view needle);

}  // namespace pgroute::test_support
