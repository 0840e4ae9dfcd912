// The body of a Patroni answer read as a JSON object, and typed, non-throwing reads of its fields;
// the first mismatch is recorded with the field's name so the parser can say exactly what was
// wrong.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "health/topology/poll_outcome.h"

namespace pgroute::health {

// An answer's body read as the JSON object both Patroni endpoints send, or why it is not one.
struct json_object_parse {
    nlohmann::json document{};
    poll_outcome outcome = poll_outcome::ok;  // ok, malformed_json or unexpected_fields
    std::string error{};                      // what was wrong, when outcome is not ok
};

// Never throws, whatever the bytes.
[[nodiscard]] json_object_parse parse_json_object(std::string_view body);

class json_fields {
  public:
    // `prefix` names the object in messages ("xlog."); `error` collects the first mismatch and is
    // shared by the readers of nested objects.
    json_fields(const nlohmann::json& object, std::string prefix, std::string& error)
        : object_(object), prefix_(std::move(prefix)), error_(error) {}

    // Optional fields: absent or null gives nullopt; a value of another type records an error.
    [[nodiscard]] std::optional<std::string> string(std::string_view key);
    [[nodiscard]] std::optional<std::uint64_t> unsigned_integer(std::string_view key);
    [[nodiscard]] std::optional<bool> boolean(std::string_view key);
    [[nodiscard]] const nlohmann::json* object(std::string_view key);
    [[nodiscard]] const nlohmann::json* array(std::string_view key);

    // A field that must be present and a string.
    [[nodiscard]] std::string required_string(std::string_view key);

  private:
    const nlohmann::json* raw(std::string_view key) const;
    const nlohmann::json* typed(std::string_view key, bool (nlohmann::json::*is_type)() const,
                                std::string_view type_name);
    void fail(std::string message);

    const nlohmann::json& object_;
    std::string prefix_;
    std::string& error_;
};

}  // namespace pgroute::health
