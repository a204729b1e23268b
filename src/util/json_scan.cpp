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

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t skip_ws(std::string_view s, size_t pos) {
    while (pos < s.size() && is_ws(s[pos])) ++pos;
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

// Where the top-level member `key` is: its key's opening quote, and its value's [begin, end).
struct MemberSpan {
    size_t key_begin, value_begin, value_end;
};

std::optional<MemberSpan> top_level_member(std::string_view s, std::string_view key) {
    size_t pos = skip_ws(s, 0);
    if (pos >= s.size() || s[pos] != '{') return std::nullopt;
    pos = skip_ws(s, pos + 1);
    while (pos < s.size() && s[pos] == '"') {
        const size_t key_begin = pos;
        size_t key_end = skip_string(s, pos);
        if (key_end == std::string_view::npos) return std::nullopt;
        // Keys with escapes never equal the plain keys we look for; compare the raw bytes.
        bool match = s.substr(pos + 1, key_end - pos - 2) == key;
        pos = skip_ws(s, key_end);
        if (pos >= s.size() || s[pos] != ':') return std::nullopt;
        pos = skip_ws(s, pos + 1);
        size_t value_end = skip_value(s, pos);
        if (value_end == std::string_view::npos) return std::nullopt;
        if (match) return MemberSpan{key_begin, pos, value_end};
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
    auto member = top_level_member(s, key);
    if (!member || s[member->value_begin] != '"') return std::nullopt;
    return spliced(s, {member->value_begin, member->value_end}, json_quote(new_value));
}

std::optional<std::string> erase_top_level_member(std::string_view s, std::string_view key) {
    auto member = top_level_member(s, key);
    if (!member) return std::nullopt;
    // With the comma after it, or, for the last member, the comma before it.
    size_t begin = member->key_begin;
    size_t end = skip_ws(s, member->value_end);
    if (end < s.size() && s[end] == ',') {
        end = skip_ws(s, end + 1);
    } else {
        end = member->value_end;
        size_t before = begin;
        while (before > 0 && is_ws(s[before - 1])) --before;
        if (before > 0 && s[before - 1] == ',') begin = before - 1;
    }
    return spliced(s, {begin, end}, "");
}

std::optional<std::string> rename_top_level_member(std::string_view s, std::string_view key,
                                                   std::string_view new_key) {
    auto member = top_level_member(s, key);
    if (!member || top_level_member(s, new_key)) return std::nullopt;
    return spliced(s, {member->key_begin, member->key_begin + key.size() + 2}, json_quote(new_key));
}

std::optional<std::string> replace_top_level_integer(std::string_view s, std::string_view key,
                                                     int64_t new_value) {
    auto member = top_level_member(s, key);
    if (!member) return std::nullopt;
    const char first = s[member->value_begin];
    if (first != '-' && (first < '0' || first > '9')) return std::nullopt;
    return spliced(s, {member->value_begin, member->value_end}, std::to_string(new_value));
}

}  // namespace otari::util
