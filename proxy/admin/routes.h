// What each admin path answers: / (status page), /metrics, /topology, /health (liveness) and
// /ready (200 only while a write target exists). Pages are made from a fresh snapshot.
#pragma once

#include "proxy/admin/http_codec.h"
#include "proxy/admin/snapshot.h"
#include "proxy/admin/status_history.h"

namespace pgroute::proxy {

[[nodiscard]] http_response answer_admin_request(const http_request& request,
                                                 const admin_sources& sources,
                                                 const status_history& history);

}  // namespace pgroute::proxy
