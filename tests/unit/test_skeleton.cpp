#include <doctest/doctest.h>

#include "util/json.hpp"

TEST_CASE("dump_json replaces invalid UTF-8 instead of throwing") {
    otari::json value = std::string("a\xff" "b");
    CHECK(otari::dump_json(value) == "\"a\xEF\xBF\xBD" "b\"");
}
