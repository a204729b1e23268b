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

// The text without the top-level member `key` (and its comma); nullopt when it is absent.
std::optional<std::string> erase_top_level_member(std::string_view json_text, std::string_view key);

// The text with the top-level member `key` renamed `new_key`, its value kept; nullopt when it is
// absent or `new_key` is already there.
std::optional<std::string> rename_top_level_member(std::string_view json_text, std::string_view key,
                                                   std::string_view new_key);

// The same as replace_top_level_string for a member whose value is a number.
std::optional<std::string> replace_top_level_integer(std::string_view json_text,
                                                     std::string_view key, int64_t new_value);

}  // namespace otari::util
