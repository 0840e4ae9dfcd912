// Proxy mode with auth.auth_user: the stored passwords of the users auth_file does not list,
// looked up with auth.auth_query on the current leader, as PgBouncer's auth_query does. Each
// worker has its own: at most auth.auth_pool_size connections, logged in as auth_user with what
// auth_file holds for it (an md5 hash, or nothing for a node that trusts it), kept open between
// lookups. The answers go to the workers' shared verifier_cache.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "health/topology/snapshot.h"
#include "proxy/auth/stored_verifier.h"
#include "proxy/config/config.h"
#include "proxy/net/tls_contexts.h"
#include "proxy/net/tls_stream.h"
#include "proxy/session/proxy_auth.h"
#include "proxy/session/verifier_cache.h"
#include "proxy/session/wait_list.h"

namespace pgroute::proxy {

struct auth_lookup_outcome {
    std::optional<auth::stored_verifier> verifier;  // nullopt: no such user
    std::string failed;                             // set: the lookup could not be made, and why
    std::string node;  // where auth_query ran; empty when the answer came from the cache
};

class auth_lookup {
  public:
    auth_lookup(const config& cfg, const login_credentials& login, verifier_cache& cache,
                tls_contexts& tls)
        : cfg_(cfg), login_(login), cache_(cache), tls_(tls) {}
    auth_lookup(const auth_lookup&) = delete;
    auth_lookup& operator=(const auth_lookup&) = delete;

    // `user`'s stored password, looked up on `topology`'s write target in `database` (unless
    // auth_dbname names one) or taken from the cache.
    [[nodiscard]] asio::awaitable<auth_lookup_outcome> find(
        const std::string& user, const std::string& database,
        const health::topology_snapshot& topology);

    // Closes the kept connections: before the worker's event loop goes.
    void close();

  private:
    struct connection {
        explicit connection(const asio::any_io_executor& executor) : socket(executor) {}
        std::string node;
        std::string database;
        asio::ip::tcp::socket socket;
        std::unique_ptr<tls_stream> tls;
    };

    [[nodiscard]] asio::awaitable<auth_lookup_outcome> look_up(const std::string& user,
                                                               const std::string& database,
                                                               const health::node_view& node);
    [[nodiscard]] asio::awaitable<std::string> open(connection& c, const health::node_view& node);
    [[nodiscard]] asio::awaitable<std::string> log_in(connection& c);
    [[nodiscard]] asio::awaitable<std::string> query(connection& c, const std::string& user,
                                                     auth_lookup_outcome& out);

    const config& cfg_;
    const login_credentials& login_;
    verifier_cache& cache_;
    tls_contexts& tls_;
    std::vector<std::unique_ptr<connection>> idle_;
    std::size_t busy_ = 0;
    wait_list waiters_;  // lookups waiting for a busy connection to be given back
};

}  // namespace pgroute::proxy
