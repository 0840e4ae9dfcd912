// Why an authentication step failed, as the client should hear it: the SQLSTATE and PostgreSQL's
// own message and detail, ready for an ErrorResponse. C++20 has no std::expected, hence result.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "protocol/sqlstate.h"

namespace pgroute::proxy::auth {

struct auth_error {
    std::string_view sqlstate;
    std::string message;
    std::string detail = {};
};

// 28P01 with PostgreSQL's text, for a wrong password and an unknown user alike.
[[nodiscard]] inline auth_error password_failed(std::string_view user) {
    return {protocol::sqlstate::invalid_password,
            "password authentication failed for user \"" + std::string(user) + "\""};
}

template <typename T, typename E = auth_error>
class [[nodiscard]] result {
  public:
    result(T value) : content_(std::move(value)) {}
    result(E error) : content_(std::move(error)) {}

    [[nodiscard]] bool has_value() const { return content_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    // Precondition: has_value().
    [[nodiscard]] const T& value() const& { return std::get<0>(content_); }
    [[nodiscard]] T&& value() && { return std::get<0>(std::move(content_)); }
    const T& operator*() const& { return value(); }
    const T* operator->() const { return &value(); }

    // Precondition: !has_value().
    [[nodiscard]] const E& error() const { return std::get<1>(content_); }

  private:
    std::variant<T, E> content_;
};

}  // namespace pgroute::proxy::auth
