// Mode selection: a platform token means hybrid mode; a declared mode must agree.
#include <doctest/doctest.h>

#include <cstdlib>

#include "config/config.hpp"

using namespace otari;

namespace {

// Runs with the hybrid-mode variables of the environment cleared (restored after).
struct CleanPlatformEnv {
    CleanPlatformEnv() {
        for (const char* name : k_names) {
            const char* v = std::getenv(name);
            saved.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
            ::unsetenv(name);
        }
    }
    ~CleanPlatformEnv() {
        for (const auto& [name, value] : saved) {
            if (value)
                ::setenv(name, value->c_str(), 1);
            else
                ::unsetenv(name);
        }
    }
    static constexpr const char* k_names[] = {"OTARI_AI_TOKEN", "OTARI_PLATFORM_URL", "OTARI_MODE"};
    std::vector<std::pair<const char*, std::optional<std::string>>> saved;
};

}  // namespace

TEST_SUITE("config::hybrid") {
    TEST_CASE("without a platform token the mode is standalone") {
        CleanPlatformEnv env;
        auto c = config::parse("", "t.toml");
        CHECK(c.mode == config::Mode::standalone);
    }

    TEST_CASE("[platform] token turns hybrid mode on, with the default platform URL") {
        CleanPlatformEnv env;
        auto c = config::parse("[platform]\ntoken = \"gw_abc\"\n", "t.toml");
        CHECK(c.mode == config::Mode::hybrid);
        CHECK(c.platform.token == "gw_abc");
        CHECK(c.platform.base_url == "https://api.otari.ai/api/v1");
        CHECK(c.platform.health_url == "https://api.otari.ai/api/v1/utils/health-check/");
        CHECK(c.providers.empty());  // local provider keys are not consulted
    }

    TEST_CASE("OTARI_AI_TOKEN and OTARI_PLATFORM_URL turn hybrid mode on and win over the file") {
        CleanPlatformEnv env;
        ::setenv("OTARI_AI_TOKEN", "gw_from_env", 1);
        ::setenv("OTARI_PLATFORM_URL", "http://127.0.0.1:9999/api/v1/", 1);
        auto c = config::parse(
            "[platform]\ntoken = \"gw_file\"\nbase_url = \"http://127.0.0.1:1/x\"\n", "t.toml");
        CHECK(c.mode == config::Mode::hybrid);
        CHECK(c.platform.token == "gw_from_env");
        CHECK(c.platform.base_url == "http://127.0.0.1:9999/api/v1");
    }

    TEST_CASE("a declared mode must agree with the token") {
        CleanPlatformEnv env;
        CHECK_THROWS_WITH_AS(config::parse("mode = \"hybrid\"\n", "t.toml"),
                             doctest::Contains("no platform gateway token"), config::ConfigError);
        CHECK_THROWS_WITH_AS(
            config::parse("mode = \"standalone\"\n[platform]\ntoken = \"gw_x\"\n", "t.toml"),
            doctest::Contains("platform gateway token is set"), config::ConfigError);
        CHECK(config::parse("mode = \"hybrid\"\n[platform]\ntoken = \"gw_x\"\n", "t.toml").mode ==
              config::Mode::hybrid);
        CHECK(config::parse("mode = \"standalone\"\n", "t.toml").mode == config::Mode::standalone);
        CHECK_THROWS_AS(config::parse("mode = \"cloud\"\n", "t.toml"), config::ConfigError);
        ::setenv("OTARI_MODE", "hybrid", 1);
        CHECK_THROWS_AS(config::parse("", "t.toml"), config::ConfigError);
    }

    TEST_CASE("[providers] are refused in hybrid mode, naming them") {
        CleanPlatformEnv env;
        CHECK_THROWS_WITH_AS(
            config::parse("[platform]\ntoken = \"gw_x\"\n[providers.openai]\napi_key = \"sk\"\n",
                          "t.toml"),
            doctest::Contains("[providers] (openai) cannot be used in hybrid mode"),
            config::ConfigError);
    }

    TEST_CASE("[platform] keys are checked") {
        CleanPlatformEnv env;
        auto c = config::parse(
            "[platform]\ntoken = \"gw_x\"\nbase_url = "
            "\"http://127.0.0.1:5/api\"\nresolve_timeout_ms = 700\n"
            "usage_max_retries = 5\nfirst_chunk_timeout_ms = 1500\nhealth_url = "
            "\"http://127.0.0.1:5/health\"\n",
            "t.toml");
        CHECK(c.platform.resolve_timeout_ms == 700);
        CHECK(c.platform.usage_max_retries == 5);
        CHECK(c.platform.first_chunk_timeout_ms == 1500);
        CHECK(c.platform.health_url == "http://127.0.0.1:5/health");
        CHECK_THROWS_WITH_AS(config::parse("[platform]\ntokn = \"gw_x\"\n", "t.toml"),
                             doctest::Contains("unknown key platform.tokn"), config::ConfigError);
        CHECK_THROWS_AS(
            config::parse("[platform]\ntoken = \"gw_x\"\nbase_url = \"api.otari.ai\"\n", "t.toml"),
            config::ConfigError);
    }

}  // TEST_SUITE
