#include <doctest/doctest.h>

#include "setup/line_diff.hpp"

using otari::setup::unified_diff;

TEST_SUITE_BEGIN("setup");

TEST_CASE("setup diff: equal texts give nothing") {
    CHECK(unified_diff("a\nb\n", "a\nb\n", "x", "y").empty());
}

TEST_CASE("setup diff: an added line with context") {
    std::string diff =
        unified_diff("{\n  \"a\": 1\n}\n", "{\n  \"a\": 1,\n  \"b\": 2\n}\n", "old", "new");
    CHECK(diff ==
          "--- old\n+++ new\n@@ -1,3 +1,4 @@\n {\n-  \"a\": 1\n+  \"a\": 1,\n+  \"b\": 2\n }\n");
}

TEST_CASE("setup diff: from an empty file") {
    CHECK(unified_diff("", "{}\n", "old", "new") == "--- old\n+++ new\n@@ -0,0 +1,1 @@\n+{}\n");
}

TEST_SUITE_END();
