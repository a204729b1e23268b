#include "pricing/catalog.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <mutex>
#include <regex>

#include "pricing/catalog_data.hpp"
#include "pricing/model_id.hpp"

namespace otari::pricing {
namespace {

// Servers on the user's machine; what they run costs nothing per token.
constexpr std::array<std::string_view, 5> k_local_providers = {"ollama", "llamafile", "llamacpp",
                                                               "lmstudio", "vllm"};

// Other spellings of provider names (genai-prices' ids and common variants).
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> k_provider_aliases = {{
    {"google", "gemini"},
    {"moonshotai", "moonshot"},
    {"x-ai", "xai"},
    {"together_ai", "together"},
    {"together-ai", "together"},
}};

// OpenRouter's vendor prefixes -> the otari provider that sells the model first-hand.
constexpr std::array<std::pair<std::string_view, std::string_view>, 7> k_openrouter_vendors = {{
    {"anthropic", "anthropic"},
    {"openai", "openai"},
    {"google", "gemini"},
    {"x-ai", "xai"},
    {"mistralai", "mistral"},
    {"moonshotai", "moonshot"},
    {"deepseek", "deepseek"},
}};

template <size_t N>
std::optional<std::string_view> mapped(
    const std::array<std::pair<std::string_view, std::string_view>, N>& table,
    std::string_view key) {
    for (const auto& [from, to] : table) {
        if (from == key) return to;
    }
    return std::nullopt;
}

std::optional<std::int64_t> optional_rate(std::int64_t raw) {
    if (raw < 0) return std::nullopt;
    return raw;
}

Rates to_rates(const data::RateRow& row) {
    Rates r;
    r.input = std::max<std::int64_t>(row.input, 0);
    r.output = std::max<std::int64_t>(row.output, 0);
    r.cache_read = optional_rate(row.cache_read);
    r.cache_write = optional_rate(row.cache_write);
    r.cache_write_1h = optional_rate(row.cache_write_1h);
    return r;
}

// The date of `at` in UTC as YYYYMMDD, and its second of the UTC day.
std::int32_t yyyymmdd(Instant at) {
    const std::chrono::year_month_day date{std::chrono::floor<std::chrono::days>(at)};
    return std::int32_t(int(date.year()) * 10000 + int(unsigned(date.month())) * 100 +
                        int(unsigned(date.day())));
}

std::int32_t second_of_day(Instant at) {
    return std::int32_t((at - std::chrono::floor<std::chrono::days>(at)).count());
}

bool applies(const data::PeriodRow& period, Instant at) {
    switch (period.when) {
        case data::PriceWhen::always:
            return true;
        case data::PriceWhen::from_date:
            return yyyymmdd(at) >= period.starts_on;
        case data::PriceWhen::time_of_day: {
            const std::int32_t s = second_of_day(at);
            if (period.to_second < period.from_second) {
                return s >= period.from_second || s < period.to_second;
            }
            return s >= period.from_second && s < period.to_second;
        }
    }
    return false;
}

}  // namespace

// The embedded rows, indexed: built once, then read-only.
struct Catalog::Embedded {
    std::map<std::string, std::vector<std::size_t>, std::less<>>
        models_by_provider;  // dataset order

    Embedded() {
        const auto rows = data::models();
        for (std::size_t i = 0; i < rows.size(); ++i)
            models_by_provider[rows[i].provider].push_back(i);
    }

    // The regex rules by match-node index (nullopt: not a regex rule, or one std::regex could
    // not compile). Compiled by the first lookup that needs them, from any thread, not when
    // the gateway starts: their automata are most of the catalog's heap, and a gateway that
    // prices only models matched by name never builds them.
    const std::vector<std::optional<std::regex>>& regexes() const {
        std::call_once(m_regexes_once, [this] {
            const auto nodes = data::match_nodes();
            m_regexes.resize(nodes.size());
            for (std::size_t i = 0; i < nodes.size(); ++i) {
                if (nodes[i].op != data::MatchOp::regex) continue;
                try {
                    m_regexes[i].emplace(nodes[i].text,
                                         std::regex::ECMAScript | std::regex::optimize);
                } catch (const std::regex_error&) {
                    ++m_unusable_rules;
                }
            }
        });
        return m_regexes;
    }

    std::size_t unusable_rules() const {
        regexes();
        return m_unusable_rules;
    }

    bool matches(std::uint32_t node_index, const std::string& id) const {
        const data::MatchNode& node = data::match_nodes()[node_index];
        const std::string_view text = node.text;
        switch (node.op) {
            case data::MatchOp::equals:
                return id == text;
            case data::MatchOp::starts_with:
                return id.starts_with(text);
            case data::MatchOp::ends_with:
                return id.ends_with(text);
            case data::MatchOp::contains:
                return id.find(text) != std::string::npos;
            case data::MatchOp::regex: {
                const auto& regex = regexes()[node_index];
                return regex && std::regex_search(id, *regex);
            }
            case data::MatchOp::any_of:
                for (std::uint32_t i = 0; i < node.count; ++i) {
                    if (matches(node.first + i, id)) return true;
                }
                return false;
            case data::MatchOp::all_of:
                for (std::uint32_t i = 0; i < node.count; ++i) {
                    if (!matches(node.first + i, id)) return false;
                }
                return true;
        }
        return false;
    }

    // A provider's model row for a normalized id: exact id, then rules in dataset order.
    std::optional<std::size_t> find_row(const std::vector<std::size_t>& rows,
                                        const std::string& id) const {
        for (std::size_t row : rows) {
            if (id == data::models()[row].id) return row;
        }
        for (std::size_t row : rows) {
            if (matches(data::models()[row].match_root, id)) return row;
        }
        return std::nullopt;
    }

    std::optional<std::size_t> find_model(std::string_view provider, const std::string& id) const {
        auto it = models_by_provider.find(provider);
        if (it == models_by_provider.end()) return std::nullopt;
        if (auto row = find_row(it->second, id)) return row;
        if (auto dashed = with_dashed_dates(id)) {
            if (auto row = find_row(it->second, *dashed)) return row;
        }
        if (auto undated = without_date_suffix(id)) return find_row(it->second, *undated);
        return std::nullopt;
    }

    static Prices prices_of(const data::ModelRow& model, Instant at) {
        const auto periods = data::periods().subspan(model.first_period, model.period_count);
        const data::PeriodRow* current = &periods.front();
        for (auto it = periods.rbegin(); it != periods.rend(); ++it) {
            if (applies(*it, at)) {
                current = &*it;
                break;
            }
        }
        Prices prices;
        prices.rates = to_rates(current->base);
        for (const auto& tier : data::tiers().subspan(current->first_tier, current->tier_count)) {
            prices.tiers.push_back({tier.above_prompt_tokens, to_rates(tier.rates)});
        }
        if (model.context_window > 0) prices.context_window = model.context_window;
        return prices;
    }

  private:
    mutable std::once_flag m_regexes_once;
    mutable std::vector<std::optional<std::regex>> m_regexes;
    mutable std::size_t m_unusable_rules = 0;
};

std::string_view to_string(PriceSource source) {
    switch (source) {
        case PriceSource::override_config:
            return "override";
        case PriceSource::catalog:
            return "catalog";
        case PriceSource::local_server:
            return "local";
    }
    return "catalog";
}

Instant now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

Catalog::Catalog() {
    static const std::shared_ptr<const Embedded> shared = std::make_shared<const Embedded>();
    embedded_ = shared;
}

std::optional<Prices> Catalog::find(std::string_view provider, std::string_view model) const {
    auto match = lookup(provider, model);
    if (!match) return std::nullopt;
    return std::move(match->prices);
}

std::optional<PriceMatch> Catalog::lookup(std::string_view provider, std::string_view model) const {
    return lookup(provider, model, now());
}

std::optional<PriceMatch> Catalog::lookup(std::string_view provider, std::string_view model,
                                          Instant at) const {
    const std::string id = normalized_model_id(model);
    if (auto found = find_override(provider, id)) return found;
    if (std::find(k_local_providers.begin(), k_local_providers.end(), provider) !=
        k_local_providers.end()) {
        return PriceMatch{Prices{}, PriceSource::local_server, std::string(provider), id};
    }

    std::string_view catalog_provider = provider;
    if (!embedded_->models_by_provider.count(provider)) {
        if (auto alias = mapped(k_provider_aliases, provider)) catalog_provider = *alias;
    }
    if (auto row = embedded_->find_model(catalog_provider, id)) {
        const data::ModelRow& m = data::models()[*row];
        return PriceMatch{Embedded::prices_of(m, at), PriceSource::catalog, m.provider, m.id};
    }

    const size_t slash = id.find('/');
    if (catalog_provider == "openrouter" && slash != std::string::npos && !id.ends_with(":free")) {
        auto vendor = mapped(k_openrouter_vendors, std::string_view(id).substr(0, slash));
        std::string vendor_model = id.substr(slash + 1);
        vendor_model = vendor_model.substr(0, vendor_model.find(':'));  // ":beta", ":thinking"
        if (vendor) {
            if (auto row = embedded_->find_model(*vendor, vendor_model)) {
                const data::ModelRow& m = data::models()[*row];
                return PriceMatch{Embedded::prices_of(m, at), PriceSource::catalog, m.provider,
                                  m.id};
            }
        }
    }
    return std::nullopt;
}

std::optional<PriceMatch> Catalog::find_override(std::string_view provider,
                                                 const std::string& model) const {
    if (overrides_.empty()) return std::nullopt;
    auto try_model = [&](const std::string& m) -> std::optional<PriceMatch> {
        auto it = overrides_.find(std::pair<std::string, std::string>(provider, m));
        if (it == overrides_.end()) return std::nullopt;
        return PriceMatch{it->second, PriceSource::override_config, std::string(provider), m};
    };
    if (auto found = try_model(model)) return found;
    if (auto undated = without_date_suffix(model)) return try_model(*undated);
    return std::nullopt;
}

void Catalog::set_override(std::string_view provider, std::string_view model, Prices prices) {
    overrides_[{std::string(provider), normalized_model_id(model)}] = std::move(prices);
}

std::vector<std::string> Catalog::models_of(std::string_view provider) const {
    std::vector<std::string> ids;
    auto it = embedded_->models_by_provider.find(provider);
    if (it == embedded_->models_by_provider.end()) {
        auto alias = mapped(k_provider_aliases, provider);
        if (!alias) return ids;
        it = embedded_->models_by_provider.find(*alias);
        if (it == embedded_->models_by_provider.end()) return ids;
    }
    for (std::size_t row : it->second) {
        if (!data::models()[row].deprecated) ids.emplace_back(data::models()[row].id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

std::size_t Catalog::model_count() const { return data::models().size(); }

std::size_t Catalog::unusable_rules() const { return embedded_->unusable_rules(); }

std::string_view Catalog::source() { return data::k_source; }

const Catalog& builtin_catalog() {
    static const Catalog catalog;
    return catalog;
}

}  // namespace otari::pricing
