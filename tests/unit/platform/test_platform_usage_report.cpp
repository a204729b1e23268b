// The usage report sent to the platform after each attempt.
#include <doctest/doctest.h>

#include "platform/usage_report.hpp"

using namespace otari;
using namespace otari::platform;

namespace {

gateway::CallRecord finished_ok() {
    gateway::CallRecord r;
    r.attempt_id = "att_1";
    r.ok = true;
    r.http_status = 200;
    r.usage = {13, 7, 8, 2};
    r.usage_source = gateway::UsageSource::upstream;
    return r;
}

}  // namespace

TEST_SUITE("platform::usage_report") {
    TEST_CASE("a successful Anthropic attempt reports prompt tokens without cache, cache apart") {
        json report = usage_report(finished_ok(), config::ProviderType::anthropic, true);
        CHECK(report["correlation_id"] == "att_1");
        CHECK(report["status"] == "success");
        CHECK(report["is_final_attempt"] == true);
        CHECK(report["usage"] == json{{"prompt_tokens", 13},
                                      {"completion_tokens", 7},
                                      {"total_tokens", 20},
                                      {"cache_read_tokens", 8},
                                      {"cache_write_tokens", 2}});
        CHECK_FALSE(report.contains("error_class"));
        CHECK_FALSE(report.contains("ttft_ms"));
    }

    TEST_CASE("an OpenAI-compatible attempt reports prompt tokens with the cached ones included") {
        json report = usage_report(finished_ok(), config::ProviderType::openai, true);
        CHECK(report["usage"]["prompt_tokens"] == 23);
        CHECK(report["usage"]["total_tokens"] == 30);
        CHECK(report["usage"]["cache_read_tokens"] == 8);
    }

    TEST_CASE("a success without provider usage omits usage instead of reporting zeros") {
        auto r = finished_ok();
        r.usage = {};
        r.usage_source = gateway::UsageSource::none;
        CHECK_FALSE(usage_report(r, config::ProviderType::openai, true).contains("usage"));
    }

    TEST_CASE("a streamed attempt reports its time to first token") {
        auto r = finished_ok();
        r.stream = true;
        r.ttft_ms = 340.4;
        CHECK(usage_report(r, config::ProviderType::anthropic, true)["ttft_ms"] == 340);
    }

    TEST_CASE(
        "failures carry an error class: HTTP status, billing, timeout, connection, or none "
        "mid-stream") {
        gateway::CallRecord r;
        r.attempt_id = "att_2";
        r.ok = false;
        r.http_status = 429;
        r.upstream_status = 429;
        json report = usage_report(r, config::ProviderType::openai, false);
        CHECK(report["status"] == "error");
        CHECK(report["is_final_attempt"] == false);
        CHECK(report["error_class"] == "http_429");
        CHECK_FALSE(report.contains("usage"));

        r.upstream_status = 402;
        CHECK(error_class(r) == "http_402_billing");
        r.upstream_status = 400;
        r.error = "Your credit balance is too low to access the Anthropic API";
        CHECK(error_class(r) == "http_400_billing");
        r.error = "messages: field required";
        CHECK(error_class(r) == "http_400");

        gateway::CallRecord t;
        t.http_status = 504;
        t.failure_class = "timeout";
        CHECK(error_class(t) == "timeout");
        t.failure_class = "conn_err";
        t.http_status = 502;
        CHECK(error_class(t) == "conn_err");

        gateway::CallRecord mid;
        mid.http_status = 200;  // the stream had started
        mid.usage = {10, 4, 0, 0};
        mid.usage_source = gateway::UsageSource::estimated;
        json mid_report = usage_report(mid, config::ProviderType::anthropic, true);
        CHECK_FALSE(mid_report.contains("error_class"));
        CHECK(mid_report["usage"]["completion_tokens"] == 4);  // what was generated is still billed
    }

}  // TEST_SUITE
