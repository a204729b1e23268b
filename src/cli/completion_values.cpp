// otari __complete models|providers|keys   (hidden; used by the completion scripts)
//   Print one value per line. Never fails loudly: a broken config prints nothing.
#include "cli/completion_values.hpp"

#include <iostream>
#include <set>

#include "auth/keystore.hpp"
#include "cli/commands.hpp"

namespace otari::cli {

std::vector<std::string> completion_models(const config::Config& config) {
    std::set<std::string> seen;
    std::vector<std::string> out;
    auto add = [&](const std::string& m) {
        if (seen.insert(m).second) out.push_back(m);
    };
    for (const auto& [alias, target] : config.aliases) add(alias);
    for (const auto& [name, provider] : config.providers) {
        for (const auto& model : provider.models) add(name + ":" + model);
    }
    return out;
}

std::vector<std::string> completion_providers(const config::Config& config) {
    std::vector<std::string> out;
    for (const auto& [name, provider] : config.providers) out.push_back(name);
    return out;
}

std::vector<std::string> completion_keys(const config::Config& config) {
    std::vector<std::string> out;
    try {
        for (const auto& key : auth::KeyFile(config.data_dir).load()) out.push_back(key.name);
    } catch (const std::exception&) {
    }
    return out;
}

Runner add_completion_values(CLI::App& app, GlobalOptions& global) {
    auto* cmd = app.add_subcommand("__complete", "Print completion values (for the shell scripts)");
    cmd->group("");  // hidden from help and from completion
    auto kind = std::make_shared<std::string>();
    cmd->add_option("kind", *kind, "What to list")
        ->required()
        ->check(CLI::IsMember({"models", "providers", "keys"}));
    return [&global, kind]() {
        config::Config config;
        try {
            config = config::load(config::locate(global.config_path));
        } catch (const std::exception&) {
            return k_exit_config;
        }
        std::vector<std::string> values;
        if (*kind == "models") values = completion_models(config);
        if (*kind == "providers") values = completion_providers(config);
        if (*kind == "keys") values = completion_keys(config);
        for (const auto& v : values) std::cout << v << "\n";
        std::cout.flush();
        return k_exit_ok;
    };
}

}  // namespace otari::cli
