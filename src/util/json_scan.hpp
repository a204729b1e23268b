#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace otari::util {

// Return `json_text` with the string value of the top-level member `key` replaced by
// `new_value` (JSON-escaped here), every other byte unchanged. nullopt when the text is not an
// object, the member is absent, or its value is not a string. Assumes `json_text` is valid JSON
// (the caller parsed it already).
std::optional<std::string> replace_top_level_string(std::string_view json_text,
                                                    std::string_view key,
                                                    std::string_view new_value);

// The same for a top-level member whose value is a number, replaced by `new_value`.
std::optional<std::string> replace_top_level_integer(std::string_view json_text,
                                                     std::string_view key, int64_t new_value);

}  // namespace otari::util
