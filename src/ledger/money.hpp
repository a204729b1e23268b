#pragma once
// Money as an exact integer count of micro-dollars ($0.000001), the unit the ledger and the
// budgets count in. Conversions to and from text are exact; nothing goes through a double
// except usd_micro_from_double, which exists for JSON numbers that are doubles already.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace otari::ledger {

inline constexpr int64_t k_micro_per_usd = 1'000'000;

// "1.234567", "-0.000001", "0.000000": always six decimals, no sign for zero, no exponent.
std::string format_usd_exact(int64_t micro_usd);
// "$1,234.57": rounded half away from zero to the cent, thousands separators, "-$0.10".
std::string format_usd_cents(int64_t micro_usd);
// "$4.98", "$1,234.50", "$0.0115", "$4.995": whole cents with two decimals, otherwise as many
// decimals as needed (up to six), so no amount is shown rounded. For messages.
std::string format_usd(int64_t micro_usd);
// "1,234,567" (and "-1,234").
std::string format_thousands(int64_t value);

// Parse a plain decimal ("5", "4.98", "-0.000001", "1e-6" is refused) exactly. More than six
// decimals are rounded half away from zero. nullopt when malformed or out of range.
std::optional<int64_t> parse_usd_micro(std::string_view text);
// Round a double dollar amount to micro-dollars (exact for |usd| < 9e9, which is all of them).
// nullopt for NaN, infinity or out of range.
std::optional<int64_t> usd_micro_from_double(double usd);

}  // namespace otari::ledger
