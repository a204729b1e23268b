// otari models [--provider P] [--json]
// Lists the models this configuration can serve, with prices per million tokens and context
// windows: each usable provider's declared models, then the embedded catalog's.
#include <iostream>

#include "cli/commands.hpp"
#include "config/builtin_providers.hpp"
#include "config/config.hpp"
#include "pricing/catalog.hpp"
#include "pricing/config_prices.hpp"
#include "pricing/listing.hpp"
#include "pricing/money.hpp"
#include "util/json.hpp"

namespace otari::cli {
namespace {

struct ModelsOptions {
    std::string provider;
    bool json = false;
};

// 1234567 -> "1,234,567"
std::string with_thousands(std::int64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
        out += digits[i];
    }
    return out;
}

pricing::ProviderModels provider_models(const config::Provider& p) {
    pricing::ProviderModels out;
    out.provider = p.name;
    out.declared = p.models;
    out.key_missing = p.needs_key && p.api_key.empty();
    out.key_env = p.key_env;
    return out;
}

// The providers to list: the usable ones, or the one asked for. A built-in provider that is
// not usable for want of a key is listed when asked for by name, marked as missing its key.
std::optional<std::vector<pricing::ProviderModels>> select_providers(const config::Config& config,
                                                                     const std::string& wanted) {
    std::vector<pricing::ProviderModels> out;
    for (const auto& [name, p] : config.providers) {
        if (wanted.empty() || name == wanted) out.push_back(provider_models(p));
    }
    if (!wanted.empty() && out.empty()) {
        const config::BuiltinProvider* builtin = config::find_builtin(wanted);
        if (!builtin) return std::nullopt;
        out.push_back({wanted, {}, true, std::string(builtin->key_env)});
    }
    return out;
}

// Built-in providers left out because their key is not set.
std::vector<std::string> providers_without_key(const config::Config& config) {
    std::vector<std::string> out;
    for (const auto& b : config::builtin_providers()) {
        if (!config.providers.count(std::string(b.name))) {
            out.push_back(std::string(b.name) + " (" + std::string(b.key_env) + ")");
        }
    }
    return out;
}

std::string price_cell(const std::optional<pricing::PriceMatch>& price,
                       std::int64_t pricing::Rates::*rate) {
    if (!price) return "-";
    return pricing::format_usd_trimmed(price->prices.rates.*rate);
}

std::string cache_cell(const std::optional<pricing::PriceMatch>& price,
                       std::optional<std::int64_t> pricing::Rates::*rate) {
    if (!price) return "-";
    const pricing::Rates& r = price->prices.rates;
    return pricing::format_usd_trimmed((r.*rate).value_or(r.input));
}

std::string note_cell(const std::string& provider, const pricing::ModelListing& m) {
    if (!m.price) return "no known price";
    std::string note;
    auto add = [&](const std::string& text) { note += (note.empty() ? "" : ", ") + text; };
    if (m.price->source == pricing::PriceSource::override_config) add("config price");
    if (m.price->source == pricing::PriceSource::local_server) add("local: free");
    if (m.price->source == pricing::PriceSource::catalog && m.price->provider != provider) {
        add("priced as " + m.price->provider + ":" + m.price->model);
    }
    if (!m.price->prices.tiers.empty()) {
        add("more above " + with_thousands(m.price->prices.tiers.front().above_prompt_tokens) +
            " prompt tokens");
    }
    return note;
}

using Row = std::vector<std::string>;

void print_table(const std::vector<pricing::ProviderListing>& listing) {
    const Row header = {"MODEL", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE", "CONTEXT", "NOTE"};
    std::vector<std::vector<Row>> rows(listing.size());
    std::vector<size_t> width(header.size());
    for (size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
    for (size_t i = 0; i < listing.size(); ++i) {
        const std::string& provider = listing[i].provider.provider;
        for (const auto& m : listing[i].models) {
            const auto& price = m.price;
            Row row = {m.model,
                       price_cell(price, &pricing::Rates::input),
                       price_cell(price, &pricing::Rates::output),
                       cache_cell(price, &pricing::Rates::cache_read),
                       cache_cell(price, &pricing::Rates::cache_write),
                       price && price->prices.context_window
                           ? with_thousands(*price->prices.context_window)
                           : "-",
                       note_cell(provider, m)};
            for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
            rows[i].push_back(std::move(row));
        }
    }
    auto print_row = [&](const Row& row) {
        std::string line = "  " + row[0] + std::string(width[0] - row[0].size(), ' ');
        for (size_t c = 1; c + 1 < row.size(); ++c) {  // numbers, right-aligned
            line += "  " + std::string(width[c] - row[c].size(), ' ') + row[c];
        }
        if (!row.back().empty()) line += "  " + row.back();
        std::cout << line << "\n";
    };

    std::cout << "Prices in USD per million tokens.\n";
    for (size_t i = 0; i < listing.size(); ++i) {
        const auto& p = listing[i].provider;
        std::cout << "\n" << p.provider;
        if (p.key_missing) {
            std::cout << "  (key missing: "
                      << (p.key_env.empty() ? "set api_key in [providers." + p.provider + "]"
                                            : "set " + p.key_env)
                      << ")";
        }
        std::cout << "\n";
        if (rows[i].empty()) {
            std::cout << "  (no models known: list them with models = [...] in [providers."
                      << p.provider << "])\n";
            continue;
        }
        print_row(header);
        for (const auto& row : rows[i]) print_row(row);
    }
}

int run_models(const GlobalOptions& global, const ModelsOptions& opts) {
    auto loaded = load_config(global);
    if (!loaded) return k_exit_config;
    config::Config config = std::move(*loaded);
    auto providers = select_providers(config, opts.provider);
    if (!providers) {
        print_error("no provider named '" + opts.provider + "' (see [providers.NAME] in " +
                    config.source + ")");
        return k_exit_usage;
    }
    const pricing::Catalog catalog =
        pricing::with_config_overrides(pricing::builtin_catalog(), config.pricing);
    const auto listing = pricing::list_models(*providers, catalog, pricing::now());

    if (opts.json) {
        std::cout << pricing::listing_json(listing).dump(2, ' ', false,
                                                         json::error_handler_t::replace)
                  << std::endl;
        return k_exit_ok;
    }
    if (config.mode == config::Mode::hybrid) {
        std::cout << "Hybrid mode: the platform at " << config.platform.base_url
                  << " decides which models each token may use and supplies the provider keys;\n"
                     "otari has no providers of its own (the local ledger prices calls from the embedded catalog).\n\n";
    }
    print_table(listing);
    if (opts.provider.empty() && config.mode == config::Mode::standalone) {
        const auto missing = providers_without_key(config);
        if (!missing.empty()) {
            std::cout << "\nNot listed, no key set:";
            for (size_t i = 0; i < missing.size(); ++i) std::cout << (i ? ", " : " ") << missing[i];
            std::cout << "\n";
        }
    }
    std::cout << "\nPrices: " << pricing::Catalog::source()
              << ", and [pricing.\"provider:model\"] in config.\n";
    std::cout.flush();
    return k_exit_ok;
}

}  // namespace

Runner add_models(CLI::App& app, GlobalOptions& global) {
    auto* cmd =
        app.add_subcommand("models", "List the models this configuration can serve, with prices");
    auto opts = std::make_shared<ModelsOptions>();
    cmd->add_option("-p,--provider", opts->provider, "Only this provider")->type_name("NAME");
    cmd->add_flag("--json", opts->json, "Print JSON");
    return [&global, opts]() { return run_models(global, *opts); };
}

}  // namespace otari::cli
