// Client -> otari -> fake Anthropic upstream on loopback: native passthrough.
#include <doctest/doctest.h>

#include "support/fake_upstream.hpp"
#include "support/gateway_harness.hpp"
#include "support/http_client.hpp"
#include "util/json.hpp"

using namespace otari;
using namespace otari::test;
using namespace std::chrono_literals;

namespace {

std::string anthropic_config(const FakeUpstream& up) {
    return "[providers.anthropic]\ntype = \"anthropic\"\nbase_url = \"" + up.url() +
           "\"\napi_key = \"sk-upstream-secret\"\n[aliases]\n\"claude-sonnet-4-6\" = \"anthropic:claude-sonnet-4-6\"\n";
}

const std::string k_message_json =
    R"({"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":3,"output_tokens":5}})";

std::string sse(const std::string& event, const std::string& data) {
    return "event: " + event + "\ndata: " + data + "\n\n";
}

const std::string k_start = sse("message_start",
    R"({"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":20,"cache_creation_input_tokens":4,"cache_read_input_tokens":7,"output_tokens":1}}})");
const std::string k_block_start = sse("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})");
const std::string k_delta = sse("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}})");
const std::string k_block_stop = sse("content_block_stop", R"({"type":"content_block_stop","index":0})");
const std::string k_message_delta = sse("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}})");
const std::string k_stop = sse("message_stop", R"({"type":"message_stop"})");

Script stream_script(std::vector<Step> steps) {
    Script s;
    s.content_type = "text/event-stream";
    s.steps = std::move(steps);
    return s;
}

std::string read_all_body(HttpClient& client) {
    std::string body, piece;
    while (client.read_body_piece(piece)) body += piece;
    return body;
}

}  // namespace

TEST_SUITE("integration::anthropic_passthrough") {

TEST_CASE("a stream whose first event is an error is answered with that error's status, not a 200 stream") {
    FakeUpstream up;
    up.set_script(stream_script({{sse("error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})")}}));
    GatewayHarness gw(anthropic_config(up));
    HttpClient client(gw.port());
    auto res = client.request("POST", "/v1/messages", messages_body("anthropic:claude-sonnet-4-6", true), {gw.auth_header()});
    CHECK(res.status == 529);
    json body = json::parse(res.body);
    CHECK(body["error"]["type"] == "overloaded_error");
    CHECK(body["error"]["message"] == "Overloaded");
    REQUIRE(gw.wait_records(1));
    CHECK(gw.records()[0].http_status == 529);
}

TEST_CASE("a non-streaming call is forwarded with only model rewritten and the provider's key") {
    FakeUpstream up;
    Script script;
    script.body = k_message_json;
    script.headers = {{"request-id", "req_upstream_1"}};
    up.set_script(script);
    GatewayHarness gw(anthropic_config(up));
    HttpClient client(gw.port());
    std::string body = R"({"model":"anthropic:claude-sonnet-4-6","max_tokens":64,"messages":[{"role":"user","content":"caf\u00e9 \"q\""}],"metadata":{"user_id":"tester"}})";
    auto res = client.request("POST", "/v1/messages?beta=true", body,
                              {gw.auth_header(), "anthropic-version: 2023-06-01", "anthropic-beta: a-1", "anthropic-beta: b-2", "x-app: cli"});
    CHECK(res.status == 200);
    CHECK(res.body == k_message_json);
    CHECK(res.header("request-id").rfind("req_", 0) == 0);
    CHECK(res.header("x-upstream-request-id") == "req_upstream_1");
    auto reqs = up.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].path == "/v1/messages");
    // Every byte but the model value is the client's.
    std::string expected = body;
    expected.replace(expected.find("anthropic:claude-sonnet-4-6"), std::string("anthropic:claude-sonnet-4-6").size(), "claude-sonnet-4-6");
    CHECK(reqs[0].body == expected);
    auto header = [&](const char* name) {
        auto it = reqs[0].headers.find(name);
        return it == reqs[0].headers.end() ? std::string() : it->second;
    };
    CHECK(header("x-api-key") == "sk-upstream-secret");
    CHECK(header("authorization").empty());
    CHECK(header("anthropic-version") == "2023-06-01");
    CHECK(header("anthropic-beta") == "a-1,b-2");
    CHECK(header("x-app") == "cli");
    REQUIRE(gw.wait_records(1));
    auto rec = gw.records()[0];
    CHECK(rec.ok);
    CHECK(rec.key == "tester");
    CHECK(rec.provider == "anthropic");
    CHECK(rec.model_sent == "claude-sonnet-4-6");
    CHECK(rec.usage.input_tokens == 12);
    CHECK(rec.usage.output_tokens == 5);
    CHECK(rec.usage.cache_read_tokens == 3);
}

TEST_CASE("an alias and a bare claude name both route to the anthropic provider") {
    FakeUpstream up;
    Script script;
    script.body = k_message_json;
    up.set_script(script);
    GatewayHarness gw(anthropic_config(up));
    for (const char* model : {"claude-sonnet-4-6", "claude-haiku-4-5"}) {
        HttpClient client(gw.port());
        auto res = client.request("POST", "/v1/messages", messages_body(model, false), {gw.auth_header()});
        CHECK(res.status == 200);
    }
    auto reqs = up.requests();
    REQUIRE(reqs.size() == 2);
    CHECK(json::parse(reqs[0].body)["model"] == "claude-sonnet-4-6");
    CHECK(json::parse(reqs[1].body)["model"] == "claude-haiku-4-5");
}

TEST_CASE("each SSE event reaches the client before the upstream sends the next one") {
    FakeUpstream up;
    up.set_script(stream_script({{k_start}, {"", 0}, {k_block_start + k_delta}, {"", 1}, {k_block_stop + k_message_delta + k_stop}}));
    GatewayHarness gw(anthropic_config(up));
    HttpClient client(gw.port());
    client.send("POST", "/v1/messages", messages_body("anthropic:claude-sonnet-4-6", true), {gw.auth_header()});
    HttpResult head;
    REQUIRE(client.read_head(head));
    CHECK(head.status == 200);
    CHECK(head.header("content-type").find("text/event-stream") != std::string::npos);
    std::string piece, got;
    // The upstream now waits at gate 0: message_start must already be here.
    REQUIRE(up.wait_at_gate(0, 5s));
    while (got.size() < k_start.size() && client.read_body_piece(piece, 5s)) got += piece;
    CHECK(got == k_start);
    up.open_gate(0);
    REQUIRE(up.wait_at_gate(1, 5s));
    got.clear();
    while (got.size() < (k_block_start + k_delta).size() && client.read_body_piece(piece, 5s)) got += piece;
    CHECK(got == k_block_start + k_delta);
    up.open_gate(1);
    got = read_all_body(client);
    CHECK(got == k_block_stop + k_message_delta + k_stop);
    CHECK(client.ended_cleanly());
    REQUIRE(gw.wait_records(1));
    auto rec = gw.records()[0];
    CHECK(rec.ok);
    CHECK(rec.stream);
    CHECK(rec.usage.input_tokens == 20);
    CHECK(rec.usage.cache_write_tokens == 4);
    CHECK(rec.usage.cache_read_tokens == 7);
    CHECK(rec.usage.output_tokens == 9);
    CHECK(rec.stop_reason == "end_turn");
    CHECK(rec.ttft_ms.has_value());
}

TEST_CASE("upstream error statuses reach the client with their own status, body and retry-after") {
    FakeUpstream up;
    GatewayHarness gw(anthropic_config(up));
    SUBCASE("429 with an Anthropic body and retry-after") {
        Script s;
        s.status = 429;
        s.body = R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})";
        s.headers = {{"retry-after", "5"}, {"anthropic-ratelimit-requests-remaining", "0"}};
        up.set_script(s);
        HttpClient client(gw.port());
        auto res = client.request("POST", "/v1/messages", messages_body("anthropic:claude-x", true), {gw.auth_header()});
        CHECK(res.status == 429);
        CHECK(res.body == s.body);
        CHECK(res.header("retry-after") == "5");
        CHECK(res.header("anthropic-ratelimit-requests-remaining") == "0");
    }
    SUBCASE("529 overloaded") {
        Script s;
        s.status = 529;
        s.body = R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})";
        up.set_script(s);
        HttpClient client(gw.port());
        auto res = client.request("POST", "/v1/messages", messages_body("anthropic:claude-x", false), {gw.auth_header()});
        CHECK(res.status == 529);
        CHECK(json::parse(res.body)["error"]["type"] == "overloaded_error");
    }
    SUBCASE("a 502 with an HTML body is wrapped in the Anthropic envelope") {
        Script s;
        s.status = 502;
        s.content_type = "text/html";
        s.body = "<html>bad gateway</html>";
        s.headers = {{"retry-after", "1.5"}};
        up.set_script(s);
        HttpClient client(gw.port());
        auto res = client.request("POST", "/v1/messages", messages_body("anthropic:claude-x", false), {gw.auth_header()});
        CHECK(res.status == 502);
        auto body = json::parse(res.body);
        CHECK(body["type"] == "error");
        CHECK(body["error"]["type"] == "api_error");
        CHECK(body["error"]["message"].get<std::string>().find("bad gateway") != std::string::npos);
        CHECK(res.header("retry-after") == "2");
    }
    SUBCASE("an OpenAI-shaped error body gives its message, not its JSON text") {
        Script s;
        s.status = 429;
        s.body = R"({"error":{"message":"slow down","type":"rate_limit","code":null}})";
        up.set_script(s);
        HttpClient client(gw.port());
        auto res = client.request("POST", "/v1/messages",
                                  messages_body("anthropic:claude-x", false), {gw.auth_header()});
        CHECK(res.status == 429);
        auto body = json::parse(res.body);
        CHECK(body["error"]["type"] == "rate_limit_error");
        CHECK(body["error"]["message"] == "slow down");
    }
}

TEST_CASE("a 200 answer that is not JSON is a 502, not relayed as a successful call") {
    FakeUpstream up;
    Script s;
    s.content_type = "text/html";
    s.body = "<html>captive portal</html>";
    up.set_script(s);
    GatewayHarness gw(anthropic_config(up));
    HttpClient client(gw.port());
    auto res = client.request("POST", "/v1/messages", messages_body("anthropic:claude-x", false),
                              {gw.auth_header()});
    CHECK(res.status == 502);
    auto body = json::parse(res.body);
    CHECK(body["error"]["type"] == "api_error");
    CHECK(body["error"]["message"].get<std::string>().find("not JSON") != std::string::npos);
    REQUIRE(gw.wait_records(1));
    CHECK_FALSE(gw.records()[0].ok);
    CHECK(gw.records()[0].upstream_failed);
}

TEST_CASE("an answer without usage is recorded with estimated tokens") {
    FakeUpstream up;
    Script s;
    // 12 bytes of text and {"path":"a.txt"} (16 bytes) of tool input: 7 tokens at 4 bytes each.
    s.body =
        R"({"id":"msg_02","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"twelve bytes"},{"type":"tool_use","id":"toolu_1","name":"Write","input":{"path":"a.txt"}}],"stop_reason":"tool_use","stop_sequence":null})";
    up.set_script(s);
    GatewayHarness gw(anthropic_config(up));
    HttpClient client(gw.port());
    const std::string request = messages_body("anthropic:claude-x", false);
    auto res = client.request("POST", "/v1/messages", request, {gw.auth_header()});
    CHECK(res.status == 200);
    CHECK(res.body == s.body);  // relayed as it came
    REQUIRE(gw.wait_records(1));
    auto rec = gw.records()[0];
    CHECK(rec.ok);
    CHECK(rec.usage_source == gateway::UsageSource::estimated);
    CHECK(rec.usage.output_tokens == 7);
    CHECK(rec.usage.input_tokens == (int64_t(request.size()) + 3) / 4);
    CHECK(rec.stop_reason == "tool_use");
}

TEST_CASE("a stream that breaks after it started ends with an error event, never a clean end mid-message") {
    FakeUpstream up;
    SUBCASE("the connection drops") {
        up.set_script(stream_script({{k_start + k_block_start + k_delta}, {"", -1, true}}));
    }
    SUBCASE("the body ends cleanly but without message_stop") {
        up.set_script(stream_script({{k_start + k_block_start + k_delta}}));
    }
    SUBCASE("the body ends mid-event") {
        up.set_script(stream_script({{k_start + k_block_start + "event: content_block_delta\ndata: {\"type\":\"content"}}));
    }
    GatewayHarness gw(anthropic_config(up));
    HttpClient client(gw.port());
    client.send("POST", "/v1/messages", messages_body("anthropic:claude-x", true), {gw.auth_header()});
    HttpResult head;
    REQUIRE(client.read_head(head));
    CHECK(head.status == 200);
    std::string body = read_all_body(client);
    CHECK(body.rfind(k_start + k_block_start, 0) == 0);
    CHECK(body.find("message_stop") == std::string::npos);
    // The last frame is a whole error event.
    size_t error_at = body.rfind("event: error\ndata: ");
    REQUIRE(error_at != std::string::npos);
    CHECK(body.size() >= 2);
    CHECK(body.substr(body.size() - 2) == "\n\n");
    auto data = json::parse(body.substr(error_at + 19, body.size() - error_at - 21));
    CHECK(data["type"] == "error");
    CHECK(data["error"]["type"] == "api_error");
    // No partial event before it: every frame parses.
    CHECK(body.find("{\"type\":\"content\n") == std::string::npos);
    REQUIRE(gw.wait_records(1));
    auto rec = gw.records()[0];
    CHECK_FALSE(rec.ok);
    CHECK(rec.upstream_failed);
    CHECK(rec.usage.input_tokens == 20);
}

TEST_CASE("a client that disconnects cancels the upstream transfer") {
    FakeUpstream up;
    up.set_script(stream_script({{k_start}, {"", 0}, {k_block_start}}));
    GatewayHarness gw(anthropic_config(up));
    {
        HttpClient client(gw.port());
        client.send("POST", "/v1/messages", messages_body("anthropic:claude-x", true), {gw.auth_header()});
        HttpResult head;
        REQUIRE(client.read_head(head));
        std::string piece;
        REQUIRE(client.read_body_piece(piece, 5s));
        REQUIRE(up.wait_at_gate(0, 5s));
        client.close();
    }
    auto hung_up = std::chrono::steady_clock::now();
    // The upstream notices when the gateway drops its connection.
    REQUIRE(up.wait_stream_closed(10s));
    CHECK(up.client_went_away());
    double seconds = std::chrono::duration<double>(up.client_gone_at() - hung_up).count();
    MESSAGE("upstream saw the cancel after " << seconds << " s");
    CHECK(seconds < 2.0);
    REQUIRE(gw.wait_records(1));
    auto rec = gw.records()[0];
    CHECK(rec.client_disconnected);
    CHECK(rec.usage.input_tokens == 20);
}

TEST_CASE("upstream connections are reused across requests") {
    FakeUpstream up;
    Script script;
    script.body = k_message_json;
    up.set_script(script);
    GatewayHarness gw(anthropic_config(up));
    // One client connection, so both requests run on the same gateway worker.
    HttpClient client(gw.port());
    for (int i = 0; i < 3; ++i) {
        auto res = client.request("POST", "/v1/messages", messages_body("anthropic:claude-x", false), {gw.auth_header()});
        CHECK(res.status == 200);
    }
    auto reqs = up.requests();
    REQUIRE(reqs.size() == 3);
    CHECK(reqs[0].remote_port == reqs[1].remote_port);
    CHECK(reqs[1].remote_port == reqs[2].remote_port);
}

TEST_CASE("an unreachable provider is a 502 api_error naming the provider") {
    int dead_port;
    {
        FakeUpstream gone;
        dead_port = gone.port();
    }
    GatewayHarness gw("[providers.anthropic]\ntype = \"anthropic\"\nbase_url = \"http://127.0.0.1:" +
                      std::to_string(dead_port) + "\"\napi_key = \"k\"\n");
    HttpClient client(gw.port());
    auto res = client.request("POST", "/v1/messages", messages_body("anthropic:claude-x", true), {gw.auth_header()});
    CHECK(res.status == 502);
    auto body = json::parse(res.body);
    CHECK(body["error"]["type"] == "api_error");
    CHECK(body["error"]["message"].get<std::string>().find("could not reach provider 'anthropic'") != std::string::npos);
}

}  // TEST_SUITE
