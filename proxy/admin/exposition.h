// pgroute's /metrics page: what a prometheus-cpp Collectable gathers, in the Prometheus text
// format 0.0.4 (exposition_writer.h says why not prometheus-cpp's TextSerializer).
#pragma once

#include <prometheus/collectable.h>

#include <string>
#include <string_view>

namespace pgroute::proxy {

inline constexpr std::string_view exposition_content_type =
    "text/plain; version=0.0.4; charset=utf-8";

[[nodiscard]] std::string render_metrics(const prometheus::Collectable& source);

}  // namespace pgroute::proxy
