#pragma once
// Which models `otari claude-setup` puts in ANTHROPIC_MODEL and the three
// ANTHROPIC_DEFAULT_{OPUS,SONNET,HAIKU}_MODEL tiers. Pure: reads the config only.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace otari::setup {

// The Claude model ids otari sends to a usable anthropic provider, named the way Claude Code
// names them (bare ids route to the anthropic provider, see gateway/router.hpp).
inline constexpr const char* k_claude_opus = "claude-opus-4-8";
inline constexpr const char* k_claude_sonnet = "claude-sonnet-4-6";
inline constexpr const char* k_claude_haiku = "claude-haiku-4-5";

// What the user asked for on the command line; unset means "pick a default".
struct ModelRequest {
    std::optional<std::string> main, opus, sonnet, haiku;
};

struct ModelPlan {
    std::optional<std::string> main;  // ANTHROPIC_MODEL, only when asked for
    std::string opus, sonnet, haiku;
    std::string source;  // where the defaults came from, for the summary
};

// No model this configuration serves and none given on the command line.
struct NoServableModel : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The anthropic provider is configured and has its key (or needs none).
bool anthropic_usable(const config::Config& config);

// Model strings this configuration serves without guessing: aliases whose provider is
// configured, then "provider:model" for every declared model. Sorted, no duplicates.
std::vector<std::string> servable_models(const config::Config& config);

// Each tier: its flag; else the Claude id when anthropic is usable; else a servable model
// whose name mentions the tier ("opus"/"large", "sonnet"/"medium", "haiku"/"small"/"mini");
// else --model; else the first servable model. Throws NoServableModel when a tier is left
// without one.
ModelPlan plan_models(const config::Config& config, const ModelRequest& request);

}  // namespace otari::setup
