#include "providers/output_caps.hpp"

#include <algorithm>
#include <mutex>

namespace otari::providers {
namespace {

std::string key_of(std::string_view provider, std::string_view model) {
    std::string key;
    key.reserve(provider.size() + 1 + model.size());
    key.append(provider).append(1, '\n').append(model);
    return key;
}

}  // namespace

OutputCaps& OutputCaps::shared() {
    static OutputCaps caps;
    return caps;
}

std::optional<int64_t> OutputCaps::find(std::string_view provider, std::string_view model) const {
    std::shared_lock lock(m_mutex);
    if (m_caps.empty()) return std::nullopt;
    auto it = m_caps.find(key_of(provider, model));
    if (it == m_caps.end()) return std::nullopt;
    return it->second;
}

void OutputCaps::learn(std::string_view provider, std::string_view model, int64_t cap) {
    std::unique_lock lock(m_mutex);
    auto [it, added] = m_caps.emplace(key_of(provider, model), cap);
    if (!added) it->second = std::min(it->second, cap);
}

}  // namespace otari::providers
