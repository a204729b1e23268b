#include "providers/refusal_memory.hpp"

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

void Lessons::apply(json& request) const {
    if (!request.is_object()) return;
    for (const auto& [name, replacement] : parameters) {
        auto it = request.find(name);
        if (it == request.end()) continue;
        if (!replacement.empty() && !request.contains(replacement)) {
            json value = std::move(*it);
            request.erase(name);
            request[replacement] = std::move(value);
        } else {
            request.erase(name);
        }
    }
    if (output_cap) {
        for (const char* name : {"max_completion_tokens", "max_tokens"}) {
            auto it = request.find(name);
            if (it != request.end() && it->is_number_integer() && it->get<int64_t>() > *output_cap)
                *it = *output_cap;
        }
    }
}

RefusalMemory& RefusalMemory::shared() {
    static RefusalMemory memory;
    return memory;
}

std::optional<Lessons> RefusalMemory::find(std::string_view provider,
                                           std::string_view model) const {
    std::shared_lock lock(m_mutex);
    if (m_lessons.empty()) return std::nullopt;
    auto it = m_lessons.find(key_of(provider, model));
    if (it == m_lessons.end()) return std::nullopt;
    return it->second;
}

void RefusalMemory::learn_output_cap(std::string_view provider, std::string_view model,
                                     int64_t cap) {
    std::unique_lock lock(m_mutex);
    auto& cap_now = m_lessons[key_of(provider, model)].output_cap;
    cap_now = cap_now ? std::min(*cap_now, cap) : cap;
}

void RefusalMemory::learn_parameter(std::string_view provider, std::string_view model,
                                    std::string name, std::string replacement) {
    std::unique_lock lock(m_mutex);
    auto& parameters = m_lessons[key_of(provider, model)].parameters;
    for (const auto& [known, _] : parameters) {
        if (known == name) return;
    }
    parameters.emplace_back(std::move(name), std::move(replacement));
}

}  // namespace otari::providers
