#include "setup/claude_models.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace otari::setup {
namespace {

bool provider_usable(const config::Provider& p) { return !p.needs_key || !p.api_key.empty(); }

std::string lowercase(std::string text) {
    for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// The first servable model whose lowercase name contains one of `words`.
std::optional<std::string> mentioning(const std::vector<std::string>& models,
                                      std::initializer_list<const char*> words) {
    for (const char* word : words) {
        for (const auto& m : models) {
            if (lowercase(m).find(word) != std::string::npos) return m;
        }
    }
    return std::nullopt;
}

}  // namespace

bool anthropic_usable(const config::Config& config) {
    auto it = config.providers.find("anthropic");
    return it != config.providers.end() && it->second.type == config::ProviderType::anthropic &&
           provider_usable(it->second);
}

std::vector<std::string> servable_models(const config::Config& config) {
    std::set<std::string> seen;
    std::vector<std::string> out;
    auto add = [&](const std::string& m) {
        if (seen.insert(m).second) out.push_back(m);
    };
    for (const auto& [alias, target] : config.aliases) {
        std::string provider = target.substr(0, target.find_first_of(":/"));
        auto it = config.providers.find(provider);
        if (it != config.providers.end() && provider_usable(it->second)) add(alias);
    }
    for (const auto& [name, provider] : config.providers) {
        if (!provider_usable(provider)) continue;
        for (const auto& model : provider.models) add(name + ":" + model);
    }
    return out;
}

ModelPlan plan_models(const config::Config& config, const ModelRequest& request) {
    ModelPlan plan;
    plan.main = request.main;
    // In hybrid mode the platform resolves every model name, Claude's included.
    const bool hybrid = config.mode == config::Mode::hybrid;
    const bool claude = hybrid || anthropic_usable(config);
    const auto servable = servable_models(config);
    auto pick = [&](const std::optional<std::string>& flag, const char* claude_id,
                    std::initializer_list<const char*> words) -> std::string {
        if (flag) return *flag;
        if (claude) return claude_id;
        if (auto m = mentioning(servable, words)) return *m;
        if (request.main) return *request.main;
        if (!servable.empty()) return servable.front();
        throw NoServableModel(
            "no model to give Claude Code: the anthropic provider is not usable (set "
            "ANTHROPIC_API_KEY) and the config (" +
            config.source +
            ") declares no models or aliases. Pass --model PROVIDER:MODEL (used for every "
            "tier), or --opus, --sonnet and --haiku");
    };
    plan.opus = pick(request.opus, k_claude_opus, {"opus", "large", "big"});
    plan.sonnet = pick(request.sonnet, k_claude_sonnet, {"sonnet", "medium", "default"});
    plan.haiku = pick(request.haiku, k_claude_haiku, {"haiku", "small", "mini", "fast"});
    if (hybrid) {
        plan.source = "Claude's defaults (in hybrid mode the platform resolves each model)";
    } else if (claude) {
        plan.source = "the anthropic provider (its key is set)";
    } else if (!servable.empty()) {
        plan.source = "the models and aliases in " + config.source;
    } else {
        plan.source = "the command line";
    }
    return plan;
}

}  // namespace otari::setup
