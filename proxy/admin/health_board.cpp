#include "proxy/admin/health_board.h"

#include <ctime>

namespace pgroute::proxy {

std::string format_utc(std::chrono::system_clock::time_point at) {
    const auto seconds = std::chrono::system_clock::to_time_t(at);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

health_board::health_board(health::topology_ptr initial, bool patroni) {
    report_.patroni = patroni;
    report_.topology = std::move(initial);
    if (const auto* leader = report_.topology->leader()) last_leader_ = leader->address.name;
}

void health_board::publish(health::topology_update round) {
    const std::lock_guard guard(lock_);
    if (const auto* leader = round.topology->leader()) {
        if (!last_leader_.empty() && leader->address.name != last_leader_) {
            ++report_.leader_changes;
            report_.last_leader_change_at = round.at;
        }
        last_leader_ = leader->address.name;
    }
    for (const auto& event : round.events) {
        report_.recent_events.push_back({round.at, health::describe(event)});
        if (report_.recent_events.size() > recent_event_limit) report_.recent_events.pop_front();
    }
    report_.topology = std::move(round.topology);
    report_.status_polls = std::move(round.status_polls);
    report_.cluster_polls = round.cluster_polls;
    report_.status_poll_durations = std::move(round.status_poll_durations);
    ++report_.health_rounds;
}

health_report health_board::read() const {
    const std::lock_guard guard(lock_);
    return report_;
}

}  // namespace pgroute::proxy
