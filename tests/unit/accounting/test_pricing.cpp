#include <doctest/doctest.h>

#include <limits>
#include <stdexcept>

#include "config/config.hpp"
#include "pricing/catalog.hpp"
#include "pricing/catalog_data.hpp"
#include "pricing/config_prices.hpp"
#include "pricing/listing.hpp"
#include "pricing/model_id.hpp"
#include "pricing/money.hpp"
#include "pricing/prices.hpp"

using namespace otari::pricing;
using otari::json;

namespace {

constexpr std::int64_t k_dollar_per_mtok = 1'000'000;  // pico-dollars per token

Instant utc(int year, unsigned month, unsigned day, int hour = 12) {
    return std::chrono::sys_days{std::chrono::year{year} / month / day} + std::chrono::hours{hour};
}

const Instant k_noon = utc(2026, 11, 23);

Prices flat(std::int64_t input, std::int64_t output) {
    Prices p;
    p.rates.input = input;
    p.rates.output = output;
    return p;
}

// The price of a selector in the embedded catalog, failing the test when there is none.
PriceMatch must_find(std::string_view provider, std::string_view model, Instant at = k_noon) {
    auto match = builtin_catalog().lookup(provider, model, at);
    REQUIRE_MESSAGE(match.has_value(), provider << ":" << model << " not found");
    return *match;
}

std::string config_error(const std::string& toml) {
    try {
        otari::config::parse(toml, "test.toml");
    } catch (const otari::config::ConfigError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_SUITE("accounting::pricing") {
    TEST_CASE("parse_usd_per_mtok reads decimal text exactly") {
        CHECK(parse_usd_per_mtok("0.075") == 75'000);
        CHECK(parse_usd_per_mtok("3") == 3 * k_dollar_per_mtok);
        CHECK(parse_usd_per_mtok("3.") == 3 * k_dollar_per_mtok);
        CHECK(parse_usd_per_mtok(".5") == 500'000);
        CHECK(parse_usd_per_mtok("0.0375") == 37'500);
        CHECK(parse_usd_per_mtok("7.5e-2") == 75'000);
        CHECK(parse_usd_per_mtok("1E1") == 10 * k_dollar_per_mtok);
        CHECK(parse_usd_per_mtok("0.000001") == 1);
        CHECK(parse_usd_per_mtok("0.0000005") == 1);   // half a pico rounds up
        CHECK(parse_usd_per_mtok("0.00000049") == 0);  // below half rounds down
        CHECK(parse_usd_per_mtok("0.0000014999") == 1);
        CHECK(parse_usd_per_mtok("000.000") == 0);
        CHECK(parse_usd_per_mtok("1000000") == k_max_rate);
        CHECK_THROWS_AS(parse_usd_per_mtok("1000001"), std::out_of_range);
        CHECK_THROWS_AS(parse_usd_per_mtok("1e300"), std::out_of_range);
        for (const char* bad :
             {"", "-1", "+1", "1.2.3", "abc", "1e", "0x10", " 1", "1 ", ".", "e5", "1e+"}) {
            CHECK_THROWS_AS_MESSAGE(parse_usd_per_mtok(std::string_view(bad)),
                                    std::invalid_argument, bad);
        }
    }

    TEST_CASE("parse_usd_per_mtok(double) uses the decimal the user wrote, not the float product") {
        // 1.005 * 1e6 is 1004999.9999999999 in binary floating point.
        CHECK(1.005 * 1e6 < 1005000.0);
        CHECK(parse_usd_per_mtok(1.005) == 1'005'000);
        // 0.0000035 * 1e6 is 3.4999999999999996; the decimal is exactly half a pico: up.
        CHECK(parse_usd_per_mtok(0.0000035) == 4);
        CHECK(parse_usd_per_mtok(0.075) == 75'000);
        CHECK(parse_usd_per_mtok(3.0) == 3 * k_dollar_per_mtok);
        CHECK(parse_usd_per_mtok(-0.0) == 0);
        CHECK(parse_usd_per_mtok(1e-7) == 0);
        CHECK_THROWS_AS(parse_usd_per_mtok(-0.5), std::invalid_argument);
        CHECK_THROWS_AS(parse_usd_per_mtok(std::numeric_limits<double>::quiet_NaN()),
                        std::invalid_argument);
        CHECK_THROWS_AS(parse_usd_per_mtok(std::numeric_limits<double>::infinity()),
                        std::invalid_argument);
        CHECK_THROWS_AS(parse_usd_per_mtok(2e6), std::out_of_range);
    }

    TEST_CASE("round_pico_to_micro rounds half away from zero") {
        CHECK(round_pico_to_micro(0) == 0);
        CHECK(round_pico_to_micro(499'999) == 0);
        CHECK(round_pico_to_micro(500'000) == 1);
        CHECK(round_pico_to_micro(1'499'999) == 1);
        CHECK(round_pico_to_micro(1'500'000) == 2);
        CHECK(round_pico_to_micro(-499'999) == 0);
        CHECK(round_pico_to_micro(-500'000) == -1);
    }

    TEST_CASE("format_usd prints micro-dollars with the asked number of places") {
        CHECK(format_usd(1'234'567, 2) == "1.23");
        CHECK(format_usd(1'235'000, 2) == "1.24");
        CHECK(format_usd(1'234'567, 6) == "1.234567");
        CHECK(format_usd(75, 6) == "0.000075");
        CHECK(format_usd(0, 2) == "0.00");
        CHECK(format_usd(999'999, 0) == "1");
        CHECK(format_usd(-5, 6) == "-0.000005");
        CHECK(format_usd(-4, 5) == "0.00000");  // rounds to zero: no sign
        CHECK(format_usd(12'345'678'000'000, 2) == "12345678.00");
        CHECK(format_usd(std::numeric_limits<std::int64_t>::min(), 6) == "-9223372036854.775808");
        CHECK_THROWS_AS(format_usd(1, 7), std::invalid_argument);
        CHECK_THROWS_AS(format_usd(1, -1), std::invalid_argument);
    }

    TEST_CASE("format_usd_trimmed drops zeros down to the minimum") {
        CHECK(format_usd_trimmed(3'000'000) == "3.00");
        CHECK(format_usd_trimmed(75'000) == "0.075");
        CHECK(format_usd_trimmed(37'500) == "0.0375");
        CHECK(format_usd_trimmed(1) == "0.000001");
        CHECK(format_usd_trimmed(3'000'000, 0) == "3");
        CHECK(format_usd_trimmed(22'500'000, 0) == "22.5");
    }

    TEST_CASE("usd_json_number prints as the exact six-place decimal") {
        CHECK(json(usd_json_number(1'234'567)).dump() == "1.234567");
        CHECK(json(usd_json_number(75)).dump() == "7.5e-05");
        CHECK(json(usd_json_number(3'000'000)).dump() == "3.0");
        for (std::int64_t micro : {1LL, 75LL, 123'456'789LL, 999'999'999'999LL}) {
            double back = json::parse(json(usd_json_number(micro)).dump()).get<double>();
            CHECK(static_cast<std::int64_t>(back * 1e6 + 0.5) == micro);
        }
    }

    TEST_CASE("cost adds every kind of token at its own rate") {
        Prices p = flat(3 * k_dollar_per_mtok, 15 * k_dollar_per_mtok);
        p.rates.cache_read = 300'000;        // $0.30
        p.rates.cache_write = 3'750'000;     // $3.75
        p.rates.cache_write_1h = 6'000'000;  // $6
        UsageTokens u{.input = 1000,
                      .output = 500,
                      .cache_read = 10'000,
                      .cache_write = 2000,
                      .cache_write_1h = 500};
        // 1000*3 + 500*15 + 10000*0.3 + 1500*3.75 + 500*6 = 22125 micro-dollars
        CHECK(cost_pico_usd(p, u) == 22'125'000'000);
        CHECK(cost_micro_usd(p, u) == 22'125);
    }

    TEST_CASE(
        "unpriced cache tokens cost the input rate; 1-hour writes fall back to the write rate") {
        Prices p = flat(2 * k_dollar_per_mtok, 8 * k_dollar_per_mtok);
        UsageTokens u{
            .input = 100, .output = 0, .cache_read = 50, .cache_write = 30, .cache_write_1h = 10};
        CHECK(cost_pico_usd(p, u) == (100 + 50 + 30) * 2 * k_dollar_per_mtok);
        p.rates.cache_write = 5 * k_dollar_per_mtok;
        CHECK(cost_pico_usd(p, u) == (150 * 2 + 30 * 5) * k_dollar_per_mtok);
        // More 1-hour writes than writes: capped at the writes.
        u.cache_write_1h = 999;
        p.rates.cache_write_1h = 7 * k_dollar_per_mtok;
        CHECK(cost_pico_usd(p, u) == (150 * 2 + 30 * 7) * k_dollar_per_mtok);
    }

    TEST_CASE("negative token counts count as zero") {
        Prices p = flat(k_dollar_per_mtok, k_dollar_per_mtok);
        CHECK(cost_pico_usd(p, {.input = -5, .output = 10}) == 10 * k_dollar_per_mtok);
        CHECK(prompt_tokens({.input = -5, .cache_read = 3, .cache_write = -1}) == 3);
    }

    TEST_CASE("a tier applies to the whole call once the prompt exceeds its threshold") {
        Prices p = flat(3 * k_dollar_per_mtok, 15 * k_dollar_per_mtok);
        p.rates.cache_read = 300'000;
        Rates long_context;
        long_context.input = 6 * k_dollar_per_mtok;
        long_context.output = 22'500'000;
        long_context.cache_read = 600'000;
        p.tiers.push_back({200'000, long_context});

        UsageTokens at{.input = 200'000, .output = 1000};
        CHECK(cost_micro_usd(p, at) == 200'000 * 3 + 1000 * 15);
        UsageTokens above{.input = 200'001, .output = 1000};
        CHECK(cost_micro_usd(p, above) == 200'001 * 6 + 22'500);
        // Cache reads count toward the threshold and are billed at the tier's cache rate.
        UsageTokens cached{.input = 1, .output = 1000, .cache_read = 200'000};
        CHECK(prompt_tokens(cached) == 200'001);
        CHECK(cost_pico_usd(p, cached) ==
              6 * k_dollar_per_mtok + 1000 * 22'500'000LL + 200'000 * 600'000LL);
        // Several tiers: the highest exceeded one wins.
        Rates higher = long_context;
        higher.input = 9 * k_dollar_per_mtok;
        p.tiers.push_back({500'000, higher});
        CHECK(rates_for(p, 300'000).input == 6 * k_dollar_per_mtok);
        CHECK(rates_for(p, 500'001).input == 9 * k_dollar_per_mtok);
        CHECK(rates_for(p, 10).input == 3 * k_dollar_per_mtok);
    }

    TEST_CASE("a call is rounded once, not per meter") {
        Prices p = flat(100'000, 100'000);  // $0.10 per Mtok: 0.1 micro-dollars a token
        UsageTokens u{.input = 4, .output = 4};
        // Each meter alone is 0.4 micro-dollars (would round to 0); together 0.8 -> 1.
        CHECK(cost_micro_usd(p, {.input = 4}) == 0);
        CHECK(cost_micro_usd(p, u) == 1);
    }

    TEST_CASE("1 token at $0.075/Mtok over 1000 calls: exact costs sum to 75 micro-dollars") {
        Prices p = flat(parse_usd_per_mtok("0.075"), 0);
        std::int64_t exact_total = 0, settled_total = 0;
        for (int i = 0; i < 1000; ++i) {
            exact_total += cost_pico_usd(p, {.input = 1});
            settled_total += cost_micro_usd(p, {.input = 1});
        }
        CHECK(exact_total == 75'000'000);  // pico-dollars, no drift
        CHECK(round_pico_to_micro(exact_total) == 75);
        // Settling each call alone rounds 0.075 micro-dollars to 0 every time.
        CHECK(settled_total == 0);
    }

    TEST_CASE("cost refuses to overflow") {
        Prices p = flat(k_max_rate, 0);
        CHECK_THROWS_AS(cost_pico_usd(p, {.input = std::numeric_limits<std::int64_t>::max() / 2}),
                        std::overflow_error);
    }

    TEST_CASE("usage_from_inclusive_prompt splits OpenAI-style prompt counts") {
        CHECK(usage_from_inclusive_prompt(1000, 300, 50) ==
              UsageTokens{.input = 700, .output = 50, .cache_read = 300});
        CHECK(usage_from_inclusive_prompt(100, 500, 0) ==
              UsageTokens{.input = 0, .cache_read = 100});
        CHECK(usage_from_inclusive_prompt(-1, -1, -1) == UsageTokens{});
    }

    TEST_CASE("model id spellings") {
        CHECK(normalized_model_id("  Claude-Sonnet-4-5\n") == "claude-sonnet-4-5");
        CHECK(without_date_suffix("claude-sonnet-4-5-20250929") == "claude-sonnet-4-5");
        CHECK(without_date_suffix("gpt-4o-2024-08-06") == "gpt-4o");
        CHECK(without_date_suffix("claude-sonnet-4@20250514") == "claude-sonnet-4");
        CHECK_FALSE(without_date_suffix("gpt-4-0613"));
        CHECK_FALSE(without_date_suffix("model-12345678"));  // not a 20YY year
        CHECK_FALSE(without_date_suffix("model-20251340"));  // month 13
        CHECK_FALSE(without_date_suffix("20250929"));
        CHECK(with_dashed_dates("x-20250929") == "x-2025-09-29");
        CHECK(with_dashed_dates("x-20250929:beta") == "x-2025-09-29:beta");
        CHECK_FALSE(with_dashed_dates("x-202509291"));
        CHECK_FALSE(with_dashed_dates("x-2025-09-29"));
    }

    TEST_CASE("catalog: exact id, with long-context tiers") {
        PriceMatch m = must_find("anthropic", "claude-sonnet-4-5");
        CHECK(m.source == PriceSource::catalog);
        CHECK(m.provider == "anthropic");
        CHECK(m.model == "claude-sonnet-4-5");
        CHECK(m.prices.rates.input == 3 * k_dollar_per_mtok);
        CHECK(m.prices.rates.output == 15 * k_dollar_per_mtok);
        CHECK(m.prices.rates.cache_read == 300'000);
        CHECK(m.prices.rates.cache_write == 3'750'000);
        CHECK(m.prices.rates.cache_write_1h == 6 * k_dollar_per_mtok);
        CHECK(m.prices.context_window == 200'000);
        REQUIRE(m.prices.tiers.size() == 1);
        CHECK(m.prices.tiers[0].above_prompt_tokens == 200'000);
        CHECK(m.prices.tiers[0].rates.input == 6 * k_dollar_per_mtok);
        CHECK(m.prices.tiers[0].rates.output == 22'500'000);
        CHECK(builtin_catalog().find("anthropic", "claude-sonnet-4-5") == m.prices);
    }

    TEST_CASE("catalog: dated snapshots, case and the dataset's rules") {
        const Prices sonnet = must_find("anthropic", "claude-sonnet-4-5").prices;
        CHECK(must_find("anthropic", "claude-sonnet-4-5-20250929").prices == sonnet);
        CHECK(must_find("anthropic", "Claude-Sonnet-4-5").prices == sonnet);
        // A regex rule (^claude-opus-5-\d{8}$).
        CHECK(must_find("anthropic", "claude-opus-5-20260101").model == "claude-opus-5");
        // An and-rule with a negative look-ahead: previews match, TTS variants do not.
        CHECK(must_find("gemini", "gemini-2.5-pro-preview-06-05").model == "gemini-2.5-pro");
        CHECK_FALSE(builtin_catalog().lookup("gemini", "gemini-2.5-pro-foo-tts", k_noon));
        // A snapshot the dataset does not list, found by its undated name.
        CHECK(must_find("openai", "gpt-4.1-2026-01-01").model == "gpt-4.1");
        // A dated snapshot with its own price is not folded into the undated one.
        CHECK(must_find("openai", "gpt-4o-2024-05-13").prices.rates.input == 5 * k_dollar_per_mtok);
        CHECK(must_find("openai", "gpt-4o-2024-08-06").prices.rates.input == 2'500'000);
    }

    TEST_CASE("catalog: provider name aliases") {
        CHECK(must_find("google", "gemini-2.5-pro").provider == "gemini");
        CHECK(must_find("x-ai", "grok-4.3").provider == "xai");
        CHECK(must_find("moonshotai", "kimi-k2.5").provider == "moonshot");
    }

    TEST_CASE("catalog: openrouter's own prices, then the vendor's") {
        PriceMatch own = must_find("openrouter", "anthropic/claude-sonnet-4.5");
        CHECK(own.provider == "openrouter");
        CHECK(own.model == "anthropic/claude-sonnet-4.5");
        PriceMatch vendor = must_find("openrouter", "anthropic/claude-haiku-4-5");
        CHECK(vendor.provider == "anthropic");
        CHECK(vendor.model == "claude-haiku-4-5");
        CHECK(vendor.prices.rates.input == k_dollar_per_mtok);
        CHECK(must_find("openrouter", "anthropic/claude-sonnet-4-5-20250929:beta").model ==
              "claude-sonnet-4-5");
        CHECK_FALSE(
            builtin_catalog().lookup("openrouter", "anthropic/claude-unknown-9:free", k_noon));
        CHECK_FALSE(builtin_catalog().lookup("openrouter", "nobody/claude-sonnet-4-5", k_noon));
        // Only aggregators fall back: a vendor prefix at another provider is not resolved.
        CHECK_FALSE(builtin_catalog().lookup("anthropic", "anthropic/claude-haiku-4-5", k_noon));
    }

    TEST_CASE("catalog: unknown models and providers are nullopt; local servers are free") {
        CHECK_FALSE(builtin_catalog().find("anthropic", "no-such-model"));
        CHECK_FALSE(builtin_catalog().find("my-proxy", "claude-sonnet-4-5"));
        CHECK_FALSE(builtin_catalog().find("openai", ""));
        PriceMatch local = must_find("ollama", "qwen3:8b");
        CHECK(local.source == PriceSource::local_server);
        CHECK(local.prices == Prices{});
        CHECK(cost_micro_usd(local.prices, {.input = 1'000'000, .output = 1'000'000}) == 0);
    }

    TEST_CASE("catalog: dated price changes apply from their start date") {
        // claude-sonnet-4-6 dropped its long-context surcharge on 2026-03-13.
        CHECK(
            must_find("anthropic", "claude-sonnet-4-6", utc(2026, 3, 12, 23)).prices.tiers.size() ==
            1);
        CHECK(
            must_find("anthropic", "claude-sonnet-4-6", utc(2026, 3, 13, 0)).prices.tiers.empty());
        CHECK(now() > utc(2025, 1, 1));
    }

    TEST_CASE("catalog: time-of-day prices apply within their UTC window") {
        // deepseek-chat: standard price 00:30-16:30 UTC, off-peak discount otherwise.
        CHECK(must_find("deepseek", "deepseek-chat", utc(2026, 11, 23, 12)).prices.rates.input ==
              270'000);
        CHECK(must_find("deepseek", "deepseek-chat", utc(2026, 11, 23, 20)).prices.rates.input ==
              135'000);
        CHECK(must_find("deepseek", "deepseek-chat", utc(2026, 11, 23, 0)).prices.rates.input ==
              135'000);
        // deepseek-v4-flash: a dated change, then peak windows 01-04 and 06-10 UTC on top of it.
        CHECK(must_find("deepseek", "deepseek-v4-flash", utc(2026, 8, 16, 12)).prices.rates.input ==
              140'000);
        CHECK(
            must_find("deepseek", "deepseek-v4-flash", utc(2026, 11, 23, 12)).prices.rates.input ==
            220'000);
        CHECK(must_find("deepseek", "deepseek-v4-flash", utc(2026, 11, 23, 2)).prices.rates.input ==
              440'000);
        CHECK(
            must_find("deepseek", "deepseek-v4-flash", utc(2026, 11, 23, 10)).prices.rates.input ==
            220'000);
    }

    TEST_CASE("catalog: every embedded model is found by its own id, and every rule compiles") {
        CHECK(builtin_catalog().unusable_rules() == 0);
        CHECK(builtin_catalog().model_count() == otari::pricing::data::models().size());
        CHECK(builtin_catalog().model_count() > 1000);
        for (const auto& row : otari::pricing::data::models()) {
            auto match = builtin_catalog().lookup(row.provider, row.id, k_noon);
            REQUIRE_MESSAGE(match.has_value(), row.provider << ":" << row.id);
            CHECK_MESSAGE(match->model == row.id, row.provider << ":" << row.id);
        }
        CHECK(!Catalog::source().empty());
    }

    TEST_CASE("catalog: models_of lists a provider's current models, sorted") {
        auto ids = builtin_catalog().models_of("anthropic");
        CHECK(std::is_sorted(ids.begin(), ids.end()));
        CHECK(std::find(ids.begin(), ids.end(), "claude-sonnet-4-5") != ids.end());
        CHECK(builtin_catalog().models_of("google") == builtin_catalog().models_of("gemini"));
        CHECK(builtin_catalog().models_of("ollama").empty());
        // google's Vertex-only Claude entries are not Gemini API models.
        for (const auto& id : builtin_catalog().models_of("gemini"))
            CHECK_FALSE(id.starts_with("claude"));
    }

    TEST_CASE("overrides win, cover dated snapshots, and stay per provider") {
        Catalog catalog = builtin_catalog();
        catalog.set_override("anthropic", "Claude-Sonnet-4-5", flat(1, 2));
        CHECK(catalog.find("anthropic", "claude-sonnet-4-5") == flat(1, 2));
        CHECK(catalog.find("anthropic", "claude-sonnet-4-5-20250929") == flat(1, 2));
        CHECK(catalog.lookup("anthropic", "claude-sonnet-4-5")->source ==
              PriceSource::override_config);
        CHECK(catalog.find("openrouter", "anthropic/claude-sonnet-4.5") !=
              std::optional<Prices>(flat(1, 2)));
        // The shared built-in catalog is untouched.
        CHECK(builtin_catalog().find("anthropic", "claude-sonnet-4-5")->rates.input ==
              3 * k_dollar_per_mtok);
        // Overrides also price models the catalog lacks, and local ones.
        catalog.set_override("ollama", "qwen3:8b", flat(5, 6));
        CHECK(catalog.find("ollama", "qwen3:8b") == flat(5, 6));
        CHECK(catalog.find("ollama", "qwen3:4b") == Prices{});
    }

    TEST_CASE("config overrides: partial, exact and for unknown models") {
        std::map<std::string, otari::config::PriceOverride> pricing;
        pricing["anthropic:claude-sonnet-4-5"].input_per_mtok = 1.005;
        pricing["anthropic:claude-opus-4-5"].context_window = 123'456;
        pricing["ollama:llama3"].output_per_mtok = 0.075;
        pricing["acme:model-x"].input_per_mtok = 2;
        pricing["acme:model-x"].cache_write_per_mtok = 2.5;
        Catalog catalog = with_config_overrides(builtin_catalog(), pricing);

        Prices sonnet = *catalog.find("anthropic", "claude-sonnet-4-5");
        CHECK(sonnet.rates.input == 1'005'000);
        CHECK(sonnet.rates.output == 15 * k_dollar_per_mtok);  // kept from the catalog
        CHECK(sonnet.rates.cache_read == 300'000);
        CHECK(sonnet.tiers.empty());  // a set price makes the model flat-priced
        CHECK(sonnet.context_window == 200'000);

        Prices opus = *catalog.find("anthropic", "claude-opus-4-5");
        CHECK(opus.context_window == 123'456);
        CHECK(opus.rates == builtin_catalog().find("anthropic", "claude-opus-4-5")->rates);

        CHECK(catalog.find("ollama", "llama3")->rates.output == 75'000);
        CHECK(catalog.find("ollama", "llama3")->rates.input == 0);

        Prices acme = *catalog.find("acme", "model-x");
        CHECK(acme.rates.input == 2 * k_dollar_per_mtok);
        CHECK(acme.rates.output == 0);
        CHECK_FALSE(acme.rates.cache_read);
        CHECK(acme.rates.cache_write == 2'500'000);
        CHECK(catalog.lookup("acme", "model-x")->source == PriceSource::override_config);
    }

    TEST_CASE("config: [pricing] tables and require_pricing") {
        auto c = otari::config::parse(R"(require_pricing = true
[pricing."anthropic:claude-sonnet-4-5"]
input_per_mtok = 3
output_per_mtok = 15.0
cache_read_per_mtok = 0.3
cache_write_per_mtok = 3.75
context_window = 200000

[pricing."ollama:qwen3:8b"]
output_per_mtok = 0
)",
                                      "test.toml");
        CHECK(c.require_pricing);
        REQUIRE(c.pricing.size() == 2);
        const auto& o = c.pricing.at("anthropic:claude-sonnet-4-5");
        CHECK(o.input_per_mtok == 3.0);
        CHECK(o.output_per_mtok == 15.0);
        CHECK(o.cache_read_per_mtok == 0.3);
        CHECK(o.cache_write_per_mtok == 3.75);
        CHECK(o.context_window == 200'000);
        CHECK_FALSE(c.pricing.at("ollama:qwen3:8b").input_per_mtok);
        CHECK(c.pricing.at("ollama:qwen3:8b").output_per_mtok == 0.0);
        CHECK_FALSE(otari::config::parse("", "empty").require_pricing);
    }

    TEST_CASE("config: bad [pricing] entries name the file and line") {
        auto err = config_error(
            "port = 8000\n[pricing.\"anthropic:x\"]\ninput_per_mtok = 1\nflavour = 2\n");
        CHECK(err.find("test.toml:4:") == 0);
        CHECK(err.find("unknown key pricing.\"anthropic:x\".flavour") != std::string::npos);
        CHECK(err.find("input_per_mtok, output_per_mtok") != std::string::npos);

        err = config_error("[pricing.\"anthropic:x\"]\n\noutput_per_mtok = -1\n");
        CHECK(err.find("test.toml:3:") == 0);
        CHECK(err.find("output_per_mtok: expected a price") != std::string::npos);

        err = config_error("[pricing.\"anthropic:x\"]\ncache_read_per_mtok = \"0.3\"\n");
        CHECK(err.find("test.toml:2:") == 0);

        err = config_error("[pricing.\"anthropic:x\"]\ninput_per_mtok = nan\n");
        CHECK(err.find("test.toml:2:") == 0);

        err = config_error("[pricing.\"anthropic:x\"]\ncontext_window = 1.5\n");
        CHECK(err.find("test.toml:2:") == 0);
        CHECK(err.find("expected an integer") != std::string::npos);

        err = config_error("\n[pricing.claude]\ninput_per_mtok = 1\n");
        CHECK(err.find("test.toml:2:") == 0);
        CHECK(err.find("expected a \"provider:model\" key") != std::string::npos);

        err = config_error("require_pricing = \"yes\"\n");
        CHECK(err.find("test.toml:1:") == 0);

        err = config_error("\n\nprices = 1\n");
        CHECK(err.find("test.toml:3:") == 0);
        CHECK(err.find("require_pricing") != std::string::npos);
        CHECK(err.find("[pricing.\"provider:model\"]") != std::string::npos);
    }

    TEST_CASE("listing: declared models first, then the catalog's, without duplicates") {
        std::vector<ProviderModels> providers = {
            {"anthropic", {"Claude-Sonnet-4-5", "my-finetune"}, true, "ANTHROPIC_API_KEY"},
            {"ollama", {"qwen3:8b"}, false, ""},
        };
        auto listing = list_models(providers, builtin_catalog(), k_noon);
        REQUIRE(listing.size() == 2);
        const auto& anthropic = listing[0].models;
        REQUIRE(anthropic.size() > 2);
        CHECK(anthropic[0].model == "Claude-Sonnet-4-5");
        CHECK(anthropic[0].declared);
        CHECK(anthropic[0].price->model == "claude-sonnet-4-5");
        CHECK(anthropic[1].model == "my-finetune");
        CHECK_FALSE(anthropic[1].price);
        CHECK_FALSE(anthropic[2].declared);
        size_t sonnet_rows = 0;
        for (const auto& m : anthropic)
            sonnet_rows += normalized_model_id(m.model) == "claude-sonnet-4-5";
        CHECK(sonnet_rows == 1);
        REQUIRE(listing[1].models.size() == 1);
        CHECK(listing[1].models[0].price->source == PriceSource::local_server);

        json out = listing_json(listing);
        CHECK(out[0]["provider"] == "anthropic");
        CHECK(out[0]["key_missing"] == true);
        CHECK(out[0]["key_env"] == "ANTHROPIC_API_KEY");
        CHECK(out[1]["key_env"].is_null());
        const json& sonnet = out[0]["models"][0];
        CHECK(sonnet["selector"] == "anthropic:Claude-Sonnet-4-5");
        CHECK(sonnet["pricing_source"] == "catalog");
        CHECK(sonnet["input_per_mtok"].dump() == "3.0");
        CHECK(sonnet["cache_read_per_mtok"].dump() == "0.3");
        CHECK(sonnet["context_window"] == 200'000);
        CHECK(sonnet["tiers"][0]["above_prompt_tokens"] == 200'000);
        CHECK(sonnet["tiers"][0]["output_per_mtok"].dump() == "22.5");
        const json& unknown = out[0]["models"][1];
        CHECK(unknown["priced"] == false);
        CHECK(unknown["input_per_mtok"].is_null());
        CHECK(unknown["context_window"].is_null());
    }
}
