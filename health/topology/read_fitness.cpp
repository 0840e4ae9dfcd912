#include "health/topology/read_fitness.h"

#include <cstdio>

#include "health/topology/node_role.h"

namespace pgroute::health {
namespace {

std::string format_number(const char* format, double value) {
    char text[32];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

read_verdict unfit(std::string reason) {
    return {.fitness = read_fitness::unfit, .reason = std::move(reason)};
}

read_verdict unknown(std::string reason) {
    return {.fitness = read_fitness::unknown, .reason = std::move(reason)};
}

// replayed_timestamp is the commit time of the last replayed transaction, so on an idle leader it
// ages although the replica is current: its age measures lag only while WAL is missing.
void apply_time_bound(const node_status& status, const rules_config& config,
                      std::chrono::system_clock::time_point now, read_verdict& verdict) {
    if (*verdict.lag_bytes == 0) {
        verdict.lag_seconds = 0.0;
        return;
    }
    if (status.replayed_timestamp) {
        const std::chrono::duration<double> age = now - *status.replayed_timestamp;
        verdict.lag_seconds = age.count() > 0 ? age.count() : 0.0;
    }
    if (config.max_lag_time.count() == 0) return;

    const double bound = std::chrono::duration<double>(config.max_lag_time).count();
    if (!verdict.lag_seconds) {
        verdict.fitness = read_fitness::unfit;
        verdict.reason = "lag " + std::to_string(*verdict.lag_bytes) +
                         " bytes and no replayed_timestamp to bound max_lag_time " +
                         format_number("%g", bound) + " s";
    } else if (*verdict.lag_seconds > bound) {
        verdict.fitness = read_fitness::unfit;
        verdict.reason = "replay " + format_number("%.1f", *verdict.lag_seconds) +
                         " s behind > max_lag_time " + format_number("%g", bound) + " s";
    }
}

}  // namespace

read_verdict judge_read_fitness(const node_round& node,
                                std::optional<std::uint64_t> leader_location,
                                const rules_config& config,
                                std::chrono::system_clock::time_point now) {
    if (!node.answered()) return unknown(describe_failed_polls(node));

    const node_status& status = *node.status;
    if (status.role == node_role::leader) return unfit("is the leader");
    if (status.role != node_role::replica)
        return unfit("role " + std::string(to_string(status.role)));
    if (!is_running_state(status.state)) return unfit("state " + status.state);
    if (status.tags.noloadbalance) return unfit("tag noloadbalance");
    if (!leader_location) return unknown("lag unknown (no leader location this round)");
    if (!status.replayed_location) return unknown("lag unknown (no replayed_location)");

    read_verdict verdict{.fitness = read_fitness::good};
    verdict.lag_bytes = *leader_location > *status.replayed_location
                            ? *leader_location - *status.replayed_location
                            : 0;
    if (*verdict.lag_bytes > config.max_lag_bytes) {
        read_verdict over = unfit("lag " + std::to_string(*verdict.lag_bytes) +
                                  " bytes > max_lag " + std::to_string(config.max_lag_bytes));
        over.lag_bytes = verdict.lag_bytes;
        return over;
    }
    apply_time_bound(status, config, now, verdict);
    return verdict;
}

}  // namespace pgroute::health
