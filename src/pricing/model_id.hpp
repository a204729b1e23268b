#pragma once
// Spellings of a model id that the catalog treats as the same model.
#include <optional>
#include <string>
#include <string_view>

namespace otari::pricing {

// Lower-cased, surrounding whitespace removed: catalog ids and rules compare this way.
std::string normalized_model_id(std::string_view id);

// A dated snapshot's undated name: "claude-sonnet-4-5-20250929" -> "claude-sonnet-4-5",
// "gpt-4o-2024-08-06" -> "gpt-4o", "claude-sonnet-4@20250514" -> "claude-sonnet-4".
// nullopt when the id does not end in a plausible date (20YY, month 01-12, day 01-31).
std::optional<std::string> without_date_suffix(std::string_view id);

// genai-prices' own retry: compact dates followed by '-', ':' or the end are dashed,
// "x-20250929:beta" -> "x-2025-09-29:beta". nullopt when there is no such date.
std::optional<std::string> with_dashed_dates(std::string_view id);

}  // namespace otari::pricing
