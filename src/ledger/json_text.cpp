#include "ledger/json_text.hpp"

#include "util/json.hpp"

namespace otari::ledger {

std::string json_quote(std::string_view text) { return dump_json(json(std::string(text))); }

JsonObjectText::JsonObjectText() {
    m_text.reserve(512);
    m_text.push_back('{');
}

void JsonObjectText::key(std::string_view name) {
    if (!m_first) m_text.push_back(',');
    m_first = false;
    m_text += json_quote(name);
    m_text.push_back(':');
}

JsonObjectText& JsonObjectText::add(std::string_view name, std::string_view value) {
    key(name);
    m_text += json_quote(value);
    return *this;
}

JsonObjectText& JsonObjectText::add(std::string_view name, int64_t value) {
    key(name);
    m_text += std::to_string(value);
    return *this;
}

JsonObjectText& JsonObjectText::add(std::string_view name, bool value) {
    key(name);
    m_text += value ? "true" : "false";
    return *this;
}

JsonObjectText& JsonObjectText::add(std::string_view name,
                                    const std::optional<std::string>& value) {
    return value ? add(name, std::string_view(*value)) : add_null(name);
}

JsonObjectText& JsonObjectText::add(std::string_view name, const std::optional<int64_t>& value) {
    return value ? add(name, *value) : add_null(name);
}

JsonObjectText& JsonObjectText::add_null(std::string_view name) {
    key(name);
    m_text += "null";
    return *this;
}

JsonObjectText& JsonObjectText::add_raw(std::string_view name, std::string_view json_text) {
    key(name);
    m_text += json_text;
    return *this;
}

std::string JsonObjectText::finish() {
    m_text.push_back('}');
    return std::move(m_text);
}

}  // namespace otari::ledger
