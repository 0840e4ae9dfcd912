// Byte streams shaped like real server traffic, built once per benchmark: what the relay sees
// for a row-heavy SELECT and for a large COPY TO STDOUT.
#pragma once

#include <cstddef>
#include <string>

namespace pgroute::bench {

// RowDescription, `rows` DataRows of about 60 bytes, CommandComplete, ReadyForQuery.
[[nodiscard]] std::string data_row_result(std::size_t rows);

// CopyOutResponse, CopyData frames of `frame_payload` bytes up to `total_payload`, CopyDone,
// CommandComplete, ReadyForQuery.
[[nodiscard]] std::string copy_out_result(std::size_t total_payload, std::size_t frame_payload);

}  // namespace pgroute::bench
