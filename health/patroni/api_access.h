// How the health client may reach Patroni REST APIs beyond plain http: the TLS context for
// https URLs (CA to verify the API's certificate against, client certificate for
// `restapi.verify_client`), and the basic-auth credentials of `restapi.authentication`.
#pragma once

#include <asio/ssl/context.hpp>
#include <string>
#include <string_view>

namespace pgroute::health {

struct api_access {
    asio::ssl::context* tls = nullptr;  // null: an https URL is a failed poll, not a crash
    std::string authorization;          // the Authorization header's value, or empty
};

// "Basic " + base64("user:password"), as RFC 7617 spells it.
[[nodiscard]] std::string basic_authorization(std::string_view user, std::string_view password);

}  // namespace pgroute::health
