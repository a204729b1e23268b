#pragma once
// The rows of `otari models`: what each usable provider can serve, with prices.
#include <optional>
#include <string>
#include <vector>

#include "pricing/catalog.hpp"
#include "util/json.hpp"

namespace otari::pricing {

// One provider as configured.
struct ProviderModels {
    std::string provider;
    std::vector<std::string> declared;  // models listed in config, in config order
    bool key_missing = false;           // it needs a key and has none
    std::string key_env;                // where its key would come from, if anywhere
};

struct ModelListing {
    std::string model;
    bool declared = false;            // listed in config (else only in the catalog)
    std::optional<PriceMatch> price;  // nullopt: no known price
};

struct ProviderListing {
    ProviderModels provider;
    std::vector<ModelListing> models;  // declared ones first, then the catalog's, sorted
};

// For each provider: its declared models, then the catalog's current models for it that were
// not declared (ids compared case-insensitively), each priced through `catalog` for a call at `at`
// (prices can depend on the date and the time of day).
std::vector<ProviderListing> list_models(const std::vector<ProviderModels>& providers,
                                         const Catalog& catalog, Instant at);

// JSON form: [{"provider", "key_missing", "key_env", "models": [{"id", "selector", "declared",
// "priced", "pricing_source", "input_per_mtok", "output_per_mtok", "cache_read_per_mtok",
// "cache_write_per_mtok", "context_window", "tiers": [{"above_prompt_tokens", ...}]}]}].
// Prices are USD per million tokens as exact decimals; unknown values are null. A cache price
// the catalog does not list is shown as the rate actually charged (the input price).
json listing_json(const std::vector<ProviderListing>& listing);

}  // namespace otari::pricing
