// Proxy mode: pgroute's answers to a node's authentication requests when it logs in as a user
// with what it holds for that user (login_credentials): SCRAM with a ClientKey, md5 with the
// stored hash, nothing for trust. It never holds a clear-text password, so a node that asks for
// one is refused. Pure: the caller reads the requests and writes the replies.
#pragma once

#include <optional>
#include <string>

#include "protocol/authentication.h"
#include "proxy/auth/scram_login.h"
#include "proxy/session/proxy_auth.h"

namespace pgroute::proxy {

// The next message pgroute sends the node, or the end of the exchange.
struct login_step {
    std::string reply;   // empty: nothing to send
    std::string failed;  // set: why the login cannot go on
};

// One login's exchange, as the user `user` with `credentials` (both outlive it).
class node_exchange {
  public:
    node_exchange(const std::string& user, const login_credentials& credentials)
        : user_(user), credentials_(credentials) {}

    // The reply to one of the node's authentication requests (not AuthenticationOk).
    [[nodiscard]] login_step answer(const protocol::authentication_request& request);

  private:
    login_step start_scram(const protocol::authentication_request& request);
    static login_step fail(std::string why) { return {{}, std::move(why)}; }

    const std::string& user_;
    const login_credentials& credentials_;
    std::optional<auth::scram_login> scram_;
    std::optional<auth::scram_login_proof> proof_;
};

}  // namespace pgroute::proxy
