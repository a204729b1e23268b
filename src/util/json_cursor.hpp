#pragma once
// A forward reader over one JSON text, for hot paths that read a few fields of a known shape
// without building a tree (stream chunks). It accepts only what parse_json accepts, but not
// everything: every read returns false on what it does not take, and the caller then falls
// back to parse_json, which decides whether the text is JSON at all. Implemented in json.cpp,
// beside the parser whose lexer it shares.
#include <string>
#include <string_view>

namespace otari {

class JsonCursor {
  public:
    explicit JsonCursor(std::string_view text);

    enum class Step { item, end, invalid };

    // Consumes the `{` or `[` of the next value; false (nothing consumed) if it is not one.
    bool enter_object() { return enter('{'); }
    bool enter_array() { return enter('['); }
    // Inside an object: `item` with the next member's key (valid until the next read; its
    // value is read next), `end` after the closing `}`, or `invalid`.
    Step next_member(std::string_view& key);
    // Inside an array: `item` when an element follows (read it next), `end` after `]`.
    Step next_element();

    // The first character of the next value ('\0' at the end of the text).
    char peek();
    // The next value when it is a string, decoded into `out`.
    bool string(std::string& out);
    // The next value when it is `null`.
    bool null();
    // The next value when it is a non-negative integer below 10^9 written plainly.
    bool small_integer(int& value);
    // Any next value, validated and passed over.
    bool skip();
    // True when only whitespace is left.
    bool at_end();

  private:
    bool enter(char open);
    Step next(char close);
    void skip_ws();
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
