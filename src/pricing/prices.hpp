#pragma once
// A model's token prices and the cost of one call. Units are in pricing/money.hpp: rates are
// pico-dollars per token, exact costs pico-dollars, settled costs micro-dollars.
#include <cstdint>
#include <optional>
#include <vector>

namespace otari::pricing {

// Pico-dollars per token for each kind of token.
struct Rates {
    std::int64_t input = 0;
    std::int64_t output = 0;
    std::optional<std::int64_t> cache_read;      // unset: cache reads cost `input`
    std::optional<std::int64_t> cache_write;     // 5-minute writes; unset: they cost `input`
    std::optional<std::int64_t> cache_write_1h;  // 1-hour writes; unset: they cost as 5-minute ones

    bool operator==(const Rates&) const = default;
};

// Long-context pricing: once a call's prompt exceeds `above_prompt_tokens`, `rates` apply to
// all of that call's tokens (the rule of Anthropic's and Google's long-context prices).
struct Tier {
    std::int64_t above_prompt_tokens = 0;
    Rates rates;

    bool operator==(const Tier&) const = default;
};

struct Prices {
    Rates rates;                                 // below every tier's threshold
    std::vector<Tier> tiers;                     // ascending thresholds; empty for flat prices
    std::optional<std::int64_t> context_window;  // in tokens, when known

    bool operator==(const Prices&) const = default;
};

// Token counts of one call in Anthropic's convention: `input` excludes cache reads and cache
// writes, so the four counts are disjoint and the prompt is their sum without `output`.
// Negative counts are taken as 0.
struct UsageTokens {
    std::int64_t input = 0;
    std::int64_t output = 0;
    std::int64_t cache_read = 0;
    std::int64_t cache_write = 0;     // all cache writes, whatever their lifetime
    std::int64_t cache_write_1h = 0;  // the part of cache_write with a 1-hour lifetime

    bool operator==(const UsageTokens&) const = default;
};

// Usage in the OpenAI / Gemini convention, where prompt tokens include cached ones.
UsageTokens usage_from_inclusive_prompt(std::int64_t prompt_tokens, std::int64_t cached_tokens,
                                        std::int64_t output_tokens);

// input + cache_read + cache_write: what tier thresholds are compared with.
std::int64_t prompt_tokens(const UsageTokens& usage);

// The rates of the highest tier whose threshold the prompt exceeds, else the base rates.
const Rates& rates_for(const Prices& prices, std::int64_t prompt_tokens);

// Exact cost of one call in pico-dollars. Throws std::overflow_error past int64 (beyond
// $9.2 million in one call).
std::int64_t cost_pico_usd(const Prices& prices, const UsageTokens& usage);

// Settled cost of one call in micro-dollars: the exact cost rounded half up once, so meters
// below half a micro-dollar each still add up within the call.
std::int64_t cost_micro_usd(const Prices& prices, const UsageTokens& usage);

}  // namespace otari::pricing
