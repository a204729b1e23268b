#include "http/message.hpp"

#include <algorithm>
#include <cctype>

namespace otari::http {

bool iequals(std::string_view a, std::string_view b) {
    // Header names are ASCII tokens: ASCII case folding, whatever the process locale.
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

void Headers::set(std::string name, std::string value) {
    remove(name);
    add(std::move(name), std::move(value));
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
    for (const auto& [k, v] : m_items) {
        if (iequals(k, name)) return std::string_view(v);
    }
    return std::nullopt;
}

std::vector<std::string_view> Headers::get_all(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& [k, v] : m_items) {
        if (iequals(k, name)) out.emplace_back(v);
    }
    return out;
}

void Headers::remove(std::string_view name) {
    m_items.erase(std::remove_if(m_items.begin(), m_items.end(),
                                 [&](const auto& item) { return iequals(item.first, name); }),
                  m_items.end());
}

}  // namespace otari::http
