#include "proxy/app/admin_address.h"

#include "proxy/config/config_loader.h"

namespace pgroute::proxy {

std::string admin_url(const config& cfg) {
    const listen_address at = cfg.admin ? cfg.admin->listen : admin_config{}.listen;
    std::string host = at.host;
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return "http://" + host + ":" + std::to_string(at.port);
}

std::variant<admin_address, admin_address_error> find_admin_listener(const cli_options& options) {
    std::string url = options.admin_url;
    if (url.empty()) {
        const auto loaded = load_config_file(options.config_path);
        if (!loaded.ok()) {
            return admin_address_error{
                "cannot read " + options.config_path +
                " to find the admin listener (or give --url): " + loaded.problems.front().message};
        }
        url = admin_url(loaded.cfg);
    }
    auto parsed = health::parse_http_url(url);
    if (!parsed) return admin_address_error{parsed.error()};
    return admin_address{url, *parsed};
}

}  // namespace pgroute::proxy
