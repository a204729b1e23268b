#include "ledger/money.hpp"

#include <cmath>
#include <limits>

namespace otari::ledger {
namespace {

// |value| as unsigned, correct for INT64_MIN as well.
uint64_t magnitude(int64_t value) {
    return value < 0 ? uint64_t(0) - uint64_t(value) : uint64_t(value);
}

std::string group_thousands(uint64_t value) {
    std::string digits = std::to_string(value);
    std::string out;
    out.reserve(digits.size() + digits.size() / 3);
    size_t lead = digits.size() % 3;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && i >= lead && (i - lead) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return out;
}

}  // namespace

std::string format_usd_exact(int64_t micro_usd) {
    uint64_t mag = magnitude(micro_usd);
    std::string frac = std::to_string(mag % k_micro_per_usd);
    frac.insert(0, 6 - frac.size(), '0');
    std::string text = micro_usd < 0 ? "-" : "";
    text.append(std::to_string(mag / k_micro_per_usd)).append(".").append(frac);
    return text;
}

std::string format_usd_cents(int64_t micro_usd) {
    uint64_t cents = (magnitude(micro_usd) + 5'000) / 10'000;
    std::string frac = std::to_string(cents % 100);
    if (frac.size() < 2) frac.insert(0, 1, '0');
    std::string text = micro_usd < 0 && cents != 0 ? "-$" : "$";
    text.append(group_thousands(cents / 100)).append(".").append(frac);
    return text;
}

std::string format_usd(int64_t micro_usd) {
    uint64_t mag = magnitude(micro_usd);
    std::string frac = std::to_string(mag % k_micro_per_usd);
    frac.insert(0, 6 - frac.size(), '0');
    while (frac.size() > 2 && frac.back() == '0') frac.pop_back();
    std::string text = micro_usd < 0 ? "-$" : "$";
    text.append(group_thousands(mag / k_micro_per_usd)).append(".").append(frac);
    return text;
}

std::string format_thousands(int64_t value) {
    std::string text = value < 0 ? "-" : "";
    return text.append(group_thousands(magnitude(value)));
}

std::optional<int64_t> parse_usd_micro(std::string_view text) {
    size_t pos = 0;
    bool negative = false;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) negative = text[pos++] == '-';
    constexpr uint64_t k_max_whole =
        uint64_t(std::numeric_limits<int64_t>::max()) / k_micro_per_usd;
    uint64_t whole = 0;
    size_t whole_digits = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++whole_digits) {
        whole = whole * 10 + uint64_t(text[pos] - '0');
        if (whole > k_max_whole) return std::nullopt;
    }
    uint64_t frac = 0;
    size_t frac_digits = 0;
    bool round_up = false;
    if (pos < text.size() && text[pos] == '.') {
        for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
            if (frac_digits < 6) {
                frac = frac * 10 + uint64_t(text[pos] - '0');
            } else if (frac_digits == 6) {
                round_up = text[pos] >= '5';
            }
            ++frac_digits;
        }
    }
    if (pos != text.size() || whole_digits + frac_digits == 0) return std::nullopt;
    for (size_t i = frac_digits; i < 6; ++i) frac *= 10;
    uint64_t micro = whole * k_micro_per_usd + frac + (round_up ? 1 : 0);
    if (micro > uint64_t(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return negative ? -int64_t(micro) : int64_t(micro);
}

std::optional<int64_t> usd_micro_from_double(double usd) {
    if (!std::isfinite(usd) || std::fabs(usd) > 9e12) return std::nullopt;
    return int64_t(std::llround(usd * double(k_micro_per_usd)));
}

}  // namespace otari::ledger
