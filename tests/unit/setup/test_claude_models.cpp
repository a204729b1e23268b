#include <doctest/doctest.h>

#include "config/config.hpp"
#include "setup/claude_models.hpp"

namespace setup = otari::setup;
using otari::config::Config;
using otari::config::Provider;
using otari::config::ProviderType;

namespace {

Config with_anthropic(bool has_key) {
    Config c;
    Provider p;
    p.name = "anthropic";
    p.type = ProviderType::anthropic;
    p.needs_key = true;
    p.api_key = has_key ? "sk-ant-x" : "";
    c.providers["anthropic"] = p;
    return c;
}

Config home_lab() {
    Config c;
    Provider p;
    p.name = "home_lab";
    p.needs_key = false;
    p.models = {"qwen3", "qwen3-mini"};
    c.providers["home_lab"] = p;
    return c;
}

}  // namespace

TEST_SUITE_BEGIN("setup");

TEST_CASE("setup models: a usable anthropic provider gives the Claude ids") {
    auto plan = setup::plan_models(with_anthropic(true), {});
    CHECK(plan.opus == setup::k_claude_opus);
    CHECK(plan.sonnet == setup::k_claude_sonnet);
    CHECK(plan.haiku == setup::k_claude_haiku);
    CHECK_FALSE(plan.main);
}

TEST_CASE("setup models: without its key, anthropic is not used") {
    CHECK_FALSE(setup::anthropic_usable(with_anthropic(false)));
    CHECK_THROWS_AS(setup::plan_models(with_anthropic(false), {}), setup::NoServableModel);
    auto plan =
        setup::plan_models(with_anthropic(false), {std::string("openai:gpt-4o"), {}, {}, {}});
    CHECK(plan.opus == "openai:gpt-4o");
    CHECK(plan.haiku == "openai:gpt-4o");
}

TEST_CASE("setup models: declared models fill the tiers, by name when they can") {
    auto plan = setup::plan_models(home_lab(), {});
    CHECK(plan.haiku == "home_lab:qwen3-mini");
    CHECK(plan.opus == "home_lab:qwen3");
    CHECK(plan.sonnet == "home_lab:qwen3");
}

TEST_CASE("setup models: aliases come first and flags win") {
    Config c = home_lab();
    c.aliases["big"] = "home_lab:qwen3";
    c.aliases["gone"] = "nowhere:x";  // provider not configured: never offered
    auto servable = setup::servable_models(c);
    CHECK(servable == std::vector<std::string>{"big", "home_lab:qwen3", "home_lab:qwen3-mini"});
    auto plan = setup::plan_models(
        c, {std::nullopt, std::nullopt, std::string("home_lab:qwen3"), std::nullopt});
    CHECK(plan.opus == "big");
    CHECK(plan.sonnet == "home_lab:qwen3");
}

TEST_SUITE_END();
