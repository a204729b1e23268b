#include "pricing/prices.hpp"

#include <algorithm>
#include <stdexcept>

#include "pricing/money.hpp"

namespace otari::pricing {
namespace {

std::int64_t non_negative(std::int64_t n) { return std::max<std::int64_t>(n, 0); }

// total += tokens x rate, refusing to wrap around.
void add_charge(std::int64_t& total, std::int64_t tokens, std::int64_t rate) {
    std::int64_t charge = 0;
    if (__builtin_mul_overflow(tokens, rate, &charge) ||
        __builtin_add_overflow(total, charge, &total)) {
        throw std::overflow_error("call cost exceeds the range of the money type");
    }
}

}  // namespace

UsageTokens usage_from_inclusive_prompt(std::int64_t prompt_tokens, std::int64_t cached_tokens,
                                        std::int64_t output_tokens) {
    UsageTokens usage;
    usage.cache_read = std::clamp<std::int64_t>(cached_tokens, 0, non_negative(prompt_tokens));
    usage.input = non_negative(prompt_tokens) - usage.cache_read;
    usage.output = non_negative(output_tokens);
    return usage;
}

std::int64_t prompt_tokens(const UsageTokens& usage) {
    return non_negative(usage.input) + non_negative(usage.cache_read) +
           non_negative(usage.cache_write);
}

const Rates& rates_for(const Prices& prices, std::int64_t prompt) {
    const Rates* chosen = &prices.rates;
    for (const auto& tier : prices.tiers) {
        if (prompt > tier.above_prompt_tokens) chosen = &tier.rates;
    }
    return *chosen;
}

std::int64_t cost_pico_usd(const Prices& prices, const UsageTokens& usage) {
    const Rates& rates = rates_for(prices, prompt_tokens(usage));
    const std::int64_t cache_write = non_negative(usage.cache_write);
    const std::int64_t cache_write_1h = std::min(non_negative(usage.cache_write_1h), cache_write);
    const std::int64_t write_rate = rates.cache_write.value_or(rates.input);

    std::int64_t total = 0;
    add_charge(total, non_negative(usage.input), rates.input);
    add_charge(total, non_negative(usage.output), rates.output);
    add_charge(total, non_negative(usage.cache_read), rates.cache_read.value_or(rates.input));
    add_charge(total, cache_write - cache_write_1h, write_rate);
    add_charge(total, cache_write_1h, rates.cache_write_1h.value_or(write_rate));
    return total;
}

std::int64_t cost_micro_usd(const Prices& prices, const UsageTokens& usage) {
    return round_pico_to_micro(cost_pico_usd(prices, usage));
}

}  // namespace otari::pricing
