#include "health/topology/rules.h"

#include "health/topology/read_fitness.h"
#include "health/topology/write_target.h"

namespace pgroute::health {
namespace {

NodeHistory record_poll(NodeHistory history, const NodeObservation& observation) {
    if (observation.outcome == PollOutcome::ok) {
        history.last_status = observation.status;
        history.failed_polls = 0;
    } else {
        ++history.failed_polls;
    }
    return history;
}

NodeRound to_round(const NodeObservation& observation, const NodeHistory& history,
                   const RulesConfig& config) {
    NodeRound node{.name = observation.address.name,
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
void apply_hysteresis(const ReadVerdict& verdict, const RulesConfig& config, NodeHistory& history) {
    switch (verdict.fitness) {
        case ReadFitness::good:
            ++history.good_rounds;
            history.unknown_rounds = 0;
            if (!history.judged || history.good_rounds >= config.rise) history.readable = true;
            history.judged = true;
            break;
        case ReadFitness::unfit:
            history.good_rounds = 0;
            history.unknown_rounds = 0;
            history.readable = false;
            history.judged = true;
            break;
        case ReadFitness::unknown:
            history.good_rounds = 0;
            ++history.unknown_rounds;
            if (history.unknown_rounds >= config.fall) history.readable = false;
            break;
    }
}

std::string rising_reason(const NodeHistory& history, const RulesConfig& config) {
    return "rising (" + std::to_string(history.good_rounds) + " of " + std::to_string(config.rise) +
           " good polls)";
}

NodeView make_view(const NodeObservation& observation, const NodeRound& node,
                   const ReadVerdict& verdict, const NodeHistory& history,
                   const RulesConfig& config) {
    NodeView view;
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
            verdict.fitness == ReadFitness::good ? rising_reason(history, config) : verdict.reason;
    }
    return view;
}

}  // namespace

RoundResult apply_round(const RulesConfig& config, const HysteresisState& previous,
                        const std::vector<NodeObservation>& round,
                        std::chrono::system_clock::time_point now) {
    RoundResult result;
    std::vector<NodeHistory*> histories;
    std::vector<NodeRound> nodes;
    histories.reserve(round.size());
    nodes.reserve(round.size());
    for (const NodeObservation& observation : round) {
        const std::string& name = observation.address.name;
        const auto known = previous.nodes.find(name);
        NodeHistory& history = result.state.nodes[name] =
            record_poll(known == previous.nodes.end() ? NodeHistory{} : known->second, observation);
        histories.push_back(&history);
        nodes.push_back(to_round(observation, history, config));
    }

    auto topology = std::make_shared<Topology>();
    topology->generation = previous.previous ? previous.previous->generation + 1 : 1;
    const WriteTargetChoice write_target = choose_write_target(nodes);
    topology->write_target = write_target.index;
    topology->no_write_target_reason = write_target.reason;

    std::optional<std::uint64_t> leader_location;
    if (write_target.index && nodes[*write_target.index].answered()) {
        leader_location = nodes[*write_target.index].status->leader_location;
    }

    for (std::size_t i = 0; i < round.size(); ++i) {
        const ReadVerdict verdict = judge_read_fitness(nodes[i], leader_location, config, now);
        apply_hysteresis(verdict, config, *histories[i]);
        topology->nodes.push_back(make_view(round[i], nodes[i], verdict, *histories[i], config));
        if (topology->nodes.back().readable) topology->readable.push_back(i);
    }

    result.events = diff_topologies(previous.previous ? *previous.previous : Topology{}, *topology);
    result.snapshot = topology;
    result.state.previous = result.snapshot;
    return result;
}

}  // namespace pgroute::health
