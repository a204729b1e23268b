#include "cli/app.hpp"

#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "otari_version.h"

namespace otari::cli {

void print_error(const std::string& message) { std::cerr << "otari: error: " << message << "\n"; }

std::optional<config::Config> load_config(const GlobalOptions& global) {
    try {
        return config::load(config::locate(global.config_path));
    } catch (const config::ConfigError& e) {
        print_error(e.what());
        return std::nullopt;
    }
}

int run(int argc, char** argv) {
    CLI::App app{"otari: a local LLM gateway for Claude Code and other clients", "otari"};
    app.set_version_flag("-V,--version", "otari " OTARI_VERSION);
    app.require_subcommand(1);
    app.fallthrough();
    GlobalOptions global;
    std::string config_path;
    app.add_option("-c,--config", config_path, "Config file (default: $OTARI_CONFIG, then ~/.config/otari/config.toml)")
        ->type_name("PATH");

    std::map<CLI::App*, Runner> runners;
    auto register_runner = [&](Runner runner) { runners[app.get_subcommands({}).back()] = std::move(runner); };
    register_runner(add_up(app, global));
    register_runner(add_keys(app, global));
    register_runner(add_claude_setup(app, global));
    register_runner(add_completion(app, global));
    register_runner(add_completion_values(app, global));
    register_runner(add_models(app, global));
    register_runner(add_usage(app, global));
    register_runner(add_status(app, global));
    register_runner(add_down(app, global));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : k_exit_usage;
    }
    if (!config_path.empty()) global.config_path = config_path;
    for (auto& [sub, runner] : runners) {
        if (sub->parsed()) return runner();
    }
    return k_exit_usage;
}

}  // namespace otari::cli
