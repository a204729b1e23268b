#pragma once
// The dynamic values shell completion offers, printed by `otari __complete KIND`.
#include <string>
#include <vector>

#include "config/config.hpp"

namespace otari::cli {

// Model strings: aliases, then "provider:model" for each configured provider's declared
// models. Sorted by source, no duplicates. (The hook for catalog models.)
std::vector<std::string> completion_models(const config::Config& config);

// Names of the configured (usable) providers.
std::vector<std::string> completion_providers(const config::Config& config);

// Names of the otari keys in the config's data_dir; empty when the key file is unreadable.
std::vector<std::string> completion_keys(const config::Config& config);

}  // namespace otari::cli
