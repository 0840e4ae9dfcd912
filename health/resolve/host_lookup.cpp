// Why a thread per name, and not Asio's resolver: Asio 1.22's async_resolve runs getaddrinfo on
// one private thread per io_context, and that lookup can be neither cancelled nor abandoned. A
// DNS server that does not answer then holds the session past connect_timeout (a deadline racing
// it in a parallel group waits for it too), queues every other lookup of that worker behind it,
// and keeps the io_context's work count up, so that shutdown waits for getaddrinfo as well.
// c-ares would honour a deadline, but it bypasses NSS (nsswitch.conf, systemd-resolved, LDAP,
// mDNS): a name that libpq resolves on the same machine might not resolve through pgroute.
// glibc's getaddrinfo_a runs on threads of its own too, and gai_cancel cannot stop a lookup that
// has started. So getaddrinfo runs here on a detached thread, and its result is owned jointly by
// that thread and whoever still waits for it; a waiter leaves at its deadline or when cancelled,
// and the thread, once getaddrinfo returns, wakes those left and drops the result if none is.
// Lookups of one host and port share one thread while in flight, so a hanging resolver costs one
// blocked thread per distinct name (the configured nodes and API URLs), not one per session.
#include "health/resolve/host_lookup.h"

#include <asio/any_io_executor.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

namespace pgroute::health {
namespace {

using asio::ip::tcp;
using lookup_key = std::pair<std::string, std::uint16_t>;

// A coroutine waiting for a lookup, woken by cancelling its alarm. The alarm lives in the
// coroutine's frame and is only touched on the coroutine's executor; a wake-up posted there may
// run after the coroutine has left, and then finds no alarm.
struct waiter {
    asio::any_io_executor executor;
    asio::steady_timer* alarm;
};

struct lookup {
    bool done = false;
    host_lookup_result result{};
    std::vector<std::shared_ptr<waiter>> waiters{};
};

struct lookups_in_flight {
    std::mutex mutex;  // guards the map and every lookup in it
    std::map<lookup_key, std::shared_ptr<lookup>> by_name;
};

lookups_in_flight& in_flight() {
    // Never destroyed: a thread stuck in getaddrinfo may return into it after main() has.
    static auto* const table = new lookups_in_flight;
    return *table;
}

host_lookup_result resolve_now(const lookup_key& key) {
    // Asio's resolver needs a context even to resolve synchronously; this one never runs.
    asio::io_context unused;
    tcp::resolver resolver(unused);
    host_lookup_result out;
    const auto results = resolver.resolve(key.first, std::to_string(key.second), out.error);
    for (const auto& entry : results)
        out.endpoints.push_back(entry.endpoint());
    if (!out.error && out.endpoints.empty()) out.error = asio::error::host_not_found;
    return out;
}

void run_lookup(const lookup_key& key, const std::shared_ptr<lookup>& pending) {
    host_lookup_result result = resolve_now(key);
    auto& table = in_flight();
    const std::lock_guard lock(table.mutex);
    table.by_name.erase(key);  // the next lookup of this name asks getaddrinfo again
    pending->done = true;
    pending->result = std::move(result);
    for (const auto& w : pending->waiters) {
        asio::post(w->executor, [w] {
            if (w->alarm != nullptr) w->alarm->cancel();
        });
    }
}

// Joins the lookup of `key` in flight, or starts one. Throws std::system_error when no thread
// can be started.
std::shared_ptr<lookup> join(const lookup_key& key, std::shared_ptr<waiter> w) {
    auto& table = in_flight();
    const std::lock_guard lock(table.mutex);
    auto [at, inserted] = table.by_name.try_emplace(key);
    if (inserted) {
        at->second = std::make_shared<lookup>();
        try {
            std::thread(run_lookup, key, at->second).detach();
        } catch (const std::system_error&) {
            table.by_name.erase(at);
            throw;
        }
    }
    at->second->waiters.push_back(std::move(w));
    return at->second;
}

// Leaves the lookup however the waiting coroutine ends: returning, cancelled, or destroyed
// unresumed with its io_context. After this no wake-up is posted to it.
class leave_on_exit {
  public:
    leave_on_exit(std::shared_ptr<lookup> pending, std::shared_ptr<waiter> w)
        : pending_(std::move(pending)), waiter_(std::move(w)) {}
    ~leave_on_exit() {
        const std::lock_guard lock(in_flight().mutex);
        std::erase(pending_->waiters, waiter_);
        waiter_->alarm = nullptr;
    }
    leave_on_exit(const leave_on_exit&) = delete;
    leave_on_exit& operator=(const leave_on_exit&) = delete;

  private:
    std::shared_ptr<lookup> pending_;
    std::shared_ptr<waiter> waiter_;
};

}  // namespace

asio::awaitable<host_lookup_result> lookup_host(std::string host, std::uint16_t port,
                                                std::chrono::steady_clock::time_point deadline) {
    std::error_code not_literal;
    const asio::ip::address literal = asio::ip::make_address(host, not_literal);
    if (!not_literal) co_return host_lookup_result{{}, {tcp::endpoint(literal, port)}};

    asio::steady_timer alarm(co_await asio::this_coro::executor, deadline);
    const auto me = std::make_shared<waiter>(waiter{alarm.get_executor(), &alarm});
    std::shared_ptr<lookup> pending;
    try {
        pending = join({std::move(host), port}, me);
    } catch (const std::system_error& e) {
        co_return host_lookup_result{e.code(), {}};
    }
    const leave_on_exit leave(pending, me);
    const auto [expired_or_woken] =
        co_await alarm.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    host_lookup_result out;
    {
        const std::lock_guard lock(in_flight().mutex);
        if (pending->done) {
            out = pending->result;
        } else {
            // Not woken by the lookup: the alarm went off (the deadline), or was cancelled with us.
            out.error = expired_or_woken ? asio::error::operation_aborted : asio::error::timed_out;
        }
    }
    co_return out;
}

}  // namespace pgroute::health
