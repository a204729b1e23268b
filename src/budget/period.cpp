#include "budget/period.hpp"

namespace otari::budget {

using namespace std::chrono;

std::optional<Period> parse_period(std::string_view name) {
    for (Period p : k_all_periods) {
        if (period_name(p) == name) return p;
    }
    return std::nullopt;
}

std::string_view period_name(Period period) {
    switch (period) {
        case Period::day:
            return "day";
        case Period::week:
            return "week";
        case Period::month:
            return "month";
        case Period::total:
            return "total";
    }
    return "total";
}

TimePoint period_start(Period period, TimePoint when) {
    sys_days day = floor<days>(when);
    switch (period) {
        case Period::day:
            return day;
        case Period::week:
            return day - days{weekday{day}.iso_encoding() - 1};
        case Period::month: {
            year_month_day ymd{day};
            return sys_days{ymd.year() / ymd.month() / 1};
        }
        case Period::total:
            break;
    }
    return TimePoint::min();
}

std::optional<TimePoint> next_period_start(Period period, TimePoint when) {
    TimePoint start = period_start(period, when);
    switch (period) {
        case Period::day:
            return start + days{1};
        case Period::week:
            return start + days{7};
        case Period::month: {
            year_month_day ymd{floor<days>(start)};
            return sys_days{(ymd.year() / ymd.month() + months{1}) / 1};
        }
        case Period::total:
            break;
    }
    return std::nullopt;
}

}  // namespace otari::budget
