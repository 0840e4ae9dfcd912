// pgroute_write_drill: the client side of the failover drill in bench/run. One writer per target
// commits a row every --interval-ms through its own session (reopened after any failure) for
// --seconds, and the drill prints one JSON document: per target, the attempts, the commits, the
// longest time without a commit (the write outage) and every error with its SQLSTATE. Times are
// Unix seconds, so that bench/run can place them against the switchover it starts meanwhile.
//
//   pgroute_write_drill --seconds S [--interval-ms MS] NAME=CONNINFO...
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/support/libpq_conn.h"
#include "tests/support/probe_session.h"

namespace {

using namespace std::chrono_literals;
using pgroute::test_support::pg_error;
using pgroute::test_support::probe_session;
using system_clock = std::chrono::system_clock;

// A write that takes longer than this counts as a hang: an error of its own kind.
constexpr auto statement_timeout = 5s;

struct drill_target {
    std::string name;
    std::string conninfo;
};

struct drill_options {
    std::chrono::seconds duration{};
    std::chrono::milliseconds interval{10};
    std::vector<drill_target> targets;
};

double unix_seconds(system_clock::time_point at) {
    return std::chrono::duration<double>(at.time_since_epoch()).count();
}

// Runs one target's writes until `until` and returns its report.
nlohmann::json drill(const drill_target& target, std::chrono::milliseconds interval,
                     system_clock::time_point until) {
    const std::string insert =
        "INSERT INTO pgroute_drill (target) VALUES ('" + target.name + "') RETURNING now()";
    probe_session session(target.conninfo, statement_timeout);
    int attempts = 0;
    int commits = 0;
    std::optional<system_clock::time_point> last_commit;
    nlohmann::json longest_gap = nullptr;
    double longest_gap_seconds = 0;
    nlohmann::json errors = nlohmann::json::array();
    for (auto next = system_clock::now(); next < until; next += interval) {
        std::this_thread::sleep_until(next);
        ++attempts;
        try {
            static_cast<void>(session.run(insert));
        } catch (const pg_error& error) {
            errors.push_back({{"at", unix_seconds(system_clock::now())},
                              {"sqlstate", error.sqlstate()},
                              {"message", error.what()}});
            continue;
        }
        const auto now = system_clock::now();
        ++commits;
        if (last_commit) {
            const double gap = std::chrono::duration<double>(now - *last_commit).count();
            if (gap > longest_gap_seconds) {
                longest_gap_seconds = gap;
                longest_gap = {{"from", unix_seconds(*last_commit)},
                               {"to", unix_seconds(now)},
                               {"seconds", gap}};
            }
        }
        last_commit = now;
        // A failure or a slow write must not be followed by a burst of catch-up writes.
        if (next + interval < now) next = now;
    }
    return {{"name", target.name},        {"attempts", attempts},
            {"commits", commits},         {"interval_ms", interval.count()},
            {"longest_gap", longest_gap}, {"errors", errors}};
}

[[noreturn]] void usage(std::string_view problem) {
    std::cerr << "pgroute_write_drill: " << problem
              << "\nusage: pgroute_write_drill --seconds S [--interval-ms MS] NAME=CONNINFO...\n";
    std::exit(2);
}

drill_options parse(int argc, char** argv) {
    drill_options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if ((arg == "--seconds" || arg == "--interval-ms") && i + 1 < argc) {
            const std::string text = argv[++i];
            const int value = std::atoi(text.c_str());
            if (value <= 0 || std::to_string(value) != text) {
                usage(std::string(arg) + " takes a positive number, not " + text);
            }
            if (arg == "--seconds") {
                options.duration = std::chrono::seconds(value);
            } else {
                options.interval = std::chrono::milliseconds(value);
            }
        } else if (const auto equals = arg.find('=');
                   equals != std::string_view::npos && equals > 0 && !arg.starts_with("-")) {
            const std::string_view name = arg.substr(0, equals);
            // The name goes into the drill's SQL as a literal.
            if (!std::ranges::all_of(name,
                                     [](unsigned char c) { return std::isalnum(c) || c == '_'; })) {
                usage("a target's name is letters, digits and _: " + std::string(name));
            }
            options.targets.push_back({std::string(name), std::string(arg.substr(equals + 1))});
        } else {
            usage("unexpected argument: " + std::string(arg));
        }
    }
    if (options.duration.count() == 0) usage("--seconds is required");
    if (options.targets.empty()) usage("no target");
    return options;
}

int run_drill(int argc, char** argv) {
    const drill_options options = parse(argc, argv);
    const auto until = system_clock::now() + options.duration;
    std::vector<nlohmann::json> reports(options.targets.size());
    {
        std::vector<std::jthread> writers;
        for (std::size_t i = 0; i < options.targets.size(); ++i) {
            writers.emplace_back(
                [&, i] { reports[i] = drill(options.targets[i], options.interval, until); });
        }
    }
    // Server messages are passed on as they came; a stray byte must not lose the run.
    std::cout << nlohmann::json{{"targets", reports}}.dump(1, ' ', false,
                                                           nlohmann::json::error_handler_t::replace)
              << '\n';
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run_drill(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "pgroute_write_drill: " << e.what() << "\n";
        return 1;
    }
}
