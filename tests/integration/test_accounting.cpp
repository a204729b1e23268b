// Ledger records, prices and budgets through the running gateway.
#include <doctest/doctest.h>

#include <fstream>
#include <thread>

#include "auth/keystore.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_harness.hpp"
#include "support/http_client.hpp"
#include "util/json.hpp"

using namespace otari;
using namespace otari::test;
using namespace std::chrono_literals;

namespace {

// 1000 input + 500 output tokens at $3/$15 per Mtok = $0.0105.
const std::string k_message =
    R"({"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1000,"output_tokens":500}})";

std::string priced_config(const FakeUpstream& up, const std::string& extra = "") {
    return extra + "[providers.anthropic]\ntype = \"anthropic\"\nbase_url = \"" + up.url() +
           "\"\napi_key = \"k\"\n[pricing.\"anthropic:house-model\"]\ninput_per_mtok = 3\noutput_per_mtok = 15\n";
}

std::vector<json> ledger_lines(const std::filesystem::path& data_dir) {
    std::ifstream in(data_dir / "ledger.jsonl");
    std::vector<json> out;
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
}

// A key created while the gateway runs is seen within a second: wait for it (polling the
// reload, not hiding a race; GET /v1/models is authenticated and writes no ledger line).
void wait_until_accepted(GatewayHarness& gw, const std::string& token) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        HttpClient client(gw.port());
        if (client.request("GET", "/v1/models", "", {"Authorization: Bearer " + token}).status == 200) return;
        std::this_thread::sleep_for(50ms);
    }
    FAIL("the new key was not accepted within 5 s");
}

}  // namespace

TEST_SUITE("integration::accounting") {

TEST_CASE("every call, refused or served, appends one ledger line with tokens and exact cost") {
    FakeUpstream up;
    Script s;
    s.body = k_message;
    up.set_script(s);
    GatewayHarness gw(priced_config(up));
    {
        HttpClient client(gw.port());
        CHECK(client.request("POST", "/v1/messages", messages_body("anthropic:house-model", false), {gw.auth_header()}).status == 200);
    }
    {
        HttpClient client(gw.port());
        CHECK(client.request("POST", "/v1/messages", messages_body("anthropic:house-model", false)).status == 401);
    }
    REQUIRE(gw.wait_records(2));
    auto lines = ledger_lines(gw.data_dir());
    REQUIRE(lines.size() == 2);
    const json& ok = lines[0];
    CHECK(ok["v"] == 1);
    CHECK(ok["status"] == "ok");
    CHECK(ok["key"] == "tester");
    CHECK(ok["user"] == "tester");
    CHECK(ok["provider"] == "anthropic");
    CHECK(ok["model"] == "anthropic:house-model");
    CHECK(ok["model_sent"] == "house-model");
    CHECK(ok["input_tokens"] == 1000);
    CHECK(ok["output_tokens"] == 500);
    CHECK(ok["cost_usd"].get<double>() == doctest::Approx(0.0105));
    std::ifstream raw(gw.data_dir() / "ledger.jsonl");
    std::string first_line;
    std::getline(raw, first_line);
    CHECK(first_line.find("\"cost_usd\":0.010500") != std::string::npos);  // exact, 6 decimals
    CHECK(ok["ts"].get<std::string>().back() == 'Z');
    std::ifstream traces(gw.data_dir() / "traces.jsonl");
    std::string span_line;
    REQUIRE(std::getline(traces, span_line));
    auto span = json::parse(span_line);
    CHECK(span["request_id"] == ok["request_id"]);
    CHECK(span["route"]["provider"] == "anthropic");
    CHECK(span["route"]["upstream_model"] == "house-model");
    CHECK(span["timings"]["latency_ms"].is_number());
    // The upstream exchange's stages, in order, within the call.
    const json& t = span["timings"];
    REQUIRE(t.contains("upstream_start_ms"));
    REQUIRE(t.contains("upstream_connected_ms"));
    REQUIRE(t.contains("upstream_headers_ms"));
    REQUIRE(t.contains("upstream_first_byte_ms"));
    REQUIRE(t.contains("upstream_last_byte_ms"));
    CHECK(t["upstream_start_ms"].get<double>() <= t["upstream_connected_ms"].get<double>());
    CHECK(t["upstream_connected_ms"].get<double>() <= t["upstream_headers_ms"].get<double>());
    CHECK(t["upstream_headers_ms"].get<double>() <= t["upstream_first_byte_ms"].get<double>());
    CHECK(t["upstream_first_byte_ms"].get<double>() <= t["upstream_last_byte_ms"].get<double>());
    CHECK(t["upstream_last_byte_ms"].get<double>() <= t["latency_ms"].get<double>());
    CHECK(span["upstream_status"] == 200);
    CHECK(span["retries"] == 0);
    CHECK(span["bytes"]["request"] == messages_body("anthropic:house-model", false).size());
    CHECK(span["bytes"]["upstream_received"] == k_message.size());
    CHECK(span["bytes"]["upstream_sent"].get<int64_t>() > 0);
    CHECK_FALSE(span.contains("request_body"));
    CHECK(span_line.find("Say hi") == std::string::npos);  // no prompt text
    CHECK(span_line.find(gw.token()) == std::string::npos);
    const json& refused = lines[1];
    CHECK(refused["status"] == "error");
    CHECK(refused["http_status"] == 401);
    CHECK(refused["error"].get<std::string>().find("missing otari key") != std::string::npos);
}

TEST_CASE("trace_bodies = true keeps each request body in the trace, never the keys") {
    FakeUpstream up;
    Script s;
    s.body = k_message;
    up.set_script(s);
    GatewayHarness gw("trace_bodies = true\n" + priced_config(up));
    HttpClient client(gw.port());
    CHECK(client.request("POST", "/v1/messages", messages_body("anthropic:house-model", false), {gw.auth_header()}).status == 200);
    REQUIRE(gw.wait_records(1));
    std::ifstream traces(gw.data_dir() / "traces.jsonl");
    std::string span_line;
    REQUIRE(std::getline(traces, span_line));
    auto span = json::parse(span_line);
    CHECK(span["request_body"]["messages"][0]["content"] == "Say hi");
    CHECK(span_line.find(gw.token()) == std::string::npos);
}

TEST_CASE("a key budget refuses the call that would pass it with a 403 naming spend, limit and reset") {
    FakeUpstream up;
    Script s;
    s.body = k_message;
    up.set_script(s);
    GatewayHarness gw(priced_config(up));
    std::string token =
        auth::KeyFile(gw.data_dir()).create("capped", "", false, json{{"budget", {{"usd", 0.02}, {"period", "day"}}}});
    wait_until_accepted(gw, token);
    int ok = 0, refused = 0;
    std::string message;
    for (int i = 0; i < 4; ++i) {
        HttpClient client(gw.port());
        auto res = client.request("POST", "/v1/messages", messages_body("anthropic:house-model", false),
                                  {"Authorization: Bearer " + token});
        if (res.status == 200) ++ok;
        if (res.status == 403) {
            ++refused;
            auto body = json::parse(res.body);
            CHECK(body["error"]["type"] == "permission_error");
            message = body["error"]["message"];
        }
    }
    // Each call costs $0.0105, and the reservation assumes up to 64 output tokens more than
    // the input estimate: one call fits under $0.02, the third cannot.
    CHECK(ok >= 1);
    CHECK(ok <= 2);
    CHECK(refused == 4 - ok);
    CHECK(message.find("key 'capped'") != std::string::npos);
    CHECK(message.find("$0.02") != std::string::npos);
    CHECK(message.find("resets") != std::string::npos);
    CHECK(up.request_count() == size_t(ok));
}

TEST_CASE("concurrent calls at a nearly spent user budget cannot overshoot it") {
    FakeUpstream up;
    Script s;
    s.body = k_message;
    up.set_script(s);
    // $0.05 allows at most 4 calls of $0.0105 (plus estimates); 16 race for it.
    GatewayHarness gw(priced_config(up, "[users.tester]\nbudget_usd = 0.05\nperiod = \"month\"\n"));
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 16; ++i) {
        threads.emplace_back([&] {
            HttpClient client(gw.port());
            // max_tokens 1000: the reserved estimate ($0.015 and up) covers the actual $0.0105.
            auto res = client.request("POST", "/v1/messages",
                                      R"({"model":"anthropic:house-model","max_tokens":1000,"messages":[{"role":"user","content":"Say hi"}]})",
                                      {gw.auth_header()});
            if (res.status == 200) ++ok;
        });
    }
    for (auto& t : threads) t.join();
    REQUIRE(gw.wait_records(16));
    int64_t spent_micro = 0;
    for (const auto& line : ledger_lines(gw.data_dir())) {
        if (line["status"] == "ok") spent_micro += int64_t(line["cost_usd"].get<double>() * 1e6 + 0.5);
    }
    MESSAGE("admitted " << ok.load() << " of 16, spent " << spent_micro << " micro-USD");
    CHECK(ok.load() >= 1);
    // The actual cost never exceeds the estimate here, so spend stays within the limit.
    CHECK(spent_micro <= 50000);
    CHECK(up.request_count() == size_t(ok.load()));
}

TEST_CASE("budgets survive a restart: spend is rebuilt from the ledger") {
    FakeUpstream up;
    Script s;
    s.body = k_message;
    up.set_script(s);
    std::filesystem::path data_dir;
    std::string token;
    {
        GatewayHarness gw(priced_config(up));
        data_dir = gw.data_dir();
        token = auth::KeyFile(data_dir).create("once", "", false, json{{"budget", {{"usd", 0.01}, {"period", "total"}}}});
        wait_until_accepted(gw, token);
        HttpClient client(gw.port());
        CHECK(client.request("POST", "/v1/messages", messages_body("anthropic:house-model", false), {"Authorization: Bearer " + token}).status == 200);
        REQUIRE(gw.wait_records(1));
    }
    GatewayHarness again("data_dir = \"" + data_dir.string() + "\"\n" + priced_config(up));
    HttpClient client(again.port());
    auto res = client.request("POST", "/v1/messages", messages_body("anthropic:house-model", false), {"Authorization: Bearer " + token});
    CHECK(res.status == 403);
    CHECK(json::parse(res.body)["error"]["message"].get<std::string>().find("never") != std::string::npos);
}

TEST_CASE("spans are exported over OTLP/HTTP JSON with GenAI attribute names") {
    FakeUpstream up, collector;
    Script s;
    s.body = k_message;
    up.set_script(s);
    Script ok;
    ok.body = "{}";
    collector.set_script(ok);
    GatewayHarness gw(priced_config(up, "[otlp]\nendpoint = \"" + collector.url() + "\"\n"));
    HttpClient client(gw.port());
    CHECK(client.request("POST", "/v1/messages", messages_body("anthropic:house-model", false), {gw.auth_header()}).status == 200);
    REQUIRE(collector.wait_requests(1, 10s));
    auto request = collector.requests()[0];
    CHECK(request.path == "/v1/traces");
    auto body = json::parse(request.body);
    const auto& span = body["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
    std::map<std::string, json> attributes;
    for (const auto& a : span["attributes"]) attributes[a["key"]] = a["value"];
    CHECK(attributes["gen_ai.request.model"]["stringValue"] == "anthropic:house-model");
    CHECK(attributes["gen_ai.response.model"]["stringValue"] == "house-model");
    CHECK(attributes["gen_ai.usage.input_tokens"]["intValue"] == "1000");
    CHECK(attributes["gen_ai.usage.output_tokens"]["intValue"] == "500");
    CHECK(span["traceId"].get<std::string>().size() == 32);
    CHECK(span["status"]["code"] == 1);
}

TEST_CASE("require_pricing refuses an unpriced model with a clear 400") {
    FakeUpstream up;
    GatewayHarness gw(priced_config(up, "require_pricing = true\n"));
    HttpClient client(gw.port());
    auto res = client.request("POST", "/v1/messages", messages_body("anthropic:unknown-model-x", false), {gw.auth_header()});
    CHECK(res.status == 400);
    CHECK(json::parse(res.body)["error"]["message"].get<std::string>().find("require_pricing") != std::string::npos);
    CHECK(up.request_count() == 0);
}

}  // TEST_SUITE
