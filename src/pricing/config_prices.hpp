#pragma once
// Config [pricing."provider:model"] tables -> catalog overrides.
#include <map>
#include <string>

#include "config/config.hpp"
#include "pricing/catalog.hpp"

namespace otari::pricing {

// The prices a [pricing."provider:model"] table stands for, given what `base` knows of the
// model. A table that sets no price keeps the catalog's prices (tiers included) and may only
// change the context window. A table that sets any price makes the model flat-priced: the set
// fields replace the catalog's base rates and long-context tiers are dropped; for a model the
// catalog does not know, unset input/output cost 0 and unset cache rates fall back to input.
// Prices are converted exactly from their decimal form (parse_usd_per_mtok).
Prices override_prices(const Catalog& base, const std::string& selector,
                       const config::PriceOverride& entry);

// A copy of `base` with every config entry installed as an override.
Catalog with_config_overrides(const Catalog& base,
                              const std::map<std::string, config::PriceOverride>& pricing);

}  // namespace otari::pricing
