// One line per event on stderr, with a UTC timestamp and a level; each line is a single write()
// so lines from different threads never interleave.
#pragma once

#include <string_view>

namespace pgroute::proxy {

enum class log_level { debug, info, warn, error };

[[nodiscard]] std::string_view to_string(log_level level);

class logger {
  public:
    explicit logger(log_level min_level, int fd = 2) : min_level_(min_level), fd_(fd) {}

    [[nodiscard]] bool enabled(log_level level) const { return level >= min_level_; }
    void log(log_level level, std::string_view message) const;

    void debug(std::string_view m) const { log(log_level::debug, m); }
    void info(std::string_view m) const { log(log_level::info, m); }
    void warn(std::string_view m) const { log(log_level::warn, m); }
    void error(std::string_view m) const { log(log_level::error, m); }

  private:
    log_level min_level_;
    int fd_;
};

}  // namespace pgroute::proxy
