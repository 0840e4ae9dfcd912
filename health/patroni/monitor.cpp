#include "health/patroni/monitor.h"

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <exception>

#include "health/patroni/http_client.h"
#include "health/patroni/http_url.h"
#include "health/patroni/poll_pace.h"
#include "health/patroni/status_parser.h"

namespace pgroute::health {
namespace {

std::size_t index_of(poll_outcome outcome) {
    return static_cast<std::size_t>(outcome);
}

bool contains(const std::vector<cluster_member>& members, const std::string& name) {
    return std::any_of(members.begin(), members.end(),
                       [&](const cluster_member& m) { return m.address.name == name; });
}

// /cluster is asked of the node answering as leader, whose view of the DCS is authoritative, or
// else of any node that answered.
const node_observation* pick_membership_source(
    const std::vector<const node_observation*>& answered) {
    const auto leader = std::find_if(answered.begin(), answered.end(), [](const auto* o) {
        return o->status.role == node_role::leader;
    });
    if (leader != answered.end()) return *leader;
    return answered.empty() ? nullptr : answered.front();
}

}  // namespace

patroni_monitor::patroni_monitor(const asio::any_io_executor& executor, monitor_config config,
                                 publish_fn publish, log_fn log)
    : executor_(executor),
      config_(std::move(config)),
      publish_(std::move(publish)),
      log_(std::move(log)),
      members_(config_.seeds),
      round_timer_(executor),
      requests_(executor) {}

void patroni_monitor::start(std::function<void()> on_stopped) {
    running_ = true;
    asio::co_spawn(executor_, run(),
                   [this, on_stopped = std::move(on_stopped)](const std::exception_ptr& error) {
                       running_ = false;
                       if (error) log_("health monitor stopped by an unexpected exception");
                       if (on_stopped) on_stopped();
                   });
}

void patroni_monitor::stop() {
    stopping_ = true;
    round_timer_.cancel();
    requests_.cancel();
}

asio::awaitable<void> patroni_monitor::run() {
    while (!stopping_) {
        const auto round_start = std::chrono::steady_clock::now();
        co_await run_round();
        if (stopping_) break;
        round_timer_.expires_at(round_start + next_round_delay(current().get(),
                                                               config_.timing.interval,
                                                               config_.timing.fast_interval));
        co_await round_timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
}

asio::awaitable<void> patroni_monitor::run_round() {
    const auto polled_at = std::chrono::system_clock::now();
    std::vector<asio::awaitable<node_poll>> polls_in_flight;
    for (const cluster_member& member : members_)
        polls_in_flight.push_back(poll_node(member));
    std::vector<node_poll> polls = co_await requests_.run_all(std::move(polls_in_flight));
    if (stopping_) co_return;
    for (const node_poll& poll : polls)
        record_status_poll(poll);

    co_await refresh_membership(polls);
    if (stopping_) co_return;

    // A member that joined is polled from the next round on; one that left is dropped now.
    std::vector<node_observation> round;
    for (node_poll& poll : polls) {
        if (contains(members_, poll.observation.address.name)) {
            round.push_back(std::move(poll.observation));
        }
    }
    round_result result = apply_round(config_.rules, state_, round, polled_at);
    state_ = std::move(result.state);
    publish_(result.snapshot, result.events);
}

asio::awaitable<patroni_monitor::node_poll> patroni_monitor::poll_node(cluster_member member) {
    node_poll poll{.observation = {.address = member.address}};
    node_observation& observation = poll.observation;
    const parsed<http_url> url = parse_http_url(member.api_url);
    if (!url) {
        observation.outcome = poll_outcome::unreachable;
        poll.error = url.error();
        co_return poll;
    }
    const auto started = std::chrono::steady_clock::now();
    http_result response =
        co_await http_get(*url, "/patroni", config_.timing.timeout, config_.access);
    poll.elapsed = std::chrono::steady_clock::now() - started;
    if (response.outcome != poll_outcome::ok) {
        observation.outcome = response.outcome;
        poll.error = std::move(response.error);
        co_return poll;
    }
    status_parse parsed = parse_patroni_status(response.body);
    observation.outcome = parsed.outcome;
    observation.status = std::move(parsed.status);
    poll.error = std::move(parsed.error);
    co_return poll;
}

void patroni_monitor::record_status_poll(const node_poll& poll) {
    const std::string& name = poll.observation.address.name;
    const poll_outcome outcome = poll.observation.outcome;
    ++status_polls_[name][index_of(outcome)];
    status_poll_durations_[name].record(poll.elapsed);
    const auto [last, first_poll] = last_status_outcome_.try_emplace(name, poll_outcome::ok);
    if (last->second == outcome && !(first_poll && outcome != poll_outcome::ok)) return;
    last->second = outcome;
    std::string line = name + ": GET /patroni " + std::string(to_string(outcome));
    if (!poll.error.empty()) line += ": " + poll.error;
    log_(line);
}

asio::awaitable<void> patroni_monitor::refresh_membership(const std::vector<node_poll>& polls) {
    std::vector<const node_observation*> answered;
    for (const node_poll& poll : polls) {
        if (poll.observation.outcome == poll_outcome::ok) answered.push_back(&poll.observation);
    }
    const node_observation* source = pick_membership_source(answered);
    if (source == nullptr) co_return;
    const auto member = std::find_if(
        members_.begin(), members_.end(),
        [&](const cluster_member& m) { return m.address.name == source->address.name; });
    if (member == members_.end()) co_return;
    const parsed<http_url> url = parse_http_url(member->api_url);
    if (!url) co_return;  // cannot happen: the node just answered through this same URL

    std::vector<asio::awaitable<http_result>> request;
    request.push_back(http_get(*url, "/cluster", config_.timing.timeout, config_.access));
    const http_result response = std::move((co_await requests_.run_all(std::move(request)))[0]);
    if (stopping_) co_return;

    members_parse parsed{.outcome = response.outcome, .error = response.error};
    if (response.outcome == poll_outcome::ok) parsed = parse_cluster_members(response.body);
    ++cluster_polls_[index_of(parsed.outcome)];
    if (parsed.outcome != last_cluster_outcome_) {
        last_cluster_outcome_ = parsed.outcome;
        std::string line =
            source->address.name + ": GET /cluster " + std::string(to_string(parsed.outcome));
        if (!parsed.error.empty()) line += ": " + parsed.error + " (membership unchanged)";
        log_(line);
    }
    if (parsed.outcome == poll_outcome::ok) {
        adopt_members(merge_members(config_.seeds, parsed.members));
    }
}

void patroni_monitor::adopt_members(std::vector<cluster_member> next) {
    for (const cluster_member& member : next) {
        if (!contains(members_, member.address.name)) {
            log_("member " + member.address.name + " joined (listed by /cluster)");
        }
    }
    for (const cluster_member& member : members_) {
        if (!contains(next, member.address.name)) {
            log_("member " + member.address.name + " left (no longer listed by /cluster)");
        }
    }
    members_ = std::move(next);
}

}  // namespace pgroute::health
