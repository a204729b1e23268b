#pragma once
// Money is integer in otari, never floating point. Three units:
//
// - a rate is pico-dollars per token (1 pUSD = 1e-12 USD). Pico-dollars per token are
//   numerically micro-dollars per million tokens, so a price written in USD per million
//   tokens with up to 6 decimals is exact: $0.075/Mtok = 75,000 pUSD/token, $3/Mtok = 3,000,000;
// - an exact cost is pico-dollars: tokens x rate, no rounding (int64 holds up to $9.2 million);
// - a settled cost is micro-dollars (1e-6 USD): the exact cost of one call rounded half up,
//   once. This is the unit of the ledger and of "cost_usd" (6 decimals), as in Python otari.
#include <cstdint>
#include <string>
#include <string_view>

namespace otari::pricing {

inline constexpr std::int64_t k_pico_per_micro = 1'000'000;
inline constexpr std::int64_t k_micro_per_usd = 1'000'000;
// The largest price accepted from text or config: $1,000,000 per million tokens.
inline constexpr std::int64_t k_max_rate = 1'000'000 * k_micro_per_usd;

// Pico-dollars to micro-dollars, rounding half away from zero.
std::int64_t round_pico_to_micro(std::int64_t pico);

// USD per million tokens as decimal text -> pico-dollars per token: "0.075" -> 75000.
// Accepts digits with an optional fraction and exponent ("3", "0.075", ".5", "7.5e-2");
// digits past the 6th decimal round half up. Throws std::invalid_argument for anything else
// (including a sign), std::out_of_range above k_max_rate.
std::int64_t parse_usd_per_mtok(std::string_view text);

// The same for a number read from a config file. The double is read through its shortest
// round-trip decimal form (0.075 -> "0.075"), so the decimal the user wrote counts, not its
// binary approximation. Throws std::invalid_argument for NaN, infinity or a negative value.
std::int64_t parse_usd_per_mtok(double value);

// Micro-dollars as a decimal with `decimals` places (0 to 6), rounding half away from zero:
// (1234567, 2) -> "1.23", (75, 6) -> "0.000075", (-5, 6) -> "-0.000005".
std::string format_usd(std::int64_t micro, int decimals);

// format_usd with 6 places, then trailing zeros dropped down to `min_decimals` places:
// (3000000, 2) -> "3.00", (75000, 2) -> "0.075". Given a rate, this prints USD per Mtok.
std::string format_usd_trimmed(std::int64_t micro, int min_decimals = 2);

// The JSON number for an amount of micro-dollars: the double nearest micro / 10^6. Its
// shortest form, which is what the JSON writer prints, is the exact decimal (1.234567,
// 7.5e-05) for any amount below $9 billion.
double usd_json_number(std::int64_t micro);

}  // namespace otari::pricing
