#include "gateway/router.hpp"

#include "api/error.hpp"

namespace otari::gateway {

std::string configured_provider_list(const config::Config& config) {
    std::string out;
    for (const auto& [name, provider] : config.providers) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out.empty() ? "none" : out;
}

namespace {

std::string alias_list(const config::Config& config) {
    std::string out;
    for (const auto& [name, target] : config.aliases) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

[[noreturn]] void unknown_model(const config::Config& config, std::string_view model, const std::string& why) {
    std::string message = why + " Configured providers: " + configured_provider_list(config) + ".";
    if (!config.aliases.empty()) message += " Aliases: " + alias_list(config) + ".";
    message += " Use \"provider:model\", e.g. \"openai:gpt-4o\".";
    (void)model;
    throw api::not_found(message);
}

}  // namespace

Route resolve_model(const config::Config& config, std::string_view model) {
    Route route;
    route.requested = std::string(model);
    if (model.empty()) throw api::invalid_request("model: must be a non-empty string such as \"openai:gpt-4o\"");
    if (model.size() > 512) throw api::invalid_request("model: longer than 512 characters");

    std::string target(model);
    if (auto it = config.aliases.find(target); it != config.aliases.end()) {
        route.alias = target;
        target = it->second;
    }
    size_t delim = target.find_first_of(":/");
    if (delim == std::string::npos) {
        if (target.rfind("claude-", 0) == 0 && config.providers.count("anthropic")) {
            route.provider = &config.providers.at("anthropic");
            route.upstream_model = target;
            return route;
        }
        unknown_model(config, model, "Unknown model \"" + std::string(model) + "\": no provider prefix and no alias of that name.");
    }
    std::string provider = target.substr(0, delim);
    std::string upstream = target.substr(delim + 1);
    if (provider.empty() || upstream.empty()) {
        throw api::invalid_request("model: \"" + std::string(model) + "\" is not \"provider:model\"");
    }
    auto it = config.providers.find(provider);
    if (it == config.providers.end()) {
        unknown_model(config, model, "Unknown provider \"" + provider + "\" in model \"" + std::string(model) + "\".");
    }
    route.provider = &it->second;
    route.upstream_model = std::move(upstream);
    return route;
}

}  // namespace otari::gateway
