#include "pricing/money.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace otari::pricing {
namespace {

constexpr int k_rate_decimals = 6;  // decimal places of USD/Mtok that a pico/token rate keeps

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::int64_t pow10(int n) {
    std::int64_t p = 1;
    while (n-- > 0) p *= 10;
    return p;
}

}  // namespace

std::int64_t round_pico_to_micro(std::int64_t pico) {
    std::int64_t quotient = pico / k_pico_per_micro;
    std::int64_t remainder = pico % k_pico_per_micro;
    if (remainder >= k_pico_per_micro / 2) ++quotient;
    if (remainder <= -k_pico_per_micro / 2) --quotient;
    return quotient;
}

std::int64_t parse_usd_per_mtok(std::string_view text) {
    const std::string shown = std::string("\"").append(text).append("\"");
    // Mantissa digits without the point; `scale` = how many of them are decimals.
    std::string digits;
    int scale = 0;
    size_t i = 0;
    while (i < text.size() && is_digit(text[i])) digits += text[i++];
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && is_digit(text[i])) {
            digits += text[i++];
            ++scale;
        }
    }
    if (digits.empty()) throw std::invalid_argument("expected a price such as 0.075, got " + shown);
    int exponent = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        const char* begin = text.data() + i;
        if (i < text.size() && text[i] == '+') ++begin;
        auto [end, ec] = std::from_chars(begin, text.data() + text.size(), exponent);
        if (ec != std::errc() || end == begin) {
            throw std::invalid_argument("expected a price such as 0.075, got " + shown);
        }
        i = size_t(end - text.data());
    }
    if (i != text.size())
        throw std::invalid_argument("expected a price such as 0.075, got " + shown);

    size_t nonzero = digits.find_first_not_of('0');
    if (nonzero == std::string::npos) return 0;
    digits.erase(0, nonzero);
    // value = digits x 10^shift pico-dollars per token
    const long shift = long(exponent) - scale + k_rate_decimals;
    const long integer_digits = long(digits.size()) + shift;
    if (integer_digits > 13)
        throw std::out_of_range("price " + shown + " is above $1,000,000 per Mtok");
    std::int64_t pico = 0;
    for (long d = 0; d < integer_digits; ++d) {
        pico = pico * 10 + (d < long(digits.size()) ? digits[size_t(d)] - '0' : 0);
    }
    if (integer_digits >= 0 && integer_digits < long(digits.size()) &&
        digits[size_t(integer_digits)] >= '5') {
        ++pico;
    }
    if (pico > k_max_rate)
        throw std::out_of_range("price " + shown + " is above $1,000,000 per Mtok");
    return pico;
}

std::int64_t parse_usd_per_mtok(double value) {
    if (!std::isfinite(value) || value < 0) {
        throw std::invalid_argument("expected a price of 0 or more, got " + std::to_string(value));
    }
    if (value == 0) return 0;  // also -0.0, whose text would carry a sign
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    if (ec != std::errc())
        throw std::invalid_argument("cannot format price " + std::to_string(value));
    return parse_usd_per_mtok(std::string_view(buffer, size_t(end - buffer)));
}

std::string format_usd(std::int64_t micro, int decimals) {
    if (decimals < 0 || decimals > 6)
        throw std::invalid_argument("format_usd: decimals must be 0 to 6");
    const bool negative = micro < 0;
    // Work unsigned so that INT64_MIN has a magnitude.
    std::uint64_t magnitude = negative ? 0 - std::uint64_t(micro) : std::uint64_t(micro);
    const std::uint64_t divisor = std::uint64_t(pow10(6 - decimals));
    std::uint64_t rounded = magnitude / divisor;
    if (divisor > 1 && magnitude % divisor >= divisor / 2) ++rounded;
    const std::uint64_t unit = std::uint64_t(pow10(decimals));
    std::string out = (negative && rounded != 0) ? "-" : "";
    out += std::to_string(rounded / unit);
    if (decimals > 0) {
        std::string fraction = std::to_string(rounded % unit);
        out += '.';
        out.append(size_t(decimals) - fraction.size(), '0');
        out += fraction;
    }
    return out;
}

std::string format_usd_trimmed(std::int64_t micro, int min_decimals) {
    std::string text = format_usd(micro, 6);
    const size_t point = text.find('.');
    const size_t keep = point + 1 + size_t(std::max(0, min_decimals));
    while (text.size() > keep && text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    return text;
}

double usd_json_number(std::int64_t micro) {
    return static_cast<double>(micro) / static_cast<double>(k_micro_per_usd);
}

}  // namespace otari::pricing
