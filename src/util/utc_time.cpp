#include "util/utc_time.hpp"

namespace otari::util {
namespace {

using namespace std::chrono;

struct Civil {
    year_month_day date;
    hh_mm_ss<microseconds> time;
};

Civil to_civil(TimePoint when) {
    auto us = floor<microseconds>(when);
    auto day = floor<days>(us);
    return {year_month_day{day}, hh_mm_ss<microseconds>{us - day}};
}

// Read exactly `n` decimal digits at `pos`; -1 when any is not a digit.
int digits(std::string_view s, size_t pos, size_t n) {
    if (pos + n > s.size()) return -1;
    int value = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        char c = s[i];
        if (c < '0' || c > '9') return -1;
        value = value * 10 + (c - '0');
    }
    return value;
}

std::optional<sys_days> parse_date_prefix(std::string_view s) {
    if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    int y = digits(s, 0, 4), m = digits(s, 5, 2), d = digits(s, 8, 2);
    if (y < 0 || m < 0 || d < 0) return std::nullopt;
    year_month_day ymd{year{y}, month{unsigned(m)}, day{unsigned(d)}};
    if (!ymd.ok()) return std::nullopt;
    return sys_days{ymd};
}

}  // namespace

std::string format_rfc3339_ms(TimePoint when) {
    auto c = to_civil(when);
    // Written digit by digit: every ledger and trace line carries one, and snprintf's format
    // parsing was near a third of the cost of a ledger line. A TimePoint's years are 1677-2262.
    std::string out = "0000-00-00T00:00:00.000Z";
    auto put = [&out](size_t at, int value, int width) {
        for (int i = width - 1; i >= 0; --i, value /= 10)
            out[at + size_t(i)] = char('0' + value % 10);
    };
    put(0, int(c.date.year()), 4);
    put(5, int(unsigned(c.date.month())), 2);
    put(8, int(unsigned(c.date.day())), 2);
    put(11, int(c.time.hours().count()), 2);
    put(14, int(c.time.minutes().count()), 2);
    put(17, int(c.time.seconds().count()), 2);
    put(20, int(c.time.subseconds().count() / 1000), 3);
    return out;
}

// The leading parts of the millisecond form: "YYYY-MM-DDTHH:MM:SS" + "Z", and "YYYY-MM-DD".
std::string format_rfc3339_s(TimePoint when) {
    std::string text = format_rfc3339_ms(when);
    text.resize(19);
    text.push_back('Z');
    return text;
}

std::string format_utc_date(TimePoint when) {
    std::string text = format_rfc3339_ms(when);
    text.resize(10);
    return text;
}

std::optional<TimePoint> parse_utc_date(std::string_view text) {
    if (text.size() != 10) return std::nullopt;
    auto day = parse_date_prefix(text);
    if (!day) return std::nullopt;
    return TimePoint{*day};
}

std::optional<TimePoint> parse_rfc3339(std::string_view s) {
    auto day = parse_date_prefix(s);
    if (!day || s.size() < 20) return std::nullopt;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
    if (s[13] != ':' || s[16] != ':') return std::nullopt;
    int hh = digits(s, 11, 2), mm = digits(s, 14, 2), ss = digits(s, 17, 2);
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60) return std::nullopt;
    size_t pos = 19;
    int64_t micros = 0;
    if (s[pos] == '.') {
        ++pos;
        size_t start = pos;
        int64_t scale = 100000;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            micros += (s[pos] - '0') * scale;
            scale /= 10;
            ++pos;
        }
        if (pos == start) return std::nullopt;
    }
    if (pos >= s.size()) return std::nullopt;
    seconds offset{0};
    if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
        int oh = digits(s, pos + 1, 2), om = digits(s, pos + 4, 2);
        if (oh < 0 || om < 0 || oh > 23 || om > 59 || s[pos + 3] != ':') return std::nullopt;
        offset = hours{oh} + minutes{om};
        if (s[pos] == '-') offset = -offset;
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
    // A leap second (":60") is read as the first instant of the next minute.
    auto local = *day + hours{hh} + minutes{mm} + seconds{ss} + microseconds{micros};
    return TimePoint{duration_cast<Clock::duration>((local - offset).time_since_epoch())};
}

}  // namespace otari::util
