#pragma once
// UTC timestamps as the ledger and the log write them and the ledger reads them (RFC 3339, "Z"
// suffix). Pure functions, no time zone database, no locale.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace otari::util {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

// "2026-11-01T09:30:00.123Z": milliseconds, truncated (not rounded).
std::string format_rfc3339_ms(TimePoint when);
// "2027-01-01T00:00:00Z": whole seconds, truncated.
std::string format_rfc3339_s(TimePoint when);
// "2026-11-01" (the UTC calendar day of `when`).
std::string format_utc_date(TimePoint when);

// Parse "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)" (also a lowercase "t"/"z" or a
// space instead of "T"). The fraction keeps up to microseconds. nullopt when malformed or
// out of range.
std::optional<TimePoint> parse_rfc3339(std::string_view text);
// Parse "YYYY-MM-DD" as midnight UTC of that day. nullopt when malformed or not a real date.
std::optional<TimePoint> parse_utc_date(std::string_view text);

}  // namespace otari::util
