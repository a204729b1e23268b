#include "ledger/json_text.hpp"

#include <charconv>
#include <cmath>

#include "util/json.hpp"

namespace otari::ledger {

JsonObjectText::JsonObjectText() {
    m_text.reserve(512);
    m_text.push_back('{');
}

void JsonObjectText::key(std::string_view name) {
    if (!m_first) m_text.push_back(',');
    m_first = false;
    // Names are the code's own field names, which need no escaping: copied as they are. A
    // record has some fifty, and the general string writer was a third of its cost.
    if (is_plain_json_text(name)) {
        m_text.push_back('"');
        m_text.append(name);
        m_text.append("\":", 2);
    } else {
        append_json_string(m_text, name);
        m_text.push_back(':');
    }
}

JsonObjectText& JsonObjectText::add(std::string_view name, std::string_view value) {
    key(name);
    append_json_string(m_text, value);
    return *this;
}

JsonObjectText& JsonObjectText::add(std::string_view name, int64_t value) {
    key(name);
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    m_text.append(buf, size_t(end - buf));
    return *this;
}

JsonObjectText& JsonObjectText::add(std::string_view name, double value) {
    key(name);
    if (!std::isfinite(value)) {
        m_text += "null";  // as nlohmann writes NaN and infinities
        return *this;
    }
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    std::string_view digits(buf, ec == std::errc() ? size_t(end - buf) : 0);
    m_text += digits;
    // Shortest round-trip digits, as nlohmann writes them; a whole number keeps its ".0" so it
    // reads back as a floating-point value.
    if (digits.find_first_of(".e") == std::string_view::npos) m_text += ".0";
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
