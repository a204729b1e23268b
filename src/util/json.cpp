// A faster parser and serializer for the common case, with nlohmann/json as the reference:
// whatever the fast path does not handle exactly like nlohmann (invalid JSON, a byte-order
// mark, deep nesting, numbers out of range, invalid UTF-8 on output) is handed to nlohmann
// whole, so results and errors are nlohmann's. Request bodies are parsed and written once
// per call, and nlohmann's per-byte lexer and escaper dominated large bodies.
#include "util/json.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <span>
#include <utility>
#include <vector>

#include "util/json_cursor.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace otari {
namespace {

// Deeper documents go to nlohmann, whose parser keeps an explicit stack.
constexpr int k_max_depth = 200;

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Length of the well-formed UTF-8 sequence at `p` (RFC 3629, as nlohmann's lexer accepts
// it), or 0.
size_t utf8_sequence(const unsigned char* p, const unsigned char* end) {
    auto cont = [&](size_t i, unsigned char lo, unsigned char hi) {
        return p + i < end && p[i] >= lo && p[i] <= hi;
    };
    unsigned char c = p[0];
    if (c >= 0xC2 && c <= 0xDF) return cont(1, 0x80, 0xBF) ? 2 : 0;
    if (c == 0xE0) return cont(1, 0xA0, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
        return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xF0) return cont(1, 0x90, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3)
        return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    return 0;
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(char(cp));
    } else if (cp < 0x800) {
        out.push_back(char(0xC0 | (cp >> 6)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(char(0xE0 | (cp >> 12)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(char(0xF0 | (cp >> 18)));
        out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    }
}

// True when one of the 8 bytes in `word` is '"', '\\', a control character or non-ASCII: the
// bytes a string scan must stop at (it may also flag a neighbour of a non-ASCII byte).
bool word_needs_attention(uint64_t word) {
    constexpr uint64_t ones = 0x0101010101010101ULL;
    constexpr uint64_t high = 0x8080808080808080ULL;
    auto has_zero = [](uint64_t v) { return (v - ones) & ~v & high; };
    uint64_t control = (word - ones * 0x20) & ~word & high;
    return (control | has_zero(word ^ (ones * '"')) | has_zero(word ^ (ones * '\\')) |
            (word & high)) != 0;
}

bool byte_needs_attention(unsigned char c) {
    return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
}

// The first byte in [p, end) that is '"', '\\', a control character or non-ASCII, or end.
const char* plain_run_end(const char* p, const char* end) {
#if defined(__SSE2__)
    // 16 bytes at a time; strings in request bodies are long (prompts, schemas, file contents).
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i last_control = _mm_set1_epi8(0x1f);
    // One bit per byte of the 16 at `at` that a string scan must stop at.
    auto stops = [&](const char* at) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
        const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(v, last_control), last_control);
        const __m128i special = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), control);
        // movemask of `v` itself flags the non-ASCII bytes (high bit set).
        return static_cast<unsigned>(_mm_movemask_epi8(special) | _mm_movemask_epi8(v));
    };
    if (end - p >= 16) {
        for (; end - p >= 16; p += 16) {
            if (const unsigned mask = stops(p)) return p + __builtin_ctz(mask);
        }
        if (p == end) return end;
        // The tail: the last 16 bytes of the range, less those already scanned.
        const unsigned scanned = unsigned(16 - (end - p));
        const unsigned mask = stops(end - 16) >> scanned;
        return mask != 0 ? p + __builtin_ctz(mask) : end;
    }
#endif
    while (end - p >= 8) {
        uint64_t word;
        std::memcpy(&word, p, sizeof word);
        if (word_needs_attention(word)) break;
        p += 8;
    }
    while (p < end && !byte_needs_attention(static_cast<unsigned char>(*p))) ++p;
    return p;
}

// Recursive descent over RFC 8259. Every method returns false on anything it does not
// accept; the caller then asks nlohmann, so false never means "invalid" by itself.
class FastParser {
  public:
    FastParser(const char* begin, const char* end, std::span<const std::string_view> keep = {})
        : m_p(begin), m_end(end), m_keep(keep), m_members(t_members), m_scratch(t_scratch) {
        m_members.clear();
    }
    ~FastParser() {
        // Keep what a typical document needs, not what the largest one took.
        if (m_members.capacity() > 1024)
            std::vector<std::pair<std::string, json>>().swap(m_members);
        if (m_scratch.capacity() > 64 * 1024) std::string().swap(m_scratch);
    }
    FastParser(const FastParser&) = delete;
    FastParser& operator=(const FastParser&) = delete;

    // For JsonCursor: one value at the current position, validated and passed over.
    bool skip_value() { return skip(0); }
    // For JsonCursor: the string literal at the current position (at its '"'), decoded.
    bool string_value(std::string& out) {
        if (m_p == m_end || *m_p != '"') return false;
        return string(out);
    }
    const char* position() const { return m_p; }

    bool document(json& out) {
        skip_ws();
        m_filter_top = !m_keep.empty() && m_p < m_end && *m_p == '{';
        if (!value(out, 0)) return false;
        skip_ws();
        return m_p == m_end;
    }

  private:
    void skip_ws() {
        while (m_p < m_end && is_ws(*m_p)) ++m_p;
    }

    bool literal(const char* word, size_t len) {
        if (size_t(m_end - m_p) < len || std::memcmp(m_p, word, len) != 0) return false;
        m_p += len;
        return true;
    }

    // `"key"` and the colon after it, with the whitespace around.
    bool member_key(std::string& key) {
        if (m_p == m_end || *m_p != '"') return false;
        if (!string(key)) return false;
        skip_ws();
        if (m_p == m_end || *m_p != ':') return false;
        ++m_p;
        skip_ws();
        return true;
    }

    enum class Next { element, closed, invalid };
    // After an element of an object or array: a comma (another element follows) or `close`.
    Next after_element(char close) {
        skip_ws();
        if (m_p == m_end) return Next::invalid;
        if (*m_p == ',') {
            ++m_p;
            skip_ws();
            return Next::element;
        }
        if (*m_p != close) return Next::invalid;
        ++m_p;
        return Next::closed;
    }

    bool value(json& out, int depth) {
        if (m_p == m_end) return false;
        switch (*m_p) {
            case '{':
                return object(out, depth + 1);
            case '[':
                return array(out, depth + 1);
            case '"': {
                out = json::value_t::string;
                return string(out.get_ref<json::string_t&>());
            }
            case 't':
                if (!literal("true", 4)) return false;
                out = true;
                return true;
            case 'f':
                if (!literal("false", 5)) return false;
                out = false;
                return true;
            case 'n':
                if (!literal("null", 4)) return false;
                out = nullptr;
                return true;
            default:
                return number(out);
        }
    }

    bool object(json& out, int depth) {
        if (depth > k_max_depth) return false;
        ++m_p;  // '{'
        out = json::value_t::object;
        skip_ws();
        if (m_p < m_end && *m_p == '}') {
            ++m_p;
            return true;
        }
        // Members collect on a stack shared by all levels and move into the object once its
        // size is known: growing the object itself would copy every (const) key each time.
        const size_t base = m_members.size();
        // Only the document's own members are filtered; nested objects are kept whole.
        const bool filter = m_filter_top;
        m_filter_top = false;
        for (Next next = Next::element; next == Next::element;) {
            // Parsed into locals: a nested object may grow (move) the stack meanwhile.
            std::string key;
            if (!member_key(key)) return false;
            if (filter && std::find(m_keep.begin(), m_keep.end(), key) == m_keep.end()) {
                if (!skip(depth)) return false;
            } else {
                json member;
                if (!value(member, depth)) return false;
                m_members.emplace_back(std::move(key), std::move(member));
            }
            next = after_element('}');
            if (next == Next::invalid) return false;
        }
        auto& members = out.get_ref<json::object_t&>();
        members.reserve(m_members.size() - base);
        for (size_t i = base; i < m_members.size(); ++i) {
            auto& [key, member] = m_members[i];
            // As nlohmann's DOM parser: a repeated key keeps its first position and takes the
            // last value.
            bool repeated = false;
            for (auto& existing : members) {
                if (existing.first == key) {
                    existing.second = std::move(member);
                    repeated = true;
                    break;
                }
            }
            if (!repeated) members.emplace_back(std::move(key), std::move(member));
        }
        m_members.resize(base);
        return true;
    }

    // Validates a value as value() would, keeping nothing.
    bool skip(int depth) {
        if (m_p == m_end) return false;
        switch (*m_p) {
            case '"':
                m_scratch.clear();
                return string(m_scratch);
            case '{':
            case '[': {
                if (depth + 1 > k_max_depth) return false;
                const char close = *m_p == '{' ? '}' : ']';
                const bool is_object = close == '}';
                ++m_p;
                skip_ws();
                if (m_p < m_end && *m_p == close) {
                    ++m_p;
                    return true;
                }
                for (Next next = Next::element; next == Next::element;) {
                    if (is_object) {
                        m_scratch.clear();
                        if (!member_key(m_scratch)) return false;
                    }
                    if (!skip(depth + 1)) return false;
                    next = after_element(close);
                    if (next == Next::invalid) return false;
                }
                return true;
            }
            default: {
                json scalar;  // literals and numbers never allocate
                return value(scalar, depth);
            }
        }
    }

    bool array(json& out, int depth) {
        if (depth > k_max_depth) return false;
        ++m_p;  // '['
        out = json::value_t::array;
        auto& items = out.get_ref<json::array_t&>();
        skip_ws();
        if (m_p < m_end && *m_p == ']') {
            ++m_p;
            return true;
        }
        for (Next next = Next::element; next == Next::element;) {
            items.emplace_back();
            if (!value(items.back(), depth)) return false;
            next = after_element(']');
            if (next == Next::invalid) return false;
        }
        return true;
    }

    bool hex4(uint32_t& cp) {
        if (m_end - m_p < 4) return false;
        cp = 0;
        for (int i = 0; i < 4; ++i) {
            int d = hex_digit(m_p[i]);
            if (d < 0) return false;
            cp = cp * 16 + uint32_t(d);
        }
        m_p += 4;
        return true;
    }

    bool string(std::string& out) {
        ++m_p;  // '"'
        for (;;) {
            const char* run = m_p;
            m_p = plain_run_end(m_p, m_end);
            out.append(run, size_t(m_p - run));
            if (m_p == m_end) return false;
            auto c = static_cast<unsigned char>(*m_p);
            if (c == '"') {
                ++m_p;
                return true;
            }
            if (c < 0x20) return false;
            if (c >= 0x80) {
                size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(m_p),
                                         reinterpret_cast<const unsigned char*>(m_end));
                if (n == 0) return false;
                out.append(m_p, n);
                m_p += n;
                continue;
            }
            // backslash
            if (m_end - m_p < 2) return false;
            char e = m_p[1];
            m_p += 2;
            switch (e) {
                case '"':
                    out.push_back('"');
                    break;
                case '\\':
                    out.push_back('\\');
                    break;
                case '/':
                    out.push_back('/');
                    break;
                case 'b':
                    out.push_back('\b');
                    break;
                case 'f':
                    out.push_back('\f');
                    break;
                case 'n':
                    out.push_back('\n');
                    break;
                case 'r':
                    out.push_back('\r');
                    break;
                case 't':
                    out.push_back('\t');
                    break;
                case 'u': {
                    uint32_t cp = 0;
                    if (!hex4(cp)) return false;
                    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        uint32_t low = 0;
                        if (m_end - m_p < 2 || m_p[0] != '\\' || m_p[1] != 'u') return false;
                        m_p += 2;
                        if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    }
                    append_utf8(out, cp);
                    break;
                }
                default:
                    return false;
            }
        }
    }

    static bool digit(char c) { return c >= '0' && c <= '9'; }

    bool number(json& out) {
        const char* start = m_p;
        bool negative = false;
        if (m_p < m_end && *m_p == '-') {
            negative = true;
            ++m_p;
        }
        if (m_p == m_end || !digit(*m_p)) return false;
        if (*m_p == '0') {
            ++m_p;
        } else {
            while (m_p < m_end && digit(*m_p)) ++m_p;
        }
        bool integer = true;
        if (m_p < m_end && *m_p == '.') {
            integer = false;
            ++m_p;
            if (m_p == m_end || !digit(*m_p)) return false;
            while (m_p < m_end && digit(*m_p)) ++m_p;
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            integer = false;
            ++m_p;
            if (m_p < m_end && (*m_p == '+' || *m_p == '-')) ++m_p;
            if (m_p == m_end || !digit(*m_p)) return false;
            while (m_p < m_end && digit(*m_p)) ++m_p;
        }
        // nlohmann: an integer that fits is number_integer (negative) or number_unsigned;
        // one that does not fit becomes a double.
        if (integer) {
            if (negative) {
                json::number_integer_t v = 0;
                auto [end, ec] = std::from_chars(start, m_p, v);
                if (ec == std::errc() && end == m_p) {
                    out = v;
                    return true;
                }
            } else {
                json::number_unsigned_t v = 0;
                auto [end, ec] = std::from_chars(start, m_p, v);
                if (ec == std::errc() && end == m_p) {
                    out = v;
                    return true;
                }
            }
        }
        // Out-of-range doubles (overflow, and underflow that strtod would round) go to nlohmann.
        double d = 0;
        auto [end, ec] = std::from_chars(start, m_p, d);
        if (ec != std::errc() || end != m_p) return false;
        out = d;
        return true;
    }

    const char* m_p;
    const char* m_end;
    std::span<const std::string_view> m_keep;
    bool m_filter_top = false;
    // Per thread and reused, so a parse does not grow fresh ones (a parse never nests another).
    static thread_local std::vector<std::pair<std::string, json>> t_members;
    static thread_local std::string t_scratch;
    std::vector<std::pair<std::string, json>>& m_members;
    std::string& m_scratch;
};

thread_local std::vector<std::pair<std::string, json>> FastParser::t_members;
thread_local std::string FastParser::t_scratch;

bool fast_parse(std::string_view text, json& out, std::span<const std::string_view> keep = {}) {
    FastParser parser(text.data(), text.data() + text.size(), keep);
    return parser.document(out);
}

// Compact serialization with ensure_ascii off. False on what only nlohmann writes the same
// way: invalid UTF-8 (replaced by U+FFFD there), binary and discarded values.
class FastWriter {
  public:
    explicit FastWriter(std::string& out) : m_out(out) {}

    bool value(const json& v) {
        switch (v.type()) {
            case json::value_t::object: {
                const auto& members = v.get_ref<const json::object_t&>();
                m_out.push_back('{');
                bool first = true;
                for (const auto& [key, member] : members) {
                    if (!first) m_out.push_back(',');
                    first = false;
                    if (!string(key)) return false;
                    m_out.push_back(':');
                    if (!value(member)) return false;
                }
                m_out.push_back('}');
                return true;
            }
            case json::value_t::array: {
                const auto& items = v.get_ref<const json::array_t&>();
                m_out.push_back('[');
                bool first = true;
                for (const auto& item : items) {
                    if (!first) m_out.push_back(',');
                    first = false;
                    if (!value(item)) return false;
                }
                m_out.push_back(']');
                return true;
            }
            case json::value_t::string:
                return string(v.get_ref<const json::string_t&>());
            case json::value_t::boolean:
                m_out.append(v.get<bool>() ? "true" : "false");
                return true;
            case json::value_t::null:
                m_out.append("null");
                return true;
            case json::value_t::number_integer:
                return integer(v.get<json::number_integer_t>());
            case json::value_t::number_unsigned:
                return integer(v.get<json::number_unsigned_t>());
            case json::value_t::number_float:
                m_out.append(v.dump());
                return true;
            case json::value_t::binary:
            case json::value_t::discarded:
            default:
                return false;
        }
    }

    // False on invalid UTF-8 (what nlohmann would replace); `m_out` then holds a partial string.
    bool string(std::string_view s) {
        static constexpr char k_hex[] = "0123456789abcdef";
        const char* p = s.data();
        const char* const end = p + s.size();
        const char* stop = plain_run_end(p, end);
        if (stop == end) {
            // Nothing to escape (keys, ids, most values): the quotes and the text in one append.
            const size_t at = m_out.size();
            m_out.append(s.size() + 2, '"');
            if (!s.empty()) std::memcpy(m_out.data() + at + 1, s.data(), s.size());
            return true;
        }
        m_out.push_back('"');
        for (;;) {
            m_out.append(p, size_t(stop - p));
            if (stop == end) break;
            p = stop;
            const auto c = static_cast<unsigned char>(*p);
            if (c >= 0x80) {
                size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(p),
                                         reinterpret_cast<const unsigned char*>(end));
                if (n == 0) return false;
                m_out.append(p, n);
                p += n;
            } else {
                ++p;
                switch (c) {
                    case '"':
                        m_out.append("\\\"");
                        break;
                    case '\\':
                        m_out.append("\\\\");
                        break;
                    case '\b':
                        m_out.append("\\b");
                        break;
                    case '\t':
                        m_out.append("\\t");
                        break;
                    case '\n':
                        m_out.append("\\n");
                        break;
                    case '\f':
                        m_out.append("\\f");
                        break;
                    case '\r':
                        m_out.append("\\r");
                        break;
                    default: {
                        char esc[6] = {'\\', 'u', '0', '0', k_hex[c >> 4], k_hex[c & 0xF]};
                        m_out.append(esc, sizeof esc);
                        break;
                    }
                }
            }
            stop = plain_run_end(p, end);
        }
        m_out.push_back('"');
        return true;
    }

  private:
    template <typename T>
    bool integer(T v) {
        char buf[24];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
        if (ec != std::errc()) return false;
        m_out.append(buf, size_t(end - buf));
        return true;
    }

    std::string& m_out;
};

}  // namespace

const char* JsonCursor::plain_string_end() const {
    if (m_p == m_end || *m_p != '"') return nullptr;
    const char* end = plain_run_end(m_p + 1, m_end);
    return end < m_end && *end == '"' ? end : nullptr;
}

const char* JsonCursor::plain_integer_end() const {
    const char* p = m_p;
    if (p < m_end && *p == '-') ++p;
    const char* digits = p;
    while (p < m_end && *p >= '0' && *p <= '9') ++p;
    const size_t count = size_t(p - digits);
    // Short enough for any integer type; no leading zero; no fraction or exponent after.
    if (count == 0 || count > 18 || (count > 1 && *digits == '0')) return nullptr;
    if (p < m_end && (*p == '.' || *p == 'e' || *p == 'E')) return nullptr;
    return p;
}

JsonCursor::Step JsonCursor::next_member(std::string_view& key) {
    Step step = next('}');
    if (step != Step::item) return step;
    if (const char* end = plain_string_end()) {
        // Keys are plain ASCII nearly always: read in place, nothing to decode.
        key = std::string_view(m_p + 1, size_t(end - m_p - 1));
        m_p = end + 1;
    } else {
        m_key.clear();
        FastParser parser(m_p, m_end);
        if (!parser.string_value(m_key)) return Step::invalid;
        m_p = parser.position();
        key = m_key;
    }
    skip_ws();
    if (m_p == m_end || *m_p != ':') return Step::invalid;
    ++m_p;
    return Step::item;
}

bool JsonCursor::string(std::string& out) {
    skip_ws();
    out.clear();
    FastParser parser(m_p, m_end);
    if (!parser.string_value(out)) return false;
    m_p = parser.position();
    m_first = false;
    return true;
}

bool JsonCursor::small_integer(int& value) {
    skip_ws();
    const char* end = plain_integer_end();
    if (end == nullptr || *m_p == '-' || end - m_p > 9) return false;
    value = 0;
    for (; m_p < end; ++m_p) value = value * 10 + (*m_p - '0');
    m_first = false;
    return true;
}

bool JsonCursor::skip() {
    skip_ws();
    if (m_p == m_end) return false;
    // The shapes stream chunks repeat in every event, by their first byte: a plain string, a
    // plain integer ("created": 1700000000) or null; anything else goes to the parser.
    const char first = *m_p;
    if (first == '"') {
        if (const char* end = plain_string_end()) {
            m_p = end + 1;
            m_first = false;
            return true;
        }
    } else if (first == '-' || (first >= '0' && first <= '9')) {
        if (const char* end = plain_integer_end()) {
            m_p = end;
            m_first = false;
            return true;
        }
    } else if (first == 'n' && null()) {
        return true;
    }
    FastParser parser(m_p, m_end);
    if (!parser.skip_value()) return false;
    m_p = parser.position();
    m_first = false;
    return true;
}

std::string dump_json(const json& value, size_t size_hint) {
    std::string out;
    out.reserve(size_hint);
    if (FastWriter(out).value(value)) return out;
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Also json::parse's out_of_range for a number beyond a double, since that goes to nlohmann too.
json parse_json(std::string_view text) {
    json out;
    if (fast_parse(text, out)) return out;
    return json::parse(text);
}

json parse_json_or_discarded(std::string_view text) {
    json out;
    if (fast_parse(text, out)) return out;
    return json::parse(text, nullptr, false);
}

json parse_json_members_or_discarded(std::string_view text,
                                     std::span<const std::string_view> keep) {
    json out;
    if (fast_parse(text, out, keep)) return out;
    // Rare (numbers beyond a double): nlohmann parses, and the members not kept are dropped.
    json full = json::parse(text, nullptr, false);
    if (!full.is_object()) return full;
    out = json::object();
    for (auto& [key, member] : full.items()) {
        if (std::find(keep.begin(), keep.end(), key) != keep.end()) out[key] = std::move(member);
    }
    return out;
}

std::string json_quote(std::string_view text) {
    std::string out;
    append_json_string(out, text);
    return out;
}

bool is_plain_json_text(std::string_view text) {
    const char* end = text.data() + text.size();
    return plain_run_end(text.data(), end) == end;
}

void append_json_string(std::string& out, std::string_view text) {
    const size_t mark = out.size();
    if (FastWriter(out).string(text)) return;
    out.resize(mark);
    out += dump_json(json(std::string(text)));
}

}  // namespace otari
