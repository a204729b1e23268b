#pragma once
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace otari::config {

struct BuiltinProvider {
    std::string_view name;
    ProviderType type;
    std::string_view base_url;
    std::string_view key_env;  // empty for local servers, which need no key
};

// The well-known providers usable without a [providers] entry.
const std::vector<BuiltinProvider>& builtin_providers();
const BuiltinProvider* find_builtin(std::string_view name);

}  // namespace otari::config
