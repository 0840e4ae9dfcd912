// How the failover tests (patroni_failover_test.cpp) judge and report what their write load saw:
// which errors are hangs, pgroute's cuts or a clean PostgreSQL ending, who wrote each, and the
// timings of a switchover or a crash.
#pragma once

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/failover_load.h"
#include "tests/support/libpq_conn.h"

namespace pgroute::test_support {

inline constexpr std::string_view connect_timed_out = "connecting timed out";  // from libpq_conn
inline constexpr std::string_view closed_after_fatal = "server closed the connection";

inline bool is_hang(const write_error& error) {
    return error.message.find(statement_timed_out) != std::string::npos ||
           error.message.find(connect_timed_out) != std::string::npos;
}

inline bool is_pgroute_cut(const write_error& error) {
    return error.sqlstate == "08006" &&
           error.message.find("pgroute cut this session") != std::string::npos;
}

// A session on a leader that goes away must end the PostgreSQL way: pgroute's cut (08006), the
// server's own shutdown FATAL (57P01, 57P02, 57P03), or pgroute's 57P03 while there is no leader;
// a bare close is clean only when the FATAL came with it.
inline bool ends_cleanly(const write_error& error) {
    static const std::set<std::string> clean_states = {"08006", "57P01", "57P02", "57P03"};
    if (clean_states.contains(error.sqlstate)) return true;
    return error.sqlstate.empty() && error.message.find("FATAL") != std::string::npos &&
           error.message.find(closed_after_fatal) != std::string::npos;
}

inline std::string one_line(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

// pgroute's own messages name itself or the node it speaks for. The first line is the error the
// SQLSTATE belongs to; later lines tell what followed it.
inline bool written_by_pgroute(const write_error& error) {
    const std::string first_line = error.message.substr(0, error.message.find('\n'));
    return first_line.find("pgroute") != std::string::npos ||
           first_line.find("to node \"") != std::string::npos;
}

// PostgreSQL's own race, seen through HAProxy in the failover drill too: a statement sent just as
// the old leader's backend exits meets a closed socket, and libpq reports the failed send before
// it reads the FATAL waiting for it. Only while the old leader shuts down, and never pgroute's.
inline bool lost_fatal_to_server_shutdown(const write_error& error, double shutdown_began,
                                          double new_leader_wrote) {
    return error.sqlstate.empty() && !written_by_pgroute(error) &&
           error.message.find("server closed the connection unexpectedly") != std::string::npos &&
           error.at >= shutdown_began && error.at <= new_leader_wrote;
}

inline void print_errors(const std::vector<write_error>& errors) {
    std::map<std::string, std::vector<const write_error*>> by_kind;
    for (const write_error& error : errors) {
        const std::string origin = written_by_pgroute(error) ? "pgroute" : "the server";
        by_kind[(error.sqlstate.empty() ? "no SQLSTATE" : error.sqlstate) + " from " + origin]
            .push_back(&error);
    }
    std::cout << "  client-visible errors: " << errors.size() << '\n';
    for (const auto& [kind, list] : by_kind) {
        std::cout << "    " << list.size() << " x " << kind << ", first at " << list.front()->at
                  << " s: " << one_line(list.front()->message) << '\n';
    }
}

inline void print_timing(const std::string& what, std::optional<double> at, double from) {
    std::cout << "  " << std::left << std::setw(50) << what << ' ';
    if (at) {
        std::cout << std::fixed << std::setprecision(2) << *at - from << " s\n";
    } else {
        std::cout << "never\n";
    }
}

}  // namespace pgroute::test_support
