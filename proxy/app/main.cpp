// pgroute's entry point: parse the command line, load the config, run or check.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "pgroute_revision.h"
#include "proxy/app/app.h"
#include "proxy/app/cli.h"
#include "proxy/app/drain_command.h"
#include "proxy/app/generation_setup.h"
#include "proxy/app/migrate_command.h"
#include "proxy/app/status_command.h"
#include "proxy/config/config_loader.h"

namespace {

void print_problems(const std::string& path,
                    const std::vector<pgroute::proxy::config_problem>& problems) {
    for (const auto& p : problems) {
        std::cerr << path << ": " << (p.key.empty() ? "" : p.key + ": ") << p.message << "\n";
    }
}

// What an upgrade starts again: the binary's path as it is now (a package that replaces the
// file later leaves the new binary under it) and the same arguments.
pgroute::proxy::process_image this_process(int argc, char** argv,
                                           const pgroute::proxy::cli_options& options) {
    std::error_code unknown;
    const auto executable = std::filesystem::read_symlink("/proc/self/exe", unknown);
    return {unknown ? std::string(argv[0]) : executable.string(),
            std::vector<std::string>(argv, argv + argc), options.config_path};
}

int run_command(int argc, char** argv) {
    using namespace pgroute::proxy;
    const auto parsed = parse_cli(argc, argv);
    if (const auto* error = std::get_if<cli_error>(&parsed)) {
        std::cerr << "pgroute: " << error->message << "\n\n" << usage_text();
        return 2;
    }
    const auto& options = std::get<cli_options>(parsed);
    switch (options.cmd) {
        case command::help:
            std::cout << usage_text();
            return 0;
        case command::version:
            std::cout << "pgroute " << PGROUTE_VERSION << " (git " << PGROUTE_GIT_REVISION << ")\n";
            return 0;
        case command::status:
            return print_status(options);
        case command::drain:
        case command::undrain:
            return run_drain_command(options);
        case command::migrate_haproxy:
            return print_migration(options.haproxy_cfg_path, std::cout, std::cerr);
        case command::check:
        case command::run:
            break;
    }
    const auto loaded = load_config_file(options.config_path);
    if (!loaded.ok()) {
        print_problems(options.config_path, loaded.problems);
        std::cerr << options.config_path << ": " << loaded.problems.size() << " problem(s) found\n";
        return 1;
    }
    if (options.cmd == command::check) {
        try {
            // The files must load, not just be named.
            (void)make_generation(std::make_shared<const config>(loaded.cfg), nullptr);
        } catch (const std::exception& e) {
            std::cerr << options.config_path << ": " << e.what() << "\n";
            return 1;
        }
        std::cout << options.config_path << ": configuration is valid\n";
        return 0;
    }
    const logger log(loaded.cfg.level);
    return run_proxy(std::make_shared<const config>(loaded.cfg), this_process(argc, argv, options),
                     log);
}

}  // namespace

int main(int argc, char** argv) {
    // What escapes is a bug or an exhausted resource: say so in one line instead of aborting.
    try {
        return run_command(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "pgroute: " << e.what() << "\n";
        return 1;
    }
}
