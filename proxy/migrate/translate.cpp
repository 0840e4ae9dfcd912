#include "proxy/migrate/translate.h"

#include <algorithm>
#include <set>
#include <utility>

#include "proxy/migrate/global_settings.h"
#include "proxy/migrate/health_check.h"
#include "proxy/migrate/proxy_settings.h"
#include "proxy/migrate/server_merge.h"

namespace pgroute::proxy::migrate {
namespace {

struct read_proxy_section {
    const haproxy_section* section = nullptr;
    proxy_settings settings;
    bool used = false;
};

std::string label(const haproxy_section& section) {
    return section.keyword + " " + section.name;
}

class translator {
  public:
    std::variant<migration, migrate_error> run(const haproxy_config& config) {
        proxy_settings defaults;
        for (const haproxy_section& section : config.sections) {
            if (auto error = read_section(section, defaults)) return *error;
        }
        for (read_proxy_section& proxy : proxies_) {
            if (proxy.section->kind != section_kind::backend) make_endpoints(proxy);
        }
        for (read_proxy_section& proxy : proxies_) {
            if (proxy.section->kind == section_kind::backend && !proxy.used) {
                skip(*proxy.section, proxy.settings.notes,
                     "no frontend that became an endpoint uses it (default_backend)");
            }
        }
        if (out_.endpoints.empty()) {
            if (skipped_.empty()) {
                return migrate_error{0,
                                     "no listen or frontend section: pgroute's endpoints come "
                                     "from the sections that bind a port"};
            }
            std::string reasons;
            for (const auto& [line, reason] : skipped_) {
                reasons += (reasons.empty() ? "" : "; ") + reason;
            }
            return migrate_error{skipped_.front().first,
                                 "no section carries over to a pgroute endpoint: " + reasons};
        }
        return std::move(out_);
    }

  private:
    std::optional<migrate_error> read_section(const haproxy_section& section,
                                              proxy_settings& defaults) {
        switch (section.kind) {
            case section_kind::global:
                return read_global(section, out_);
            case section_kind::defaults: {
                auto read = read_proxy(section, proxy_settings{});
                if (auto* error = std::get_if<migrate_error>(&read)) return *error;
                defaults = std::get<proxy_settings>(std::move(read));
                take_process_wide(defaults);
                move_notes(defaults.notes, out_.notes);
                return std::nullopt;
            }
            case section_kind::listen:
            case section_kind::frontend:
            case section_kind::backend: {
                auto read = read_proxy(section, defaults);
                if (auto* error = std::get_if<migrate_error>(&read)) return *error;
                proxies_.push_back({&section, std::get<proxy_settings>(std::move(read))});
                take_process_wide(proxies_.back().settings);
                return std::nullopt;
            }
            case section_kind::other:
                out_.notes.push_back({section.line, "section '" + label(section) +
                                                        "' is not carried: pgroute has no "
                                                        "equivalent"});
                return std::nullopt;
        }
        return std::nullopt;
    }

    static void move_notes(std::vector<migration_note>& from, std::vector<migration_note>& to) {
        to.insert(to.end(), from.begin(), from.end());
        from.clear();
    }

    void skip(const haproxy_section& section, std::vector<migration_note>& notes,
              const std::string& why) {
        const std::string reason =
            label(section) + " (line " + std::to_string(section.line) + ") is not carried: " + why;
        skipped_.emplace_back(section.line, reason);
        out_.notes.push_back(
            {section.line, "section '" + label(section) + "' is not carried: " + why});
        move_notes(notes, out_.notes);
    }

    void take_process_wide(proxy_settings& settings) {
        merge_setting(settings.connect_timeout, out_.connect_timeout, "limits.connect_timeout",
                      out_.notes);
        if (settings.check_timeout && settings.check_timeout->value.count() < 10) {
            out_.notes.push_back({settings.check_timeout->line,
                                  "'" + settings.check_timeout->origin +
                                      "' is not carried: patroni.timeout is at least 10ms"});
        } else {
            merge_setting(settings.check_timeout, out_.check_timeout, "patroni.timeout",
                          out_.notes);
        }
    }

    read_proxy_section* find_backend(const std::string& name) {
        for (read_proxy_section& proxy : proxies_) {
            if (proxy.section->name == name && (proxy.section->kind == section_kind::backend ||
                                                proxy.section->kind == section_kind::listen)) {
                return &proxy;
            }
        }
        return nullptr;
    }

    void make_admin(read_proxy_section& proxy) {
        auto& settings = proxy.settings;
        if (settings.binds.empty()) {
            skip(*proxy.section, settings.notes, "a stats page without a bind");
            return;
        }
        const auto& bind = settings.binds.front();
        if (out_.admin_listen || !claim_listen(bind.value)) {
            skip(*proxy.section, settings.notes,
                 "pgroute has one admin listener, on another address");
            return;
        }
        out_.admin_listen = bind;
        move_notes(settings.notes, out_.notes);
    }

    bool claim_listen(const listen_address& address) {
        return listens_.insert({address.host, address.port}).second;
    }

    void make_endpoints(read_proxy_section& proxy) {
        auto& settings = proxy.settings;
        const haproxy_section& section = *proxy.section;
        if (settings.stats) return make_admin(proxy);
        if (settings.mode != "tcp") {
            return skip(section, settings.notes, "mode " + settings.mode + " is not PostgreSQL");
        }
        if (settings.binds.empty()) return skip(section, settings.notes, "it has no bind");
        read_proxy_section* backend = &proxy;
        std::string origin = label(section);
        if (section.kind == section_kind::frontend) {
            if (!settings.default_backend) {
                return skip(section, settings.notes, "it names no default_backend");
            }
            backend = find_backend(settings.default_backend->value);
            if (backend == nullptr) {
                return skip(section, settings.notes,
                            "its backend " + settings.default_backend->value + " is not defined");
            }
            origin += " -> " + label(*backend->section);
        }
        const proxy_settings& target = backend->settings;
        if (!target.check) {
            return skip(section, settings.notes,
                        "no option httpchk on a Patroni endpoint, so no role to route by");
        }
        const auto meaning = interpret_check(target.check->method, target.check->uri);
        if (!meaning) return skip(section, settings.notes, meaning.error());
        if (target.servers.empty()) return skip(section, settings.notes, "it has no server");

        std::vector<migration_note> notes = std::move(settings.notes);
        settings.notes.clear();
        if (backend != &proxy && !backend->used) move_notes(backend->settings.notes, notes);
        backend->used = true;
        for (const std::string& caveat : (*meaning).caveats) {
            notes.push_back({target.check->line, "'" + target.check->text + "': " + caveat});
        }
        migrated_endpoint endpoint = endpoint_for(*meaning, target, notes);
        endpoint.origin = origin;
        endpoint.line = section.line;
        endpoint.check = target.check->method + " " + target.check->uri;
        endpoint.notes = std::move(notes);
        add_nodes(target.servers, out_, endpoint.notes);
        merge_timing(target.servers, out_);
        bool notes_written = false;
        for (std::size_t i = 0; i < settings.binds.size(); ++i) {
            const auto& bind = settings.binds[i];
            if (!claim_listen(bind.value)) {
                endpoint.notes.push_back(
                    {bind.line, "'" + bind.origin + "' is not carried: the address is taken"});
                continue;
            }
            migrated_endpoint one = endpoint;
            one.name = i == 0 ? section.name : section.name + "-" + std::to_string(i + 1);
            while (!endpoint_names_.insert(one.name).second)
                one.name += "_";
            one.listen = bind.value;
            if (notes_written) one.notes.clear();
            notes_written = true;
            out_.endpoints.push_back(std::move(one));
        }
    }

    migrated_endpoint endpoint_for(const check_meaning& meaning, const proxy_settings& target,
                                   std::vector<migration_note>& notes) {
        migrated_endpoint endpoint;
        endpoint.route = meaning.route;
        endpoint.fallback_to_leader = meaning.fallback_to_leader;
        const bool shutdown_sessions =
            std::all_of(target.servers.begin(), target.servers.end(),
                        [](const server_spec& s) { return s.timing.shutdown_sessions; });
        const std::size_t line = target.check->line;
        if (meaning.route == route_kind::leader) {
            if (!shutdown_sessions) {
                notes.push_back({line,
                                 "without 'on-marked-down shutdown-sessions' HAProxy left "
                                 "sessions on a demoted leader; pgroute cuts them"});
            }
            return endpoint;
        }
        if (target.balance) endpoint.balance = target.balance->value;
        if (!shutdown_sessions) {
            // A replica promoted to leader fails GET /replica; only shutdown-sessions cut then.
            endpoint.cut_on_promote = false;
            notes.push_back({line,
                             "without 'on-marked-down shutdown-sessions' HAProxy left "
                             "sessions on a replica that failed its check; pgroute keeps "
                             "them on a promoted replica (cut_on_promote: false) and cuts "
                             "them on a lost node"});
        }
        if (meaning.max_lag) {
            if (shutdown_sessions) endpoint.cut_lagging_when_idle = true;
            merge_lag(*meaning.max_lag, line, target.check->text);
        } else {
            notes.push_back({line, "'" + target.check->text +
                                       "' has no ?lag=: Patroni passed a replica whatever its "
                                       "lag; pgroute reads only replicas within patroni.max_lag "
                                       "(1MB unless set)"});
        }
        return endpoint;
    }

    // pgroute has one lag bound: the tightest, so no read goes where HAProxy would not send it.
    void merge_lag(std::uint64_t bytes, std::size_t line, const std::string& origin) {
        if (out_.max_lag && out_.max_lag->value != bytes) {
            const bool tighter = bytes < out_.max_lag->value;
            const auto& looser = tighter ? out_.max_lag->origin : origin;
            out_.notes.push_back({tighter ? out_.max_lag->line : line,
                                  "'" + looser +
                                      "': its ?lag= is not carried: pgroute has one "
                                      "patroni.max_lag for every read endpoint, the "
                                      "tightest"});
            if (!tighter) return;
        }
        out_.max_lag = carried<std::uint64_t>{bytes, line, origin};
    }

    std::vector<read_proxy_section> proxies_;
    std::vector<std::pair<std::size_t, std::string>> skipped_;
    std::set<std::pair<std::string, std::uint16_t>> listens_;
    std::set<std::string> endpoint_names_;
    migration out_;
};

}  // namespace

std::variant<migration, migrate_error> translate(const haproxy_config& config) {
    return translator().run(config);
}

}  // namespace pgroute::proxy::migrate
