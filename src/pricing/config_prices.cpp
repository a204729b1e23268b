#include "pricing/config_prices.hpp"

#include "pricing/money.hpp"

namespace otari::pricing {
namespace {

struct Selector {
    std::string provider;
    std::string model;
};

// "provider:model", split at the first ':' (model ids such as "qwen3:8b" keep theirs).
Selector split_selector(const std::string& selector) {
    const size_t colon = selector.find(':');
    if (colon == std::string::npos) return {selector, ""};
    return {selector.substr(0, colon), selector.substr(colon + 1)};
}

}  // namespace

Prices override_prices(const Catalog& base, const std::string& selector,
                       const config::PriceOverride& entry) {
    const Selector s = split_selector(selector);
    std::optional<Prices> known = base.find(s.provider, s.model);
    Prices prices = known.value_or(Prices{});
    const bool sets_price = entry.input_per_mtok || entry.output_per_mtok ||
                            entry.cache_read_per_mtok || entry.cache_write_per_mtok;
    if (sets_price) {
        prices.tiers.clear();
        if (entry.input_per_mtok) prices.rates.input = parse_usd_per_mtok(*entry.input_per_mtok);
        if (entry.output_per_mtok) prices.rates.output = parse_usd_per_mtok(*entry.output_per_mtok);
        if (entry.cache_read_per_mtok) {
            prices.rates.cache_read = parse_usd_per_mtok(*entry.cache_read_per_mtok);
        }
        if (entry.cache_write_per_mtok) {
            // One configured write price covers both cache lifetimes.
            prices.rates.cache_write = parse_usd_per_mtok(*entry.cache_write_per_mtok);
            prices.rates.cache_write_1h.reset();
        }
    }
    if (entry.context_window) prices.context_window = *entry.context_window;
    return prices;
}

Catalog with_config_overrides(const Catalog& base,
                              const std::map<std::string, config::PriceOverride>& pricing) {
    Catalog catalog = base;
    for (const auto& [selector, entry] : pricing) {
        const Selector s = split_selector(selector);
        catalog.set_override(s.provider, s.model, override_prices(base, selector, entry));
    }
    return catalog;
}

}  // namespace otari::pricing
