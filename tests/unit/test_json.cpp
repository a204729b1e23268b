// parse_json / dump_json against nlohmann/json, the reference they must match exactly: the same
// value with the same number types, the same text, the same errors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "util/json.hpp"
#include "util/json_cursor.hpp"

using otari::json;

namespace {

// Equal values with equal types all the way down (json's operator== calls 1 and 1.0 equal).
bool same(const json& a, const json& b) {
    if (a.type() != b.type()) return false;
    switch (a.type()) {
        case json::value_t::object: {
            if (a.size() != b.size()) return false;
            auto ia = a.begin();
            auto ib = b.begin();
            for (; ia != a.end(); ++ia, ++ib) {
                if (ia.key() != ib.key() || !same(ia.value(), ib.value())) return false;
            }
            return true;
        }
        case json::value_t::array: {
            if (a.size() != b.size()) return false;
            for (size_t i = 0; i < a.size(); ++i) {
                if (!same(a[i], b[i])) return false;
            }
            return true;
        }
        case json::value_t::number_float:
            return a.dump() == b.dump();
        case json::value_t::discarded:
            return true;  // json's operator== never calls two discarded values equal
        default:
            return a == b;
    }
}

std::string reference_dump(const json& v) {
    return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// What json::parse makes of `text`: the value, or the error text (parse_error, or
// out_of_range for a number too large for a double).
std::string reference_outcome(const std::string& text) {
    try {
        return "ok " + json::parse(text).dump(-1, ' ', false, json::error_handler_t::replace);
    } catch (const json::exception& e) {
        return std::string("error ") + e.what();
    }
}

void check_parse_matches(const std::string& text) {
    CAPTURE(text);
    std::string fast_outcome;
    json fast;
    try {
        fast = otari::parse_json(text);
        fast_outcome = "ok " + reference_dump(fast);
    } catch (const json::exception& e) {
        fast_outcome = std::string("error ") + e.what();
    }
    CHECK(fast_outcome == reference_outcome(text));
    json lenient = otari::parse_json_or_discarded(text);
    json reference = json::parse(text, nullptr, false);
    CHECK(lenient.is_discarded() == reference.is_discarded());
    if (!reference.is_discarded()) {
        CHECK(same(fast, reference));
        CHECK(same(lenient, reference));
        CHECK(otari::dump_json(reference) == reference_dump(reference));
    }
}

const std::vector<std::string> k_documents = {
    R"({})",
    R"([])",
    R"(  {"a" : 1 , "b":[true,false,null], "c":{"d":"e"}}  )",
    R"({"model":"m","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"hi"}]})",
    R"({"dup":1,"x":2,"dup":"last"})",
    R"([0,-0,1,-1,18446744073709551615,18446744073709551616,-9223372036854775808,-9223372036854775809])",
    R"([0.5,-0.0,1e5,1E-5,1.25e+3,3.141592653589793,1e308,4.9e-324,2.2250738585072014e-308])",
    R"([1e400,-1e400])",
    R"([1e-400])",
    R"(["\"\\\/\b\f\n\r\t","\u0000\u001f\u007f\u0080\u00e9\u20AC\uD83D\uDE00","é€😀 mixed ascii"])",
    R"("\uD83D")",
    R"("\uDE00")",
    R"("\uD83Dx")",
    R"("\uD83D\u0041")",
    R"("\x")",
    R"("\u12G4")",
    "\"tab\there\"",
    "\"nul\0byte\"",
    "{}\0trailing",
    "\xEF\xBB\xBF{\"bom\":true}",
    "\xEF\xBB{}",
    "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"",
    "\"\xC0\xAF\"",
    "\"\xED\xA0\x80\"",
    "\"\xF4\x90\x80\x80\"",
    "\"\xE2\x82\"",
    "\"\xFF\"",
    R"({"a":1,})",
    R"([1,])",
    R"([01])",
    R"([1.])",
    R"([.5])",
    R"([-])",
    R"([1e])",
    R"([+1])",
    R"({"a" 1})",
    R"({a:1})",
    R"([tru])",
    R"([nulls])",
    R"({"a":1}})",
    R"()",
    R"(   )",
    R"("unterminated)",
    R"([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]])",
    R"(true)",
    R"(42)",
    R"(null )",
};

}  // namespace

TEST_CASE("parse_json and parse_json_or_discarded match json::parse") {
    for (const auto& text : k_documents) check_parse_matches(text);
    // Nesting beyond the fast parser's depth limit is still parsed (by the fallback).
    std::string deep = std::string(5000, '[') + std::string(5000, ']');
    check_parse_matches(deep);
    check_parse_matches(std::string(5000, '[') + std::string(4999, ']'));
}

TEST_CASE("parse_json matches json::parse on mutated documents") {
    std::mt19937 rng(12345);
    const std::string alphabet =
        "{}[]\",:\\/ \t\n0123456789-+.eEtrufalsn\x01\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xff";
    for (const auto& base : k_documents) {
        for (int round = 0; round < 200; ++round) {
            std::string text = base;
            int edits = 1 + int(rng() % 3);
            for (int e = 0; e < edits; ++e) {
                char c = alphabet[rng() % alphabet.size()];
                size_t at = text.empty() ? 0 : rng() % (text.size() + 1);
                switch (rng() % 3) {
                    case 0:
                        text.insert(text.begin() + long(at), c);
                        break;
                    case 1:
                        if (at < text.size()) text[at] = c;
                        break;
                    default:
                        if (at < text.size()) text.erase(at, 1);
                        break;
                }
            }
            check_parse_matches(text);
        }
    }
}

TEST_CASE("dump_json writes what nlohmann writes") {
    json value = json::parse(
        R"({"s":"q\"b\\s/\b\f\n\r\t\u0001\u001f\u007f é€😀","i":-5,"u":18446744073709551615,
        "f":[0.1,-0.0,1e100,1.5e-7,100.0,3.0],"e":{},"a":[],"n":null,"t":true,"nested":[{"k":[1,{"x":"y"}]}]})");
    value["nan"] = std::nan("");
    value["inf"] = std::numeric_limits<double>::infinity();
    value["key\nwith\"escapes"] = "v";
    CHECK(otari::dump_json(value) == reference_dump(value));
    for (std::string s : {std::string("a\xff"
                                      "b"),
                          std::string("\xC3"), std::string("ok\xE2\x82"),
                          std::string("\xED\xA0\x80"), std::string("a\0b", 3)}) {
        json v = json::object({{s, json::array({s, 1})}});
        CHECK(otari::dump_json(v) == reference_dump(v));
    }
    json binary = json::binary({1, 2, 3});
    CHECK(otari::dump_json(binary) == reference_dump(binary));
}

namespace {

// json::parse(text, nullptr, false), then only the kept top-level members: what
// parse_json_members_or_discarded must equal.
json reference_members(const std::string& text, const std::vector<std::string_view>& keep) {
    json full = json::parse(text, nullptr, false);
    if (!full.is_object()) return full;
    json out = json::object();
    for (auto& [key, member] : full.items()) {
        for (auto k : keep) {
            if (key == k) out[key] = member;
        }
    }
    return out;
}

}  // namespace

TEST_CASE(
    "parse_json_members_or_discarded keeps the named members and still rejects what is not JSON") {
    const std::vector<std::string_view> keep = {"choices", "usage", "error"};
    const std::string chunk =
        R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m",)"
        R"("system_fingerprint":null,"choices":[{"index":0,"delta":{"content":"hi \"x\""},)"
        R"("logprobs":null,"finish_reason":null}],"usage":null,"extra":{"a":[1,{"b":"c"}]}})";
    json kept = otari::parse_json_members_or_discarded(chunk, keep);
    CHECK(kept.size() == 2);
    CHECK(kept["choices"][0]["delta"]["content"] == "hi \"x\"");
    CHECK(kept["usage"].is_null());
    CHECK_FALSE(kept.contains("id"));
    CHECK(same(kept, reference_members(chunk, keep)));

    // A skipped member that is not valid JSON makes the whole document invalid.
    for (const std::string& bad :
         std::vector<std::string>{R"({"id":"a\x","choices":[]})", R"({"id":[1,],"choices":[]})",
                                  R"({"id":{"k" 1},"choices":[]})", R"({"id":tru,"choices":[]})",
                                  R"({"id":01,"choices":[]})", R"({"id":"\ud800","choices":[]})",
                                  "{\"id\":\"\xff\",\"choices\":[]}"}) {
        CAPTURE(bad);
        CHECK(otari::parse_json_members_or_discarded(bad, keep).is_discarded());
    }
    // Non-objects, nested filtering (none), numbers beyond a double (the nlohmann path), and the
    // same mutations the full parser is checked with.
    for (const std::string& text :
         {std::string(R"([{"id":1}])"), std::string(R"("s")"),
          std::string(R"({"choices":{"id":2},"id":3})"),
          std::string(R"({"id":1e999,"usage":{"n":1}})"), std::string(R"({"usage":1e999,"id":1})"),
          std::string(R"({"usage":1,"usage":2,"x":3})")}) {
        CAPTURE(text);
        CHECK(same(otari::parse_json_members_or_discarded(text, keep),
                   reference_members(text, keep)));
    }
    std::mt19937 rng(777);
    const std::string alphabet = "{}[]\",:\\ 0123456789-.etrufalsn\xc3\xa9\xff";
    for (int round = 0; round < 2000; ++round) {
        std::string text = chunk;
        for (int e = 0; e < 2; ++e) {
            size_t at = rng() % text.size();
            text[at] = alphabet[rng() % alphabet.size()];
        }
        CAPTURE(text);
        CHECK(same(otari::parse_json_members_or_discarded(text, keep),
                   reference_members(text, keep)));
    }
}

TEST_CASE("append_json_string writes what dump_json writes for the same string") {
    for (std::string s : {std::string("plain"), std::string("q\"b\\s/\b\f\n\r\t\x01\x1f\x7f é€😀"),
                          std::string("bad \xff utf-8"), std::string("\xC3"),
                          std::string("a\0b", 3), std::string()}) {
        CAPTURE(s);
        std::string out = "prefix:";
        otari::append_json_string(out, s);
        CHECK(out == "prefix:" + reference_dump(json(s)));
    }
}

TEST_CASE(
    "strings with an escape, a control byte or UTF-8 at every offset of a long run parse and dump "
    "as nlohmann does") {
    const std::vector<std::string> specials = {"\\\"",     "\\\\",         "\\n", "\\u0001",
                                               "\xc3\xa9", "\xe2\x82\xac", "\x7f"};
    // Every length up to 40 plain bytes, with the special at every offset: the scan's 16-byte
    // blocks, its overlapping last block and the short-string path all meet it.
    for (const auto& special : specials) {
        for (size_t length = 0; length <= 40; ++length) {
            for (size_t at = 0; at <= length; ++at) {
                std::string text =
                    "\"" + std::string(at, 'a') + special + std::string(length - at, 'b') + "\"";
                check_parse_matches(text);
                json value = json::parse(text);
                CHECK(otari::dump_json(value) == reference_dump(value));
            }
        }
    }
    // A raw control byte or a lone continuation byte at any offset is rejected, as nlohmann does.
    for (char bad : {'\x01', '\x1f', '\x80'}) {
        for (size_t at = 0; at <= 40; ++at) {
            check_parse_matches("\"" + std::string(at, 'a') + bad + std::string(40 - at, 'b') +
                                "\"");
        }
    }
}

TEST_CASE("JsonCursor walks objects and arrays, decodes keys and strings, and refuses bad syntax") {
    using Step = otari::JsonCursor::Step;
    otari::JsonCursor cursor(
        R"( {"a\u0062":"x\ny", "list":[1, -20, {"k":null}], "n":12345678901} )");
    std::string_view key;
    std::string text;
    REQUIRE(cursor.enter_object());
    REQUIRE(cursor.next_member(key) == Step::item);
    CHECK(key == "ab");  // an escaped key is decoded
    REQUIRE(cursor.string(text));
    CHECK(text == "x\ny");
    REQUIRE(cursor.next_member(key) == Step::item);
    CHECK(key == "list");
    REQUIRE(cursor.enter_array());
    int small = -1;
    REQUIRE(cursor.next_element() == Step::item);
    REQUIRE(cursor.small_integer(small));
    CHECK(small == 1);
    REQUIRE(cursor.next_element() == Step::item);
    CHECK_FALSE(cursor.small_integer(small));  // negative: not read, still there to skip
    REQUIRE(cursor.skip());
    REQUIRE(cursor.next_element() == Step::item);
    REQUIRE(cursor.enter_object());
    REQUIRE(cursor.next_member(key) == Step::item);
    CHECK(key == "k");
    CHECK(cursor.null());
    CHECK(cursor.next_member(key) == Step::end);
    CHECK(cursor.next_element() == Step::end);
    REQUIRE(cursor.next_member(key) == Step::item);
    CHECK(key == "n");
    CHECK_FALSE(cursor.small_integer(small));  // beyond 10^9
    REQUIRE(cursor.skip());
    CHECK(cursor.next_member(key) == Step::end);
    CHECK(cursor.at_end());

    for (const char* bad :
         {R"({"a":1,})", R"({"a" 1})", R"({"a":1 "b":2})", R"({a:1})", R"({"a":01})",
          R"({"a":"\x"})", "{\"a\":\"\xff\"}", R"({"a":[1,]})", R"({"a":tru})", R"({"a":1e999})"}) {
        CAPTURE(bad);
        otari::JsonCursor c(bad);
        REQUIRE(c.enter_object());
        bool refused = false;
        for (Step step; !refused && (step = c.next_member(key)) != Step::end;) {
            refused = step == Step::invalid || !c.skip();
        }
        CHECK(refused);
    }
}
