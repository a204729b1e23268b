#pragma once
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace otari::gateway {

// Where a model string goes.
struct Route {
    const config::Provider* provider = nullptr;
    std::string upstream_model;  // the provider's own id
    std::string requested;       // the model string as the client sent it
    std::string alias;           // the alias that matched, if any
};

// Resolve a model string: an alias first, then "provider:model" or "provider/model" (whichever
// delimiter comes first), then a bare "claude-*" name to the anthropic provider. Throws
// api::ApiError: 400 for an empty or malformed string, 404 for an unknown provider, naming what
// is configured.
Route resolve_model(const config::Config& config, std::string_view model);

// "anthropic, openai, ollama" — the usable providers, for messages.
std::string configured_provider_list(const config::Config& config);

}  // namespace otari::gateway
