// o200k_base tokenizer: ids checked against reference vectors produced offline with the npm
// package gpt-tokenizer 4.0.0 (same rank file and pattern as OpenAI's tiktoken), e.g.
//   node -e 'console.log(require("gpt-tokenizer/cjs/encoding/o200k_base.js").encode("hello
//   world"))'
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tokenize/byte_pair_merge.hpp"
#include "tokenize/o200k.hpp"
#include "tokenize/o200k_ascii_scanner.hpp"
#include "tokenize/o200k_pretokenizer.hpp"
#include "tokenize/rank_table.hpp"
#include "tokenize/utf8_repair.hpp"

namespace tk = otari::tokenize;

namespace {

struct Vector {
    const char* text;
    std::vector<uint32_t> ids;
};

// clang-format off
const std::vector<Vector> k_vectors = {
    {"hello world", {24912, 2375}},
    {"I'm sure they'll say it's what we've done, HE'S RIGHT, you'd've known", {15390, 3239, 57956, 2891, 4275, 1412, 24716, 4167, 11, 18638, 31233, 51066, 11, 35174, 7341, 5542}},
    {"1234567 and 12 and 1,000,000.99", {7633, 19354, 22, 326, 220, 899, 326, 220, 16, 11, 1302, 11, 1302, 13, 2058}},
    {"中文分词测试，包括标点。日本語のテキストもあります。", {10667, 2957, 31892, 82843, 120838, 15530, 8300, 788, 9048, 40909, 3385, 16056, 18368, 38236, 8446, 101560, 788}},
    {"한국어 텍스트와 Ελληνικά και русский текст", {114854, 5959, 57901, 235, 42321, 12753, 175295, 33428, 6381, 172163, 60350}},
    {"Emoji: 😀👍🏽🇩🇪 family: 👨\u200d👩\u200d👧\u200d👦!", {96950, 25, 88038, 82514, 52622, 121, 55506, 102, 55506, 103, 3502, 25, 61138, 101, 2524, 28823, 102, 2524, 28823, 100, 2524, 28823, 99, 0}},
    {"   leading spaces and trailing   ", {256, 8117, 18608, 326, 57985, 271}},
    {"tabs\tand\n\nnewlines\r\n\r\nmixed  \n  indentation", {68999, 128995, 279, 1389, 10105, 1414, 136877, 4066, 220, 170733}},
    {"\n\n", {279}},
    {"int main() {\n    return std::max(a, b) + 42; // done\n}\n", {491, 2758, 416, 405, 271, 622, 3081, 742, 3228, 6271, 11, 287, 8, 659, 220, 4689, 26, 602, 4167, 198, 739}},
    {"def f(x):\n    \"\"\"Doc.\"\"\"\n    return [i**2 for i in range(x) if i % 3 == 0]\n", {1314, 285, 4061, 1883, 271, 9280, 11159, 33044, 271, 622, 723, 72, 410, 17, 395, 575, 306, 3352, 4061, 8, 538, 575, 1851, 220, 18, 951, 220, 15, 1592}},
    {"{\"key\": \"value\", \"list\": [1, 2, 3], \"nested\": {\"ok\": true}}", {10848, 1898, 1243, 392, 1594, 672, 392, 2641, 1243, 723, 16, 11, 220, 17, 11, 220, 18, 2155, 392, 125059, 1243, 10494, 525, 1243, 1343, 6478}},
    {"https://example.com/path/to/file.html?query=1&x=y#frag", {4172, 1684, 18582, 1136, 119244, 72231, 51766, 4588, 30, 2975, 28, 16, 5, 87, 70421, 2, 76095}},
    {"CamelCaseIdentifier snake_case_name SCREAMING_CASE mixedUPPERlower", {137910, 6187, 12966, 46964, 43667, 2483, 15580, 32924, 2694, 66492, 16435, 5082, 30139, 30330}},
    {"<|endoftext|> is not special here", {27, 91, 419, 1440, 919, 91, 29, 382, 625, 3582, 2105}},
    {"Ünïcödé àccents: naïve café, résumé; ß and ǅ titlecase", {8858, 77, 191375, 43369, 377, 1221, 710, 1094, 25, 153475, 737, 30469, 11, 140184, 26, 1474, 253, 326, 220, 131, 227, 3809, 9994}},
    {"e\u0301 combining and Devanagari \u0939\u093f\u0928\u094d\u0926\u0940 \u092a\u093e\u0920", {68, 13430, 48784, 326, 1516, 8005, 348, 1683, 191681, 103639}},
    {"line1\n\n\n\nline2  \n\t\n", {1137, 16, 4707, 1137, 17, 4066, 2775}},
    {"Price: $1,299.99 (≈ €1.200) — 50% off!!! ...", {7417, 25, 548, 16, 11, 25431, 13, 2058, 350, 171441, 7950, 16, 13, 1179, 8, 2733, 220, 1434, 4, 1277, 10880, 2550}},
    {"The quick brown fox jumps over the lazy dog.", {976, 4853, 19705, 68347, 65613, 1072, 290, 29082, 6446, 13}},
};
// clang-format on

std::string decode(const std::vector<uint32_t>& ids) {
    std::string text;
    for (uint32_t id : ids) text += tk::o200k_table().bytes_of(id);
    return text;
}

std::string random_text(std::mt19937& random, const std::vector<std::string>& alphabet,
                        std::size_t length) {
    std::string text;
    for (std::size_t i = 0; i < length; ++i) text += alphabet[random() % alphabet.size()];
    return text;
}

}  // namespace

TEST_CASE("o200k encodes the reference vectors exactly") {
    for (const Vector& vector : k_vectors) {
        CAPTURE(vector.text);
        CHECK(tk::encode_o200k(vector.text) == vector.ids);
        CHECK(tk::count_o200k(vector.text) == vector.ids.size());
    }
}

TEST_CASE("o200k known counts") {
    CHECK(tk::count_o200k("hello world") == 2);
    CHECK(tk::count_o200k("") == 0);
    CHECK(tk::encode_o200k("\n\n") == std::vector<uint32_t>{279});
    CHECK(tk::encode_o200k(std::string(40, ' ') + "x") == std::vector<uint32_t>{4754, 1215});
    std::vector<uint32_t> run_of_a = tk::encode_o200k(std::string(300, 'a'));
    CHECK(run_of_a.size() == 38);
    CHECK(run_of_a.front() == 117525);
    CHECK(run_of_a.back() == 45037);
}

TEST_CASE("o200k long pieces finish and match the reference counts") {
    CHECK(tk::count_o200k(std::string(100000, 'a')) == 12500);
    CHECK(tk::count_o200k(std::string(100000, ' ')) == 782);
    CHECK(tk::count_o200k(std::string(1000, '\n') + "x") == 64);
    std::string ab;
    for (int i = 0; i < 50000; ++i) ab += "ab";
    CHECK(tk::count_o200k(ab) == 25000);
}

TEST_CASE("o200k decodes back to the input") {
    for (const Vector& vector : k_vectors) {
        CAPTURE(vector.text);
        CHECK(decode(tk::encode_o200k(vector.text)) == vector.text);
    }
}

TEST_CASE("ill-formed UTF-8 is encoded as U+FFFD per maximal subpart, never crashes") {
    CHECK(tk::encode_o200k("a\xFF"
                           "b") == std::vector<uint32_t>{64, 3251, 65});
    CHECK(tk::encode_o200k("\xFF\xFE") == std::vector<uint32_t>{10123});               // two U+FFFD
    CHECK(tk::encode_o200k("x\xE2\x82") == std::vector<uint32_t>{87, 3251});           // truncated
    CHECK(tk::repair_utf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
    CHECK(tk::repair_utf8("\xF0\x9F\x98") == "\xEF\xBF\xBD");  // truncated emoji
    CHECK(tk::repair_utf8("ok \xC3\xA9") == "ok \xC3\xA9");
    CHECK_FALSE(tk::is_valid_utf8("\xC0\xAF"));  // overlong
    CHECK(tk::is_valid_utf8("\xF4\x8F\xBF\xBF"));
    CHECK_FALSE(tk::is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF

    std::mt19937 random(7);
    for (int i = 0; i < 200; ++i) {
        std::string bytes(1 + random() % 64, '\0');
        for (char& c : bytes) c = static_cast<char>(random());
        std::size_t count = tk::count_o200k(bytes);
        CHECK(count == tk::count_o200k(tk::repair_utf8(bytes)));
        CHECK(count >= 1);
    }
}

TEST_CASE("the ASCII scanner agrees with the PCRE2 pattern at every position") {
    std::vector<std::string> alphabet;
    for (int c = 0; c < 128; ++c) alphabet.emplace_back(1, static_cast<char>(c));
    for (const char* common : {" ",        " ",        "a",        "e",        "s",
                               "T",        "'",        "'s",       "'LL",      "'re",
                               "'Ve",      "\r\n",     "\n",       "1",        "/",
                               "\xC3\xA9", "\xC5\xBF", "\xC2\xA0", "\xC2\x85", "\xE4\xB8\xAD",
                               "\xD9\xA3"}) {
        alphabet.emplace_back(common);
    }
    std::mt19937 random(11);
    int checked = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string text = random_text(random, alphabet, 1 + random() % 24);
        for (std::size_t at = 0; at < text.size(); ++at) {
            if (static_cast<unsigned char>(text[at]) >= 0x80) continue;
            std::size_t fast = tk::scan_ascii_o200k_piece(text, at);
            if (fast == 0) continue;
            CAPTURE(text);
            CAPTURE(at);
            REQUIRE(fast == tk::match_o200k_piece(text, at));
            ++checked;
        }
    }
    CHECK(checked > 10000);
}

TEST_CASE("the pattern's whitespace is Unicode White_Space and U+017F is a contraction's s") {
    // As tiktoken's regex: U+0085 is White_Space, U+180E (a format character) is not;
    // (?i:'s) matches "'\u017F".
    std::vector<std::string_view> pieces;
    tk::split_o200k(
        "a\xC2\x85\xC2\x85"
        "b",
        pieces);
    CHECK(pieces == std::vector<std::string_view>{"a", "\xC2\x85",
                                                  "\xC2\x85"
                                                  "b"});
    pieces.clear();
    tk::split_o200k(
        "a\xE1\xA0\x8E\xE1\xA0\x8E"
        "b",
        pieces);
    CHECK(pieces == std::vector<std::string_view>{"a", "\xE1\xA0\x8E\xE1\xA0\x8E", "b"});
    pieces.clear();
    tk::split_o200k("it'\xC5\xBF", pieces);
    CHECK(pieces == std::vector<std::string_view>{"it'\xC5\xBF"});
}

TEST_CASE("heap and quadratic merges agree on long pieces") {
    const tk::RankTable& table = tk::o200k_table();
    std::vector<std::string> alphabet = {"a", "b", "e", "n", "t", "er", "in", "\xE4\xB8\xAD", "x"};
    std::mt19937 random(3);
    std::vector<uint32_t> quadratic, heap;
    for (int round = 0; round < 300; ++round) {
        std::string piece = random_text(random, alphabet, 2 + random() % 200);
        tk::merge_piece_quadratic(table, piece, quadratic);
        tk::merge_piece_heap(table, piece, heap);
        CAPTURE(piece);
        REQUIRE(quadratic == heap);
    }
}

TEST_CASE("the rank table holds the whole o200k vocabulary") {
    const tk::RankTable& table = tk::o200k_table();
    CHECK(table.size() == 199998);
    for (uint32_t rank : {0u, 255u, 24912u, 117525u, 199997u}) {
        CHECK(table.rank_of(table.bytes_of(rank)) == rank);
    }
    CHECK(table.bytes_of(24912) == "hello");
    CHECK(table.rank_of("definitely not one token") == tk::RankTable::k_no_rank);
}

TEST_CASE("o200k counts the same from several threads") {
    std::string text;
    for (const Vector& vector : k_vectors) text += vector.text;
    const std::size_t expected = tk::count_o200k(text);
    std::vector<std::size_t> counts(4);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        threads.emplace_back([&, i] {
            for (int round = 0; round < 20; ++round) counts[i] = tk::count_o200k(text);
        });
    }
    for (std::thread& thread : threads) thread.join();
    for (std::size_t count : counts) CHECK(count == expected);
}
