// A value or a human-readable reason why there is none, for parsers whose callers must explain
// what they rejected (C++20 has no std::expected).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace pgroute::health {

struct parse_failure {
    std::string message;
};

template <typename T>
class [[nodiscard]] parsed {
  public:
    parsed(T value) : content_(std::move(value)) {}
    parsed(parse_failure error) : content_(std::move(error)) {}

    [[nodiscard]] bool has_value() const { return content_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    // Precondition: has_value().
    [[nodiscard]] const T& value() const { return std::get<0>(content_); }
    const T& operator*() const { return value(); }

    // Precondition: !has_value().
    [[nodiscard]] const std::string& error() const { return std::get<1>(content_).message; }

  private:
    std::variant<T, parse_failure> content_;
};

}  // namespace pgroute::health
