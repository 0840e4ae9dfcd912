// The counters one worker thread bumps on its data path and the admin thread reads at scrape
// time: no lock, no map or string on the hot path.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proxy/routing/cut_policy.h"

namespace pgroute::proxy {

// Monotonic; written by one thread, readable from any. With a single writer a bump is a relaxed
// load and store, not a locked read-modify-write.
class counter {
  public:
    void add(std::uint64_t n = 1) {
        value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    [[nodiscard]] std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<std::uint64_t> value_{0};
};

// Why a client connection ended before it was relayed to a node (metric label values).
enum class session_rejection {
    too_many_clients,   // over max_client_connections (53300)
    startup_error,      // malformed or timed-out startup packet, unsupported protocol (08P01...)
    startup_abandoned,  // the client left before sending a whole startup packet
    no_node,            // no write target / no readable replica (57P03)
    node_unreachable,   // the chosen node did not accept the connection (08006)
    auth_failed,        // proxy mode: pgroute did not authenticate the client (28P01, 08P01...)
};
inline constexpr std::size_t session_rejection_count = 6;
[[nodiscard]] std::string_view to_string(session_rejection rejection);

// What became of a CancelRequest (metric label values).
enum class cancel_outcome {
    forwarded,            // sent to the node that runs the session holding the key
    unknown_key,          // no live session holds the key: forged, stale, or of an unknown peer
    node_unreachable,     // the key is known but its node could not be reached in time
    sent_to_peer,         // the key is another pgroute's (peering): sent on to that instance
    peer_unreachable,     // the key's instance could not be reached in time
    sent_to_old_process,  // held by no session here: passed to the process this one upgraded from
};
inline constexpr std::size_t cancel_outcome_count = 6;
[[nodiscard]] std::string_view to_string(cancel_outcome outcome);

// Why a session moved to another node (proxy mode; metric label values): its node left the role
// its endpoint needs (a cut of that reason), or ended it with a shutdown FATAL.
enum class move_reason {
    leader_changed,
    no_write_target,
    node_promoted,
    node_lost,
    replica_lagging,
    drained,
    node_shutdown,
};
inline constexpr std::size_t move_reason_count = 7;
[[nodiscard]] std::string_view to_string(move_reason reason);

// cut_reason::shutdown is the last of them.
inline constexpr std::size_t cut_reason_count = static_cast<std::size_t>(cut_reason::shutdown) + 1;

// Upper bounds of the query duration histogram, in seconds; a last bucket (+Inf) follows.
inline constexpr std::array<double, 18> query_duration_bounds{
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30,    60};
inline constexpr std::size_t query_duration_bucket_count = query_duration_bounds.size() + 1;

// Per client endpoint. `Count` is `counter` in a worker and std::uint64_t in a scrape's totals.
template <typename Count>
struct endpoint_values {
    Count accepted{};  // client connections, whatever became of them
    Count sessions_started{};
    Count sessions_ended{};
    std::array<Count, session_rejection_count> rejected{};
    std::array<Count, cancel_outcome_count> cancel_requests{};
    std::array<Count, move_reason_count> moves{};
    Count pinned{};              // sessions that became pinned to their node (proxy mode)
    Count pinned_ended{};        // of those, the ones that ended
    Count statements_retried{};  // cut by their node's shutdown, run again where the session moved

    [[nodiscard]] Count& rejections(session_rejection why) {
        return rejected[static_cast<std::size_t>(why)];
    }
    [[nodiscard]] Count& cancels(cancel_outcome outcome) {
        return cancel_requests[static_cast<std::size_t>(outcome)];
    }
    [[nodiscard]] Count& moved(move_reason why) { return moves[static_cast<std::size_t>(why)]; }
};

// Per client endpoint and node: what the sessions routed there did.
template <typename Count>
struct route_values {
    Count backend_opened{};
    Count backend_closed{};
    Count bytes_from_client{};
    Count bytes_from_server{};
    Count queries{};
    Count transactions{};
    std::array<Count, query_duration_bucket_count> query_duration_buckets{};  // not cumulative
    Count query_duration_nanoseconds{};
    std::array<Count, cut_reason_count> cuts{};

    [[nodiscard]] Count& cuts_for(cut_reason why) { return cuts[static_cast<std::size_t>(why)]; }
};

using endpoint_counters = endpoint_values<counter>;
using route_counters = route_values<counter>;

void observe_query_duration(route_counters& route, std::chrono::nanoseconds duration);

// Counts an opening now and its closing when the scope ends, however it ends.
class counted_open {
  public:
    counted_open(counter& opened, counter& closed) : closed_(closed) { opened.add(); }
    counted_open(const counted_open&) = delete;
    counted_open& operator=(const counted_open&) = delete;
    ~counted_open() { closed_.add(); }

  private:
    counter& closed_;
};

class worker_metrics {
  public:
    explicit worker_metrics(std::size_t endpoint_count);
    worker_metrics(const worker_metrics&) = delete;
    worker_metrics& operator=(const worker_metrics&) = delete;

    [[nodiscard]] std::size_t endpoint_count() const { return endpoint_count_; }
    [[nodiscard]] endpoint_counters& endpoint(std::size_t index) { return endpoints_[index]; }
    [[nodiscard]] const endpoint_counters& endpoint(std::size_t index) const {
        return endpoints_[index];
    }

    // Owning worker's thread only: the counters of sessions from `endpoint_index` on `node`,
    // made on first use. Look it up once per session; the reference stays valid for the life of
    // this object (nodes are never forgotten, so a node that leaves keeps its counts).
    [[nodiscard]] route_counters& route(std::size_t endpoint_index, const std::string& node);

    // Any thread: calls fn(node name, endpoint index, counters) for every route made so far.
    template <typename Fn>
    void for_each_route(Fn&& fn) const {
        const std::lock_guard guard(nodes_lock_);
        for (const auto& node : nodes_) {
            for (std::size_t e = 0; e < endpoint_count_; ++e)
                fn(node.name, e, node.routes[e]);
        }
    }

  private:
    struct node_routes {
        std::string name;
        std::unique_ptr<route_counters[]> routes;  // one per endpoint
    };

    std::size_t endpoint_count_;
    std::unique_ptr<endpoint_counters[]> endpoints_;
    // Written only by the owning worker, under the lock; it reads without the lock (it is the
    // only writer) and the admin thread reads under it.
    mutable std::mutex nodes_lock_;
    std::deque<node_routes> nodes_;
    std::unordered_map<std::string, node_routes*> by_name_;
};

}  // namespace pgroute::proxy
