#include <doctest/doctest.h>

#include "util/json_scan.hpp"

using otari::util::replace_top_level_integer;
using otari::util::replace_top_level_string;

TEST_SUITE("util::json_scan") {
    TEST_CASE("a top-level string is replaced, every other byte kept") {
        auto out = replace_top_level_string(
            R"({ "a" : {"model":"inner"}, "model" : "x" ,"b":[1]})", "model", "gpt-\"4\"");
        REQUIRE(out);
        CHECK(*out == R"({ "a" : {"model":"inner"}, "model" : "gpt-\"4\"" ,"b":[1]})");
        CHECK_FALSE(replace_top_level_string(R"({"model":3})", "model", "x"));
        CHECK_FALSE(replace_top_level_string(R"({"other":"x"})", "model", "x"));
        CHECK_FALSE(replace_top_level_string(R"(["model","x"])", "model", "x"));
    }

    TEST_CASE("a top-level number is replaced; nested ones and other types are not") {
        auto out = replace_top_level_integer(
            R"({"tools":[{"max_tokens":1}],"max_tokens":32000,"stream":true})", "max_tokens", 16384);
        REQUIRE(out);
        CHECK(*out == R"({"tools":[{"max_tokens":1}],"max_tokens":16384,"stream":true})");
        auto negative = replace_top_level_integer(R"({"n":-5})", "n", 7);
        REQUIRE(negative);
        CHECK(*negative == R"({"n":7})");
        CHECK_FALSE(replace_top_level_integer(R"({"max_tokens":"32000"})", "max_tokens", 1));
        CHECK_FALSE(replace_top_level_integer(R"({"a":{"max_tokens":3}})", "max_tokens", 1));
    }

    TEST_CASE("a top-level member is erased with its comma, wherever it is") {
        CHECK(*otari::util::erase_top_level_member(R"({"a":1,"b":{"c":2},"d":3})", "b") ==
              R"({"a":1,"d":3})");
        CHECK(*otari::util::erase_top_level_member(R"({"a":1, "d" : [3]})", "d") == R"({"a":1})");
        CHECK(*otari::util::erase_top_level_member(R"({"a":1})", "a") == R"({})");
        CHECK(*otari::util::erase_top_level_member(R"({"a":1,"b":2})", "a") == R"({"b":2})");
        CHECK_FALSE(otari::util::erase_top_level_member(R"({"x":{"a":1}})", "a"));
    }

    TEST_CASE("a top-level member is renamed with its value, unless the new name is taken") {
        CHECK(*otari::util::rename_top_level_member(R"({"max_tokens":5,"m":"x"})", "max_tokens",
                                                    "max_completion_tokens") ==
              R"({"max_completion_tokens":5,"m":"x"})");
        CHECK_FALSE(otari::util::rename_top_level_member(R"({"a":1,"b":2})", "a", "b"));
        CHECK_FALSE(otari::util::rename_top_level_member(R"({"a":1})", "c", "b"));
    }
}
