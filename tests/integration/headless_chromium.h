// Headless Chromium (Debian's `chromium`) pointed at a page of the admin listener: the DOM it
// built (--dump-dom) or a screenshot, with a profile of its own so runs do not share state.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>

#include "tests/support/process.h"

namespace pgroute::test_support {

inline command_result headless_chromium(const std::filesystem::path& profile_dir,
                                        const std::string& url, const std::string& action,
                                        const std::string& window_size = "1280,800") {
    return run_command(
        {.argv = {"chromium", "--headless", "--no-sandbox", "--disable-gpu",
                  "--user-data-dir=" + (profile_dir / "profile").string(),
                  "--enable-logging=stderr", "--v=0", "--window-size=" + window_size, action, url}},
        std::chrono::seconds(90));
}

// A PNG's width and height, from its IHDR chunk; {0, 0} if the bytes are not a PNG.
inline std::pair<std::uint32_t, std::uint32_t> png_size(const std::string& bytes) {
    if (bytes.size() < 24 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return {0, 0};
    const auto u32 = [&](std::size_t at) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) << 24 |
               static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 16 |
               static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 8 |
               static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 3]));
    };
    return {u32(16), u32(20)};
}

}  // namespace pgroute::test_support
