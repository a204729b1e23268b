#pragma once
// Budget periods: calendar periods in UTC. A week starts on Monday 00:00 UTC (ISO 8601), a
// month on the 1st at 00:00 UTC; "total" never resets.
#include <optional>
#include <string_view>

#include "util/utc_time.hpp"

namespace otari::budget {

using util::TimePoint;

enum class Period { day, week, month, total };
inline constexpr Period k_all_periods[] = {Period::day, Period::week, Period::month, Period::total};

// "day", "week", "month", "total"; nullopt for anything else.
std::optional<Period> parse_period(std::string_view name);
std::string_view period_name(Period period);

// The start of the period that contains `when`; TimePoint::min() for Period::total.
TimePoint period_start(Period period, TimePoint when);
// The start of the period after the one that contains `when`; nullopt for Period::total.
std::optional<TimePoint> next_period_start(Period period, TimePoint when);

}  // namespace otari::budget
