#include "health/topology/rules.h"

#include "health/topology/read_fitness.h"
#include "health/topology/write_target.h"

namespace pgroute::health {
namespace {

node_history record_poll(node_history history, const node_observation& observation) {
    if (observation.outcome == poll_outcome::ok) {
        history.last_status = observation.status;
        history.failed_polls = 0;
    } else {
        ++history.failed_polls;
    }
    return history;
}

node_round to_round(const node_observation& observation, const node_history& history,
                    const rules_config& config) {
    node_round node{.name = observation.address.name,
                    .outcome = observation.outcome,
                    .failed_polls = history.failed_polls};
    if (history.last_status) {
        node.last_known = &*history.last_status;
        if (history.failed_polls < config.fall) node.status = node.last_known;
    }
    return node;
}

// HAProxy-style hysteresis: measured unfitness acts at once, unmeasurable fitness only after
// `fall` rounds, and fitness after `rise` rounds unless the node has never been judged.
void apply_hysteresis(const read_verdict& verdict, const rules_config& config,
                      node_history& history) {
    switch (verdict.fitness) {
        case read_fitness::good:
            ++history.good_rounds;
            history.unknown_rounds = 0;
            if (!history.judged || history.good_rounds >= config.rise) history.readable = true;
            history.judged = true;
            break;
        case read_fitness::unfit:
            history.good_rounds = 0;
            history.unknown_rounds = 0;
            history.readable = false;
            history.judged = true;
            break;
        case read_fitness::unknown:
            history.good_rounds = 0;
            ++history.unknown_rounds;
            if (history.unknown_rounds >= config.fall) history.readable = false;
            break;
    }
}

std::string rising_reason(const node_history& history, const rules_config& config) {
    return "rising (" + std::to_string(history.good_rounds) + " of " + std::to_string(config.rise) +
           " good polls)";
}

node_view make_view(const node_observation& observation, const node_round& node,
                    const read_verdict& verdict, const node_history& history,
                    const rules_config& config) {
    node_view view;
    view.address = observation.address;
    if (node.status != nullptr) {
        view.role = node.status->role;
        view.state = node.status->state;
        view.timeline = node.status->timeline;
        view.up = is_running_state(node.status->state);
    } else {
        view.state = std::string(to_string(observation.outcome));
    }
    view.readable = history.readable;
    view.lag_bytes = verdict.lag_bytes;
    view.lag_seconds = verdict.lag_seconds;
    if (!view.readable) {
        view.not_readable_reason =
            verdict.fitness == read_fitness::good ? rising_reason(history, config) : verdict.reason;
    }
    return view;
}

}  // namespace

round_result apply_round(const rules_config& config, const hysteresis_state& previous,
                         const std::vector<node_observation>& round,
                         std::chrono::system_clock::time_point now) {
    round_result result;
    std::vector<node_history*> histories;
    std::vector<node_round> nodes;
    histories.reserve(round.size());
    nodes.reserve(round.size());
    for (const node_observation& observation : round) {
        const std::string& name = observation.address.name;
        const auto known = previous.nodes.find(name);
        node_history& history = result.state.nodes[name] = record_poll(
            known == previous.nodes.end() ? node_history{} : known->second, observation);
        histories.push_back(&history);
        nodes.push_back(to_round(observation, history, config));
    }

    auto topology = std::make_shared<topology_snapshot>();
    topology->generation = previous.previous ? previous.previous->generation + 1 : 1;
    const write_target_choice write_target = choose_write_target(nodes);
    topology->write_target = write_target.index;
    topology->no_write_target_reason = write_target.reason;

    std::optional<std::uint64_t> leader_location;
    if (write_target.index && nodes[*write_target.index].answered()) {
        leader_location = nodes[*write_target.index].status->leader_location;
    }

    for (std::size_t i = 0; i < round.size(); ++i) {
        const read_verdict verdict = judge_read_fitness(nodes[i], leader_location, config, now);
        apply_hysteresis(verdict, config, *histories[i]);
        topology->nodes.push_back(make_view(round[i], nodes[i], verdict, *histories[i], config));
        if (topology->nodes.back().readable) topology->readable.push_back(i);
    }

    result.events =
        diff_topologies(previous.previous ? *previous.previous : topology_snapshot{}, *topology);
    result.snapshot = topology;
    result.state.previous = result.snapshot;
    return result;
}

}  // namespace pgroute::health
