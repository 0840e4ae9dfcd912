#include "tests/support/text_file.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pgroute::test_support {
namespace {

void put(const std::filesystem::path& path, std::string_view text, std::ios::openmode mode) {
    std::ofstream file(path, mode);
    file << text;
    file.close();
    if (!file) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

std::string read_text(const std::filesystem::path& path) {
    std::ifstream file(path);
    if (!file) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

void write_text(const std::filesystem::path& path, std::string_view text) {
    put(path, text, std::ios::trunc);
}

void append_text(const std::filesystem::path& path, std::string_view text) {
    put(path, text, std::ios::app);
}

std::size_t occurrences(std::string_view text, std::string_view needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1))
        ++count;
    return count;
}

}  // namespace pgroute::test_support
