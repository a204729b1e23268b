#include "pricing/listing.hpp"

#include <set>

#include "pricing/model_id.hpp"
#include "pricing/money.hpp"

namespace otari::pricing {
namespace {

// Rates are pico-dollars per token, which is micro-dollars per million tokens.
json per_mtok(std::int64_t rate) { return usd_json_number(rate); }

void put_rates(json& out, const Rates& rates) {
    out["input_per_mtok"] = per_mtok(rates.input);
    out["output_per_mtok"] = per_mtok(rates.output);
    out["cache_read_per_mtok"] = per_mtok(rates.cache_read.value_or(rates.input));
    out["cache_write_per_mtok"] = per_mtok(rates.cache_write.value_or(rates.input));
}

json model_json(const std::string& provider, const ModelListing& m) {
    json out = {{"id", m.model},
                {"selector", provider + ":" + m.model},
                {"declared", m.declared},
                {"priced", m.price.has_value()}};
    if (!m.price) {
        out["pricing_source"] = nullptr;
        for (const char* key : {"input_per_mtok", "output_per_mtok", "cache_read_per_mtok",
                                "cache_write_per_mtok", "context_window"}) {
            out[key] = nullptr;
        }
        out["tiers"] = json::array();
        return out;
    }
    const Prices& prices = m.price->prices;
    out["pricing_source"] = std::string(to_string(m.price->source));
    put_rates(out, prices.rates);
    out["context_window"] = prices.context_window ? json(*prices.context_window) : json(nullptr);
    out["tiers"] = json::array();
    for (const auto& tier : prices.tiers) {
        json t = {{"above_prompt_tokens", tier.above_prompt_tokens}};
        put_rates(t, tier.rates);
        out["tiers"].push_back(std::move(t));
    }
    return out;
}

}  // namespace

std::vector<ProviderListing> list_models(const std::vector<ProviderModels>& providers,
                                         const Catalog& catalog, Instant at) {
    std::vector<ProviderListing> out;
    for (const auto& p : providers) {
        ProviderListing listing{p, {}};
        std::set<std::string> seen;
        auto add = [&](const std::string& model, bool declared) {
            if (!seen.insert(normalized_model_id(model)).second) return;
            listing.models.push_back({model, declared, catalog.lookup(p.provider, model, at)});
        };
        for (const auto& model : p.declared) add(model, true);
        for (const auto& model : catalog.models_of(p.provider)) add(model, false);
        out.push_back(std::move(listing));
    }
    return out;
}

json listing_json(const std::vector<ProviderListing>& listing) {
    json out = json::array();
    for (const auto& p : listing) {
        json models = json::array();
        for (const auto& m : p.models) models.push_back(model_json(p.provider.provider, m));
        out.push_back(
            {{"provider", p.provider.provider},
             {"key_missing", p.provider.key_missing},
             {"key_env", p.provider.key_env.empty() ? json(nullptr) : json(p.provider.key_env)},
             {"models", std::move(models)}});
    }
    return out;
}

}  // namespace otari::pricing
