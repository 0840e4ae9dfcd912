#include "health/patroni/json_fields.h"

namespace pgroute::health {

json_object_parse parse_json_object(std::string_view body) {
    json_object_parse parsed{.document = nlohmann::json::parse(body, nullptr,
                                                               /*allow_exceptions=*/false)};
    if (parsed.document.is_discarded()) {
        parsed.outcome = poll_outcome::malformed_json;
        parsed.error = "body is not valid JSON";
    } else if (!parsed.document.is_object()) {
        parsed.outcome = poll_outcome::unexpected_fields;
        parsed.error =
            std::string("body is a JSON ") + parsed.document.type_name() + ", expected an object";
    }
    return parsed;
}

const nlohmann::json* json_fields::raw(std::string_view key) const {
    const auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
}

const nlohmann::json* json_fields::typed(std::string_view key,
                                         bool (nlohmann::json::*is_type)() const,
                                         std::string_view type_name) {
    const nlohmann::json* value = raw(key);
    if (value == nullptr || value->is_null()) return nullptr;
    if (!(value->*is_type)()) {
        fail(prefix_ + std::string(key) + " is " + value->type_name() + ", expected " +
             std::string(type_name));
        return nullptr;
    }
    return value;
}

std::optional<std::string> json_fields::string(std::string_view key) {
    const nlohmann::json* value = typed(key, &nlohmann::json::is_string, "a string");
    if (value == nullptr) return std::nullopt;
    return value->get_ref<const std::string&>();
}

std::optional<std::uint64_t> json_fields::unsigned_integer(std::string_view key) {
    // nlohmann stores non-negative integers as unsigned, negative ones as signed and those beyond
    // 64 bits as floating point, so only number_unsigned is a valid position or timeline.
    const nlohmann::json* value =
        typed(key, &nlohmann::json::is_number_unsigned, "an unsigned 64-bit integer");
    if (value == nullptr) return std::nullopt;
    return value->get<std::uint64_t>();
}

std::optional<bool> json_fields::boolean(std::string_view key) {
    const nlohmann::json* value = typed(key, &nlohmann::json::is_boolean, "a boolean");
    if (value == nullptr) return std::nullopt;
    return value->get<bool>();
}

const nlohmann::json* json_fields::object(std::string_view key) {
    return typed(key, &nlohmann::json::is_object, "an object");
}

const nlohmann::json* json_fields::array(std::string_view key) {
    return typed(key, &nlohmann::json::is_array, "an array");
}

std::string json_fields::required_string(std::string_view key) {
    if (raw(key) == nullptr || raw(key)->is_null()) {
        fail("missing " + prefix_ + std::string(key));
        return {};
    }
    return string(key).value_or(std::string{});
}

void json_fields::fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
}

}  // namespace pgroute::health
