#include "util/json_scan.hpp"

#include "util/json.hpp"

namespace otari::util {
namespace {

// Index just past the string literal starting at `pos` (which holds '"').
size_t skip_string(std::string_view s, size_t pos) {
    ++pos;
    while (pos < s.size()) {
        char c = s[pos];
        if (c == '\\') {
            pos += 2;
        } else if (c == '"') {
            return pos + 1;
        } else {
            ++pos;
        }
    }
    return std::string_view::npos;
}

size_t skip_ws(std::string_view s, size_t pos) {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r'))
        ++pos;
    return pos;
}

// Index just past the value starting at `pos`.
size_t skip_value(std::string_view s, size_t pos) {
    if (pos >= s.size()) return std::string_view::npos;
    char c = s[pos];
    if (c == '"') return skip_string(s, pos);
    if (c == '{' || c == '[') {
        int depth = 0;
        while (pos < s.size()) {
            char d = s[pos];
            if (d == '"') {
                pos = skip_string(s, pos);
                if (pos == std::string_view::npos) return pos;
                continue;
            }
            if (d == '{' || d == '[') ++depth;
            if (d == '}' || d == ']') {
                if (--depth == 0) return pos + 1;
            }
            ++pos;
        }
        return std::string_view::npos;
    }
    while (pos < s.size() && s[pos] != ',' && s[pos] != '}' && s[pos] != ']' && s[pos] != ' ' &&
           s[pos] != '\n' && s[pos] != '\r' && s[pos] != '\t') {
        ++pos;
    }
    return pos;
}

}  // namespace

namespace {

// The [begin, end) of the value of the top-level member `key`, or nullopt.
std::optional<std::pair<size_t, size_t>> top_level_value(std::string_view s, std::string_view key) {
    size_t pos = skip_ws(s, 0);
    if (pos >= s.size() || s[pos] != '{') return std::nullopt;
    pos = skip_ws(s, pos + 1);
    while (pos < s.size() && s[pos] == '"') {
        size_t key_end = skip_string(s, pos);
        if (key_end == std::string_view::npos) return std::nullopt;
        // Keys with escapes never equal the plain keys we look for; compare the raw bytes.
        bool match = s.substr(pos + 1, key_end - pos - 2) == key;
        pos = skip_ws(s, key_end);
        if (pos >= s.size() || s[pos] != ':') return std::nullopt;
        pos = skip_ws(s, pos + 1);
        size_t value_end = skip_value(s, pos);
        if (value_end == std::string_view::npos) return std::nullopt;
        if (match) return std::pair{pos, value_end};
        pos = skip_ws(s, value_end);
        if (pos < s.size() && s[pos] == ',') pos = skip_ws(s, pos + 1);
    }
    return std::nullopt;
}

std::string spliced(std::string_view s, std::pair<size_t, size_t> span, std::string_view with) {
    std::string out;
    out.reserve(s.size() + with.size());
    out.append(s.substr(0, span.first));
    out.append(with);
    out.append(s.substr(span.second));
    return out;
}

}  // namespace

std::optional<std::string> replace_top_level_string(std::string_view s, std::string_view key,
                                                    std::string_view new_value) {
    auto span = top_level_value(s, key);
    if (!span || s[span->first] != '"') return std::nullopt;
    return spliced(s, *span, json_quote(new_value));
}

std::optional<std::string> replace_top_level_integer(std::string_view s, std::string_view key,
                                                     int64_t new_value) {
    auto span = top_level_value(s, key);
    if (!span) return std::nullopt;
    const char first = s[span->first];
    if (first != '-' && (first < '0' || first > '9')) return std::nullopt;
    return spliced(s, *span, std::to_string(new_value));
}

}  // namespace otari::util
