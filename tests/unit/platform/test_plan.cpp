// The resolve contract with the platform: request body, both answer shapes, refusals and the
// provider each attempt names.
#include <doctest/doctest.h>

#include "platform/plan.hpp"

using namespace otari;
using namespace otari::platform;

TEST_SUITE("platform::plan") {
    TEST_CASE(
        "a provider:model selector is sent as model and provider, a bare name as model only") {
        CHECK(resolve_request("openai:gpt-4o") ==
              json{{"model", "gpt-4o"}, {"provider", "openai"}});
        CHECK(resolve_request("mzai:qwen/qwen3-32b") ==
              json{{"model", "qwen/qwen3-32b"}, {"provider", "mzai"}});
        CHECK(resolve_request("openrouter/anthropic:claude") ==
              json{{"model", "anthropic:claude"}, {"provider", "openrouter"}});
        CHECK(resolve_request("claude-sonnet-4-6") == json{{"model", "claude-sonnet-4-6"}});
        CHECK(resolve_request(":odd") == json{{"model", ":odd"}});
    }

    TEST_CASE("the multi-attempt answer keeps the attempts in order and ignores unknown fields") {
        json payload = json::parse(R"({
        "request_id": "req_1", "fallback_enabled": true, "user_id": "u-42", "workspace_id": "ws", "organization_id": "org",
        "provider_key_id": "ignored", "allowed_models": ["x"],
        "attempts": [
          {"attempt_id": "att_a", "position": 0, "provider": "anthropic", "model": "claude-sonnet-4-5",
           "api_key": "sk-ant", "api_base": null, "managed": false, "surprise": {"nested": 1}},
          {"attempt_id": "att_b", "position": 1, "provider": "openai", "model": "gpt-4o",
           "api_key": "sk-oai", "api_base": "https://api.openai.com/v1", "managed": true}
        ]})");
        Plan plan = parse_plan(payload);
        CHECK(plan.request_id == "req_1");
        CHECK(plan.fallback_enabled);
        CHECK(plan.user_id == "u-42");
        CHECK(plan.workspace_id == "ws");
        CHECK(plan.organization_id == "org");
        REQUIRE(plan.attempts.size() == 2);
        CHECK(plan.attempts[0].attempt_id == "att_a");
        CHECK(plan.attempts[0].provider == "anthropic");
        CHECK(plan.attempts[0].api_base.empty());
        CHECK(plan.attempts[1].attempt_id == "att_b");
        CHECK(plan.attempts[1].position == 1);
        CHECK(plan.attempts[1].api_key == "sk-oai");
        CHECK(plan.attempts[1].managed);
    }

    TEST_CASE("the flat single-attempt answer becomes one attempt keyed by its correlation_id") {
        Plan plan = parse_plan(json::parse(
            R"({"provider":"openai","model":"gpt-4o-mini","api_key":"sk-1","api_base":"http://127.0.0.1:9/v1","managed":true,"correlation_id":"corr_9"})"));
        REQUIRE(plan.attempts.size() == 1);
        CHECK(plan.attempts[0].attempt_id == "corr_9");
        CHECK(plan.attempts[0].model == "gpt-4o-mini");
        CHECK(plan.attempts[0].api_base == "http://127.0.0.1:9/v1");
        CHECK(plan.request_id == "corr_9");
        CHECK_FALSE(plan.fallback_enabled);
    }

    TEST_CASE(
        "an empty attempts list parses (the gateway answers it with 502), a broken answer does "
        "not") {
        CHECK(parse_plan(json::parse(R"({"request_id":"r","attempts":[]})")).attempts.empty());
        CHECK_THROWS_AS(parse_plan(json::parse(R"({"request_id":"r","attempts":{}})")),
                        FormatError);
        CHECK_THROWS_AS(
            parse_plan(json::parse(
                R"({"request_id":"r","attempts":[{"provider":"openai","model":"m"}]})")),
            FormatError);
        CHECK_THROWS_AS(
            parse_plan(json::parse(R"({"provider":"openai","model":"m","api_key":"k"})")),
            FormatError);
        CHECK_THROWS_AS(parse_plan(json::parse(R"(["not","an","object"])")), FormatError);
        CHECK_THROWS_AS(parse_plan(json::parse(
                            R"({"attempts":[{"attempt_id":"a","provider":7,"model":"m"}]})")),
                        FormatError);
    }

    TEST_CASE("client-error refusals keep their status and the platform's detail") {
        for (int status : {400, 401, 402, 403, 404, 421}) {
            CAPTURE(status);
            Refusal r = refusal_for(status, R"({"detail":"Invalid user token"})", std::nullopt);
            CHECK(r.status == status);
            CHECK(r.message == "Invalid user token");
            CHECK_FALSE(r.retry_after);
        }
        CHECK(refusal_for(402, "", std::nullopt).message == "authorization request rejected");
        CHECK(
            refusal_for(403, R"({"detail":{"message":"budget exceeded"}})", std::nullopt).message ==
            "budget exceeded");
    }

    TEST_CASE("a 429 refusal keeps Retry-After in whole seconds, at most a day, and drops a date") {
        CHECK(refusal_for(429, "{}", std::string_view("1.2")).retry_after == "2");
        CHECK(refusal_for(429, "{}", std::string_view("7")).retry_after == "7");
        CHECK(refusal_for(429, "{}", std::string_view("999999")).retry_after == "86400");
        CHECK_FALSE(
            refusal_for(429, "{}", std::string_view("Wed, 21 Oct 2026 07:28:00 GMT")).retry_after);
        CHECK_FALSE(refusal_for(429, "{}", std::nullopt).retry_after);
    }

    TEST_CASE("any other platform status is 502 authorization service unavailable") {
        for (int status : {422, 500, 502, 503, 301, 418}) {
            CAPTURE(status);
            Refusal r = refusal_for(status, R"({"detail":"internal details"})", std::nullopt);
            CHECK(r.status == 502);
            CHECK(r.message.find("authorization service unavailable") == 0);
            CHECK(r.message.find("internal details") == std::string::npos);
        }
    }

    TEST_CASE("an attempt names its provider: anthropic natively, others OpenAI-compatible") {
        Attempt a{"a1", 0, "anthropic", "claude-sonnet-4-5", "sk-ant", "", false};
        auto p = provider_for_attempt(a);
        CHECK(p.type == config::ProviderType::anthropic);
        CHECK(p.base_url == "https://api.anthropic.com");
        CHECK(p.api_key == "sk-ant");

        a.api_base = "http://127.0.0.1:9100/v1/";
        CHECK(provider_for_attempt(a).base_url ==
              "http://127.0.0.1:9100");  // /v1/messages is appended later

        Attempt o{"a2", 1, "mistral", "mistral-large-latest", "sk-m", "", false};
        auto m = provider_for_attempt(o);
        CHECK(m.type == config::ProviderType::openai);
        CHECK(m.base_url == "https://api.mistral.ai/v1");
        CHECK(m.profile == "mistral");

        Attempt z{"a3", 2, "mzai", "some-model", "k", "", true};
        CHECK(provider_for_attempt(z).base_url == "https://platform-api.any-llm.ai/api/v1");

        Attempt custom{"a4", 3, "home_lab", "qwen3", "", "http://127.0.0.1:8081/v1", false};
        auto c = provider_for_attempt(custom);
        CHECK(c.type == config::ProviderType::openai);
        CHECK(c.base_url == "http://127.0.0.1:8081/v1");

        Attempt unknown{"a5", 4, "nowhere", "m", "k", "", false};
        CHECK_THROWS_AS(provider_for_attempt(unknown), FormatError);
        Attempt bad_base{"a6", 5, "openai", "m", "k", "ftp://x", false};
        CHECK_THROWS_AS(provider_for_attempt(bad_base), FormatError);
    }

}  // TEST_SUITE
