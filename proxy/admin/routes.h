// What each admin path answers: / (status page), /metrics, /topology, /health (liveness),
// /ready (200 only while a write target exists), and from a loopback client POST /reload,
// POST /drain/NODE and POST /undrain/NODE. Pages are made from a fresh snapshot.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "proxy/admin/http_codec.h"
#include "proxy/admin/snapshot.h"
#include "proxy/admin/status_history.h"

namespace pgroute::proxy {

// How a reload went: applied; handed to a new process, which applies what the running one is
// built around (as a binary upgrade does); or refused with the running config still serving.
// `text` says what was done or lists the problems, a line each.
enum class reload_outcome { applied, new_process, refused };
struct reload_report {
    reload_outcome outcome = reload_outcome::refused;
    std::string text;
};

// How a drain or undrain went: `known` is false for a name that is not a node; `text` says what
// was done.
struct drain_report {
    bool known = false;
    std::string text;
};

// What the admin listener may do to the process besides reading it.
struct admin_actions {
    std::function<reload_report()> reload;  // the same reload as SIGHUP's
    // Takes a node out of routing (true) or puts it back (false): pgroute drain, undrain.
    std::function<drain_report(std::string_view node, bool drain)> drain;
};

// `from_loopback`: the client connected from a loopback address. Only such a client may act
// (POST): the listener may also be open to a Prometheus on another host.
[[nodiscard]] http_response answer_admin_request(const http_request& request, bool from_loopback,
                                                 const admin_sources& sources,
                                                 const status_history& history,
                                                 const admin_actions& actions);

}  // namespace pgroute::proxy
