// Base64 (RFC 4648, standard alphabet, padded) as SCRAM and PostgreSQL's stored secrets use it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pgroute::proxy::auth {

[[nodiscard]] std::string base64_encode(std::span<const std::uint8_t> data);
// nullopt unless text is whole groups of four from the alphabet, '=' only as the last one or two.
// Unlike PostgreSQL's decoder it refuses whitespace: no SCRAM attribute or secret contains any.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace pgroute::proxy::auth
