// Hybrid mode against a fake platform (a real HTTP server on loopback playing
// /gateway/provider-keys/resolve and /gateway/usage) and fake providers.
#include <doctest/doctest.h>

#include "ledger/reader.hpp"
#include "ledger/record.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_harness.hpp"
#include "support/http_client.hpp"
#include "util/json.hpp"

using namespace otari;
using namespace otari::test;
using namespace std::chrono_literals;

namespace {

const std::string k_resolve = "/api/v1/gateway/provider-keys/resolve";
const std::string k_usage = "/api/v1/gateway/usage";
const std::string k_user_token = "tk_user_secret_0123456789";

std::string hybrid_config(const FakeUpstream& platform, const std::string& extra = "") {
    return "[platform]\ntoken = \"gw_test_gateway\"\nbase_url = \"" + platform.url() +
           "/api/v1\"\nresolve_timeout_ms = 800\nfirst_chunk_timeout_ms = 400\n" + extra;
}

// A loopback URL where nothing listens.
std::string closed_url() { return "http://127.0.0.1:" + std::to_string(free_loopback_port()); }

Script json_script(int status, const std::string& body,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    Script s;
    s.status = status;
    s.body = body;
    s.headers = std::move(headers);
    return s;
}

json attempt(const std::string& id, const std::string& provider, const std::string& model,
             const std::string& base, const std::string& key = "sk-from-platform") {
    return {{"attempt_id", id}, {"position", 0},    {"provider", provider}, {"model", model},
            {"api_key", key},   {"api_base", base}, {"managed", false}};
}

std::string plan_json(std::vector<json> attempts, const std::string& request_id = "preq_1") {
    json plan = {{"request_id", request_id},
                 {"fallback_enabled", attempts.size() > 1},
                 {"user_id", "user-42"},
                 {"attempts", attempts},
                 {"provider_key_id", "ignored"}};
    for (size_t i = 0; i < plan["attempts"].size(); ++i) plan["attempts"][i]["position"] = i;
    return dump_json(plan);
}

const std::string k_message_json =
    R"({"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":2,"cache_read_input_tokens":3,"output_tokens":5}})";

std::string sse(const std::string& event, const std::string& data) {
    return "event: " + event + "\ndata: " + data + "\n\n";
}

const std::string k_start = sse(
    "message_start",
    R"({"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":1}}})");
const std::string k_rest =
    sse("content_block_start",
        R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})") +
    sse("content_block_delta",
        R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}})") +
    sse("content_block_stop", R"({"type":"content_block_stop","index":0})") +
    sse("message_delta",
        R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}})") +
    sse("message_stop", R"({"type":"message_stop"})");

Script anthropic_stream(std::vector<Step> steps) {
    Script s;
    s.content_type = "text/event-stream";
    s.steps = std::move(steps);
    return s;
}

const std::string k_openai_completion =
    R"({"id":"cmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"From B"},"finish_reason":"stop"}],"usage":{"prompt_tokens":30,"completion_tokens":4,"total_tokens":34}})";

std::vector<json> usage_reports(const FakeUpstream& platform) {
    std::vector<json> out;
    for (const auto& r : platform.requests_to(k_usage)) out.push_back(json::parse(r.body));
    return out;
}

std::string bearer() { return "Authorization: Bearer " + k_user_token; }

std::string read_all_body(HttpClient& client) {
    std::string body, piece;
    while (client.read_body_piece(piece)) body += piece;
    return body;
}

std::vector<ledger::LedgerRecord> ledger_records(GatewayHarness& gw) {
    ledger::ReadStats stats;
    return ledger::read_ledger(ledger::ledger_path(gw.data_dir()), stats);
}

}  // namespace

TEST_SUITE("integration::hybrid") {
    TEST_CASE(
        "an authorized call goes to the attempt's provider with the platform's key and is "
        "reported") {
        FakeUpstream platform, provider;
        platform.set_script_for(
            k_resolve, json_script(200, plan_json({attempt("att_1", "anthropic",
                                                           "claude-sonnet-4-5", provider.url())})));
        platform.set_script_for(k_usage, json_script(202, "{}"));
        provider.set_script(json_script(200, k_message_json, {{"request-id", "req_up"}}));
        GatewayHarness gw(hybrid_config(platform));
        HttpClient client(gw.port());
        auto res = client.request("POST", "/v1/messages",
                                  messages_body("anthropic:claude-sonnet-4-5", false), {bearer()});
        REQUIRE(res.status == 200);
        CHECK(json::parse(res.body)["content"][0]["text"] == "Hi");
        CHECK(res.header("x-correlation-id") == "att_1");
        CHECK(res.header("x-otari-request-id") == "preq_1");

        auto resolves = platform.requests_to(k_resolve);
        REQUIRE(resolves.size() == 1);
        CHECK(resolves[0].method == "POST");
        CHECK(resolves[0].headers["x-gateway-token"] == "gw_test_gateway");
        CHECK(resolves[0].headers["x-user-token"] == k_user_token);
        CHECK(json::parse(resolves[0].body) ==
              json{{"model", "claude-sonnet-4-5"}, {"provider", "anthropic"}});

        REQUIRE(provider.request_count() == 1);
        auto sent = provider.requests()[0];
        CHECK(sent.path == "/v1/messages");
        CHECK(sent.headers["x-api-key"] == "sk-from-platform");
        CHECK(sent.headers.count("authorization") ==
              0);  // the user's token never reaches the provider
        CHECK(json::parse(sent.body)["model"] == "claude-sonnet-4-5");

        REQUIRE(platform.wait_requests_to(k_usage, 1, 5s));
        auto reports = usage_reports(platform);
        REQUIRE(reports.size() == 1);
        CHECK(platform.requests_to(k_usage)[0].headers["x-gateway-token"] == "gw_test_gateway");
        CHECK(platform.requests_to(k_usage)[0].headers.count("x-user-token") == 0);
        CHECK(reports[0]["correlation_id"] == "att_1");
        CHECK(reports[0]["status"] == "success");
        CHECK(reports[0]["is_final_attempt"] == true);
        CHECK(reports[0]["usage"] == json{{"prompt_tokens", 12},
                                          {"completion_tokens", 5},
                                          {"total_tokens", 17},
                                          {"cache_read_tokens", 3},
                                          {"cache_write_tokens", 2}});

        REQUIRE(gw.wait_records(1));
        auto records = ledger_records(gw);
        REQUIRE(records.size() == 1);
        CHECK(records[0].platform_request_id == "preq_1");
        CHECK(records[0].provider == "anthropic");
        CHECK(records[0].user == "user-42");
        CHECK(records[0].key.rfind("tk_user_sec", 0) == 0);
        CHECK(records[0].key.find("0123456789") == std::string::npos);  // never the whole token
        CHECK(records[0].input_tokens == 12);
    }

    TEST_CASE("resolve refusals reach the client with their status, in the client's envelope") {
        FakeUpstream platform, provider;
        GatewayHarness gw(hybrid_config(platform));
        for (int status : {400, 401, 402, 403, 404, 429}) {
            CAPTURE(status);
            std::vector<std::pair<std::string, std::string>> headers;
            if (status == 429) headers.emplace_back("Retry-After", "2.5");
            platform.queue_script_for(
                k_resolve,
                json_script(status, R"({"detail":"refused )" + std::to_string(status) + "\"}",
                            headers));
            HttpClient client(gw.port());
            auto res = client.request("POST", "/v1/messages", messages_body("openai:gpt-4o", false),
                                      {bearer()});
            CHECK(res.status == status);
            json body = json::parse(res.body);
            CHECK(body["type"] == "error");
            CHECK(body["error"]["message"] == "refused " + std::to_string(status));
            if (status == 401) CHECK(body["error"]["type"] == "authentication_error");
            if (status == 403) CHECK(body["error"]["type"] == "permission_error");
            if (status == 429) {
                CHECK(body["error"]["type"] == "rate_limit_error");
                CHECK(res.header("retry-after") == "3");
            }
            platform.queue_script_for(k_resolve, json_script(status, R"({"detail":"refused"})"));
            HttpClient chat(gw.port());
            auto chat_res = chat.request(
                "POST", "/v1/chat/completions",
                R"({"model":"openai:gpt-4o","messages":[{"role":"user","content":"hi"}]})",
                {bearer()});
            CHECK(chat_res.status == status);
            CHECK(json::parse(chat_res.body)["error"]["message"] == "refused");
        }
        CHECK(provider.request_count() == 0);
        CHECK(platform.requests_to(k_usage).empty());  // nothing ran, nothing to report
        REQUIRE(gw.wait_records(12));
        CHECK(ledger_records(gw).size() == 12);  // refusals are recorded locally too
    }

    TEST_CASE(
        "a platform that is down, slow, failing or talking nonsense gives 502 authorization "
        "service unavailable") {
        std::string down = closed_url();
        {
            FakeUpstream unused;
            GatewayHarness gw("[platform]\ntoken = \"gw_t\"\nbase_url = \"" + down +
                              "/api/v1\"\nresolve_timeout_ms = 800\n");
            HttpClient client(gw.port());
            auto res = client.request("POST", "/v1/messages", messages_body("openai:gpt-4o", false),
                                      {bearer()});
            CHECK(res.status == 502);
            CHECK(json::parse(res.body)["error"]["message"].get<std::string>().find(
                      "authorization service unavailable") == 0);
        }
        FakeUpstream platform;
        GatewayHarness gw(hybrid_config(platform));
        Script slow =
            json_script(200, plan_json({attempt("a", "openai", "gpt-4o", closed_url() + "/v1")}));
        slow.delay = 2s;
        std::vector<Script> broken = {json_script(500, "{}"),
                                      json_script(503, "oops"),
                                      json_script(422, R"({"detail":[]})"),
                                      json_script(200, "not json"),
                                      json_script(200, R"({"request_id":"r","attempts":[]})"),
                                      json_script(200, R"({"unexpected":true})"),
                                      slow};
        for (auto& script : broken) {
            CAPTURE(script.body);
            platform.queue_script_for(k_resolve, script);
            HttpClient client(gw.port());
            auto start = std::chrono::steady_clock::now();
            auto res = client.request(
                "POST", "/v1/chat/completions",
                R"({"model":"openai:gpt-4o","messages":[{"role":"user","content":"hi"}]})",
                {bearer()});
            CHECK(res.status == 502);
            CHECK(json::parse(res.body)["error"]["message"].get<std::string>().find(
                      "authorization service unavailable") == 0);
            CHECK(std::chrono::steady_clock::now() - start <
                  1900ms);  // the resolve timeout (800 ms) holds
        }
    }

    TEST_CASE(
        "only Authorization: Bearer authenticates in hybrid mode; local keys are not consulted") {
        FakeUpstream platform;
        GatewayHarness gw(hybrid_config(platform));
        HttpClient a(gw.port());
        auto res = a.request("POST", "/v1/messages", messages_body("openai:gpt-4o", false),
                             {"x-api-key: " + k_user_token});
        CHECK(res.status == 401);
        CHECK(json::parse(res.body)["error"]["type"] == "authentication_error");
        CHECK(json::parse(res.body)["error"]["message"].get<std::string>().find(
                  "Authorization: Bearer") != std::string::npos);
        HttpClient b(gw.port());
        CHECK(b.request("POST", "/v1/messages", messages_body("openai:gpt-4o", false), {}).status ==
              401);
        CHECK(platform.requests_to(k_resolve).empty());
        // The harness's local key is just another token to the platform, which decides.
        platform.queue_script_for(k_resolve,
                                  json_script(401, R"({"detail":"Invalid user token"})"));
        HttpClient c(gw.port());
        auto local = c.request("POST", "/v1/messages", messages_body("openai:gpt-4o", false),
                               {gw.auth_header()});
        CHECK(local.status == 401);
        CHECK(json::parse(local.body)["error"]["message"] == "Invalid user token");
    }

    TEST_CASE("a failing first attempt falls through to the second; both attempts are reported") {
        FakeUpstream platform, first, second;
        platform.set_script_for(
            k_resolve,
            json_script(200,
                        plan_json({attempt("att_a", "anthropic", "claude-sonnet-4-5", first.url()),
                                   attempt("att_b", "openai", "gpt-4o", second.url() + "/v1")})));
        platform.set_script_for(k_usage, json_script(200, "{}"));
        first.set_script(json_script(
            529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"));
        second.set_script(json_script(200, k_openai_completion));
        GatewayHarness gw(hybrid_config(platform));
        HttpClient client(gw.port());
        auto res = client.request("POST", "/v1/messages",
                                  messages_body("anthropic:claude-sonnet-4-5", false), {bearer()});
        REQUIRE(res.status == 200);
        CHECK(json::parse(res.body)["content"][0]["text"] == "From B");
        CHECK(res.header("x-correlation-id") == "att_b");
        CHECK(first.request_count() == 1);
        REQUIRE(second.request_count() == 1);
        CHECK(second.requests()[0].headers["authorization"] == "Bearer sk-from-platform");
        CHECK(json::parse(second.requests()[0].body)["model"] == "gpt-4o");

        REQUIRE(platform.wait_requests_to(k_usage, 2, 5s));
        auto reports = usage_reports(platform);
        std::map<std::string, json> by_id;
        for (auto& r : reports) by_id[r["correlation_id"]] = r;
        REQUIRE(by_id.count("att_a"));
        REQUIRE(by_id.count("att_b"));
        CHECK(by_id["att_a"]["status"] == "error");
        CHECK(by_id["att_a"]["is_final_attempt"] == false);
        CHECK(by_id["att_a"]["error_class"] == "http_529");
        CHECK(by_id["att_b"]["status"] == "success");
        CHECK(by_id["att_b"]["is_final_attempt"] == true);
        CHECK(by_id["att_b"]["usage"]["prompt_tokens"] == 30);

        REQUIRE(gw.wait_records(1));
        auto records = ledger_records(gw);
        REQUIRE(records.size() == 1);  // one record per call: the attempt that served
        CHECK(records[0].provider == "openai");
        CHECK(records[0].model_sent == "gpt-4o");
    }

    TEST_CASE("all attempts failing gives the last attempt's error, every attempt reported") {
        FakeUpstream platform, provider;
        std::string down = closed_url();
        platform.set_script_for(
            k_resolve,
            json_script(200, plan_json({attempt("x1", "openai", "gpt-4o", down + "/v1"),
                                        attempt("x2", "anthropic", "claude", provider.url())})));
        platform.set_script_for(k_usage, json_script(200, "{}"));
        provider.set_script(json_script(
            429, R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})",
            {{"retry-after", "4"}}));
        GatewayHarness gw(hybrid_config(platform));
        HttpClient client(gw.port());
        auto res =
            client.request("POST", "/v1/messages", messages_body("claude", false), {bearer()});
        CHECK(res.status == 429);
        CHECK(res.header("retry-after") == "4");
        CHECK(res.header("x-correlation-id") == "x2");
        REQUIRE(platform.wait_requests_to(k_usage, 2, 5s));
        std::map<std::string, json> by_id;
        for (auto& r : usage_reports(platform)) by_id[r["correlation_id"]] = r;
        CHECK(by_id["x1"]["error_class"] == "conn_err");
        CHECK(by_id["x1"]["is_final_attempt"] == false);
        CHECK(by_id["x2"]["error_class"] == "http_429");
        CHECK(by_id["x2"]["is_final_attempt"] == true);
    }

    TEST_CASE(
        "a streamed call falls through an unreachable and a hung attempt, but never after the "
        "first byte") {
        FakeUpstream platform, hung, good;
        std::string down = closed_url();
        platform.set_script_for(k_usage, json_script(200, "{}"));
        Script hang = anthropic_stream({{k_start}});
        hang.delay = 3s;
        hung.set_script(hang);
        good.set_script(anthropic_stream({{k_start}, {k_rest}}));
        platform.queue_script_for(
            k_resolve, json_script(200, plan_json({attempt("s1", "openai", "gpt-4o", down + "/v1"),
                                                   attempt("s2", "anthropic", "c", hung.url()),
                                                   attempt("s3", "anthropic", "c", good.url())})));
        GatewayHarness gw(hybrid_config(platform));
        {
            HttpClient client(gw.port());
            auto start = std::chrono::steady_clock::now();
            auto res = client.request("POST", "/v1/messages", messages_body("anthropic:c", true),
                                      {bearer()});
            REQUIRE(res.status == 200);
            CHECK(res.body.find("event: message_stop") != std::string::npos);
            CHECK(res.header("x-correlation-id") == "s3");
            CHECK(std::chrono::steady_clock::now() - start <
                  2500ms);  // the hung attempt was given 400 ms
        }
        REQUIRE(platform.wait_requests_to(k_usage, 3, 5s));
        std::map<std::string, json> by_id;
        for (auto& r : usage_reports(platform)) by_id[r["correlation_id"]] = r;
        CHECK(by_id["s2"]["error_class"] == "timeout");
        CHECK(by_id["s3"]["status"] == "success");
        CHECK(by_id["s3"]["usage"]["completion_tokens"] == 9);
        CHECK(by_id["s3"].contains("ttft_ms"));

        // The first attempt streams, then breaks: the client gets the error in the stream, and
        // the second attempt is never tried.
        FakeUpstream breaks, spare;
        breaks.set_script(anthropic_stream({{k_start}, {"", -1, true}}));
        spare.set_script(anthropic_stream({{k_start}, {k_rest}}));
        platform.queue_script_for(
            k_resolve, json_script(200, plan_json({attempt("b1", "anthropic", "c", breaks.url()),
                                                   attempt("b2", "anthropic", "c", spare.url())},
                                                  "preq_2")));
        HttpClient client(gw.port());
        client.send("POST", "/v1/messages", messages_body("anthropic:c", true), {bearer()});
        HttpResult head;
        REQUIRE(client.read_head(head));
        CHECK(head.status == 200);
        CHECK(head.header("x-correlation-id") == "b1");
        std::string body = read_all_body(client);
        CHECK(body.find("event: message_start") != std::string::npos);
        CHECK(body.find("event: error") != std::string::npos);
        CHECK(spare.request_count() == 0);
        REQUIRE(platform.wait_requests_to(k_usage, 4, 5s));
        auto last = usage_reports(platform).back();
        CHECK(last["correlation_id"] == "b1");
        CHECK(last["status"] == "error");
        CHECK(last["is_final_attempt"] == true);
    }

    TEST_CASE("a streamed attempt that errors in its first event or stalls after its headers falls through") {
    FakeUpstream platform, errors, stalls, good;
    platform.set_script_for(k_usage, json_script(200, "{}"));
    errors.set_script(anthropic_stream(
        {{sse("error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})")}}));
    stalls.set_script(anthropic_stream({{"", 0}, {k_start}, {k_rest}}));  // headers, then waits at gate 0
    good.set_script(anthropic_stream({{k_start}, {k_rest}}));
    platform.set_script_for(k_resolve, json_script(200, plan_json({attempt("e1", "anthropic", "c", errors.url()),
                                                                   attempt("e2", "anthropic", "c", stalls.url()),
                                                                   attempt("e3", "anthropic", "c", good.url())})));
    GatewayHarness gw(hybrid_config(platform));
    HttpClient client(gw.port());
    auto res = client.request("POST", "/v1/messages", messages_body("anthropic:c", true), {bearer()});
    stalls.open_gate(0);
    REQUIRE(res.status == 200);
    CHECK(res.header("x-correlation-id") == "e3");
    CHECK(res.body.find("event: error") == std::string::npos);
    CHECK(res.body.find("event: message_stop") != std::string::npos);
    REQUIRE(platform.wait_requests_to(k_usage, 3, 5s));
    std::map<std::string, json> by_id;
    for (auto& r : usage_reports(platform)) by_id[r["correlation_id"]] = r;
    CHECK(by_id["e1"]["error_class"] == "http_529");
    CHECK(by_id["e2"]["error_class"] == "timeout");
    CHECK(by_id["e3"]["status"] == "success");
}

TEST_CASE("a usage report the platform fails is retried until it is delivered") {
        FakeUpstream platform, provider;
        platform.set_script_for(
            k_resolve,
            json_script(200, plan_json({attempt("r1", "anthropic", "c", provider.url())})));
        platform.queue_script_for(k_usage, json_script(503, "busy"));
        platform.queue_script_for(k_usage, json_script(500, "still busy"));
        platform.set_script_for(k_usage, json_script(200, "{}"));
        provider.set_script(json_script(200, k_message_json));
        GatewayHarness gw(hybrid_config(platform));
        HttpClient client(gw.port());
        auto start = std::chrono::steady_clock::now();
        auto res =
            client.request("POST", "/v1/messages", messages_body("anthropic:c", false), {bearer()});
        CHECK(res.status == 200);
        CHECK(std::chrono::steady_clock::now() - start <
              1s);  // the failing platform did not slow the answer
        REQUIRE(platform.wait_requests_to(k_usage, 3, 10s));
        auto reports = platform.requests_to(k_usage);
        CHECK(reports[0].body == reports[1].body);
        CHECK(reports[1].body == reports[2].body);
        CHECK(json::parse(reports[2].body)["correlation_id"] == "r1");
    }

    TEST_CASE("count_tokens is authenticated through the platform and counted locally") {
        FakeUpstream platform, provider;
        GatewayHarness gw(hybrid_config(platform));
        platform.queue_script_for(
            k_resolve,
            json_script(200, plan_json({attempt("c1", "openai", "gpt-4o", provider.url())})));
        HttpClient a(gw.port());
        auto ok = a.request(
            "POST", "/v1/messages/count_tokens",
            R"({"model":"openai:gpt-4o","messages":[{"role":"user","content":"Hello, world"}]})",
            {bearer()});
        REQUIRE(ok.status == 200);
        CHECK(json::parse(ok.body)["input_tokens"].get<int>() > 0);
        auto resolves = platform.requests_to(k_resolve);
        REQUIRE(resolves.size() == 1);
        CHECK(resolves[0].headers["x-user-token"] == k_user_token);
        CHECK(provider.request_count() == 0);

        platform.queue_script_for(k_resolve,
                                  json_script(401, R"({"detail":"Invalid user token"})"));
        HttpClient b(gw.port());
        auto refused =
            b.request("POST", "/v1/messages/count_tokens",
                      R"({"model":"openai:gpt-4o","messages":[{"role":"user","content":"Hello"}]})",
                      {bearer()});
        CHECK(refused.status == 401);
        CHECK(json::parse(refused.body)["error"]["message"] == "Invalid user token");
    }

    TEST_CASE("/v1/models lists what the platform says the caller's token may use") {
    FakeUpstream platform;
    platform.set_script_for("/api/v1/gateway/models/resolve",
                            json_script(200, R"({"models":[{"id":"openai:gpt-4o","created":1715367049,"owned_by":"openai"},{"id":"anthropic:claude-sonnet-4-5"}],"extra":1})"));
    GatewayHarness gw(hybrid_config(platform));
    HttpClient client(gw.port());
    auto res = client.request("GET", "/v1/models", "", {bearer()});
    REQUIRE(res.status == 200);
    json body = json::parse(res.body);
    REQUIRE(body["data"].size() == 2);
    CHECK(body["data"][0]["id"] == "anthropic:claude-sonnet-4-5");  // sorted by id
    CHECK(body["data"][0]["owned_by"] == "anthropic");
    CHECK(body["data"][1]["created"] == 1715367049);
    auto asked = platform.requests_to("/api/v1/gateway/models/resolve");
    REQUIRE(asked.size() == 1);
    CHECK(asked[0].headers["x-user-token"] == k_user_token);
    platform.set_script_for("/api/v1/gateway/models/resolve", json_script(401, R"({"detail":"Invalid user token"})"));
    HttpClient again(gw.port());
    auto refused = again.request("GET", "/v1/models", "", {bearer()});
    CHECK(refused.status == 401);
    CHECK(json::parse(refused.body)["error"]["message"] == "Invalid user token");
}

TEST_CASE("/health reports the mode and whether the platform answers") {
        FakeUpstream platform;
        {
            GatewayHarness gw(hybrid_config(platform));
            HttpClient client(gw.port());
            json health = json::parse(client.request("GET", "/health", "").body);
            CHECK(health["mode"] == "hybrid");
            CHECK(health["platform_reachable"] == true);
            CHECK(platform.requests_to("/api/v1/utils/health-check/").size() == 1);
            platform.set_script_for("/api/v1/utils/health-check/", json_script(503, "{}"));
            HttpClient again(gw.port());
            CHECK(json::parse(again.request("GET", "/health", "").body)["platform_reachable"] ==
                  false);
        }
        GatewayHarness down("[platform]\ntoken = \"gw_t\"\nbase_url = \"" + closed_url() + "\"\n");
        HttpClient client(down.port());
        json health = json::parse(client.request("GET", "/health", "").body);
        CHECK(health["mode"] == "hybrid");
        CHECK(health["platform_reachable"] == false);
        GatewayHarness standalone("");
        HttpClient s(standalone.port());
        json plain = json::parse(s.request("GET", "/health", "").body);
        CHECK(plain["mode"] == "standalone");
        CHECK_FALSE(plain.contains("platform_reachable"));
    }

}  // TEST_SUITE
