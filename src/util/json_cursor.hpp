#pragma once
// A forward reader over one JSON text, for hot paths that read a few fields of a known shape
// without building a tree (stream chunks). It accepts only what parse_json accepts, but not
// everything: every read returns false on what it does not take, and the caller then falls
// back to parse_json, which decides whether the text is JSON at all. The reads that decode or
// validate are in json.cpp, beside the parser whose lexer they share.
#include <string>
#include <string_view>

namespace otari {

class JsonCursor {
  public:
    explicit JsonCursor(std::string_view text)
        : m_p(text.data()), m_end(text.data() + text.size()) {}

    enum class Step { item, end, invalid };

    // Consumes the `{` or `[` of the next value; false (nothing consumed) if it is not one.
    bool enter_object() { return enter('{'); }
    bool enter_array() { return enter('['); }
    // Inside an object: `item` with the next member's key (valid until the next read; its
    // value is read next), `end` after the closing `}`, or `invalid`.
    Step next_member(std::string_view& key);
    // Inside an array: `item` when an element follows (read it next), `end` after `]`.
    Step next_element() { return next(']'); }

    // The first character of the next value ('\0' at the end of the text).
    char peek() {
        skip_ws();
        return m_p < m_end ? *m_p : '\0';
    }
    // The next value when it is a string, decoded into `out`.
    bool string(std::string& out);
    // The next value when it is `null`.
    bool null() {
        if (peek() != 'n' || m_end - m_p < 4 || m_p[1] != 'u' || m_p[2] != 'l' || m_p[3] != 'l')
            return false;
        m_p += 4;
        m_first = false;
        return true;
    }
    // The next value when it is a non-negative integer below 10^9 written plainly.
    bool small_integer(int& value);
    // Any next value, validated and passed over.
    bool skip();
    // Where the cursor is: just past what it last read (or at the next value after peek()).
    const char* position() const { return m_p; }
    // True when only whitespace is left.
    bool at_end() {
        skip_ws();
        return m_p == m_end;
    }

  private:
    bool enter(char open) {
        if (peek() != open) return false;
        ++m_p;
        m_first = true;
        return true;
    }
    Step next(char close) {
        skip_ws();
        if (m_p == m_end) return Step::invalid;
        if (*m_p == close) {
            ++m_p;
            m_first = false;  // the container was a value of its parent
            return Step::end;
        }
        if (!m_first) {
            if (*m_p != ',') return Step::invalid;
            ++m_p;
            skip_ws();
        }
        m_first = false;
        return Step::item;
    }
    void skip_ws() {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t')) ++m_p;
    }
    // The closing quote of the string at the cursor when it needs no decoding, else null.
    const char* plain_string_end() const;
    // The end of the integer at the cursor when it is a short plain one, else null.
    const char* plain_integer_end() const;

    const char* m_p;
    const char* m_end;
    bool m_first = false;  // just inside a container: no comma before its first item
    std::string m_key;
};

}  // namespace otari
