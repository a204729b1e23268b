#pragma once
// Prices by (provider, model): the embedded genai-prices snapshot (catalog_data.cpp), free
// local servers, and overrides from config. Const methods are safe to call from many threads.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pricing/prices.hpp"

namespace otari::pricing {

enum class PriceSource {
    override_config,  // [pricing."provider:model"] or set_override()
    catalog,          // the embedded snapshot
    local_server,     // a model on the user's own machine: free
};

struct PriceMatch {
    Prices prices;
    PriceSource source = PriceSource::catalog;
    std::string provider;  // whose price it is: for "openrouter:anthropic/x" maybe "anthropic"
    std::string model;     // the catalog's model id, or the override's model

    bool operator==(const PriceMatch&) const = default;
};

// "override", "catalog" or "local": for logs and JSON.
std::string_view to_string(PriceSource source);

// An instant, to the second, for choosing among dated and time-of-day prices.
using Instant = std::chrono::sys_seconds;
Instant now();

class Catalog {
  public:
    // The embedded snapshot, without overrides.
    Catalog();

    // The prices of `model` served by otari provider `provider` ("anthropic", "openrouter", ...)
    // today, or nullopt when unknown.
    std::optional<Prices> find(std::string_view provider, std::string_view model) const;

    // As find(), with where the prices come from, for a call made at `at`. Order:
    // 1. an override for (provider, model), then for the model's undated name;
    // 2. providers named ollama, llamafile, llamacpp, lmstudio or vllm: free;
    // 3. the provider's catalog models, model ids compared case-insensitively: exact id, then
    //    the dataset's match rules (prefix, regex, ...) in dataset order, then the same with
    //    dates dashed (genai-prices' rule), then the undated name ("x-20250929" -> "x");
    // 4. openrouter only: "vendor/model" priced as `model` at the vendor's provider
    //    ("anthropic/claude-sonnet-4.5" -> anthropic's claude-sonnet-4-5), except ":free" ids.
    // Provider names google, moonshotai, x-ai and together_ai are read as gemini, moonshot,
    // xai and together.
    // Among the catalog's price entries for the model, dated changes apply from their date on
    // and time-of-day prices (DeepSeek's peak hours) within their UTC window.
    std::optional<PriceMatch> lookup(std::string_view provider, std::string_view model,
                                     Instant at) const;
    std::optional<PriceMatch> lookup(std::string_view provider, std::string_view model) const;

    // Prices for (provider, model) that win over everything else. The model id is compared
    // case-insensitively; an override of an undated name also covers its dated snapshots.
    void set_override(std::string_view provider, std::string_view model, Prices prices);

    // The catalog's current (not deprecated) model ids for a provider, sorted.
    std::vector<std::string> models_of(std::string_view provider) const;

    // Number of embedded models, over all providers.
    std::size_t model_count() const;

    // Embedded match rules that std::regex could not compile (they never match); 0 expected.
    std::size_t unusable_rules() const;

    // Name and license of the embedded data.
    static std::string_view source();

    struct Embedded;

  private:
    std::optional<PriceMatch> find_override(std::string_view provider,
                                            const std::string& model) const;

    std::shared_ptr<const Embedded> embedded_;  // shared by all copies
    std::map<std::pair<std::string, std::string>, Prices, std::less<>> overrides_;
};

// The embedded catalog without overrides, built on first use.
const Catalog& builtin_catalog();

}  // namespace otari::pricing
