// Anthropic clients -> otari -> a fake OpenAI-compatible upstream on loopback, and OpenAI
// clients -> otari -> fake OpenAI and Anthropic upstreams: translation in both directions,
// streamed and not, including broken upstreams.
#include <doctest/doctest.h>

#include "http/sse.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_harness.hpp"
#include "support/http_client.hpp"
#include "util/json.hpp"

using namespace otari;
using namespace otari::test;
using namespace std::chrono_literals;

namespace {

std::string openai_config(const FakeUpstream& up) {
    return "[providers.fakeai]\ntype = \"openai\"\nbase_url = \"" + up.url() +
           "/v1\"\napi_key = \"sk-fake-upstream\"\n";
}

std::string anthropic_config(const FakeUpstream& up) {
    return "[providers.anthropic]\ntype = \"anthropic\"\nbase_url = \"" + up.url() + "\"\napi_key = \"sk-ant-up\"\n";
}

std::string data(const std::string& payload) { return "data: " + payload + "\n\n"; }

std::string chunk(const std::string& delta, const std::string& finish = "null") {
    return data(R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":)" +
                delta + R"(,"finish_reason":)" + finish + "}]}");
}

const std::string k_usage_chunk =
    data(R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":30,"completion_tokens":7,"total_tokens":37,"prompt_tokens_details":{"cached_tokens":10}}})");

Script sse_script(std::vector<Step> steps) {
    Script s;
    s.content_type = "text/event-stream";
    s.steps = std::move(steps);
    return s;
}

struct Event {
    std::string name;
    json data;
};

std::vector<Event> parse_events(const std::string& body) {
    http::SseParser parser;
    parser.feed(body);
    std::vector<Event> out;
    http::SseEvent e;
    while (parser.next(e)) out.push_back({e.event, e.data == "[DONE]" ? json("[DONE]") : json::parse(e.data)});
    return out;
}

std::vector<std::string> names_of(const std::vector<Event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.name);
    return out;
}

std::string read_stream(HttpClient& client, HttpResult& head) {
    REQUIRE(client.read_head(head));
    std::string body, piece;
    while (client.read_body_piece(piece)) body += piece;
    return body;
}

Script plain_answer() {
    Script answer;
    answer.body = R"({"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}})";
    return answer;
}

const std::string k_tool_request = R"({"model":"fakeai:gpt-4o","max_tokens":512,"system":"Be brief.",
  "tools":[{"name":"Write","description":"Write a file","input_schema":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}],
  "messages":[{"role":"user","content":"create a.txt"}]})";

}  // namespace

TEST_SUITE("integration::openai_translation") {

TEST_CASE("a non-streaming tool call comes back as a tool_use block with parsed input") {
    FakeUpstream up;
    Script s;
    s.body = R"({"id":"cmpl-9","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_abc","type":"function","function":{"name":"Write","arguments":"{\"path\":\"a.txt\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":50,"completion_tokens":12,"total_tokens":62}})";
    up.set_script(s);
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());
    auto res = client.request("POST", "/v1/messages", k_tool_request, {gw.auth_header()});
    REQUIRE(res.status == 200);
    auto message = json::parse(res.body);
    CHECK(message["type"] == "message");
    CHECK(message["role"] == "assistant");
    CHECK(message["stop_reason"] == "tool_use");
    REQUIRE(message["content"].size() == 1);
    CHECK(message["content"][0]["type"] == "tool_use");
    CHECK(message["content"][0]["name"] == "Write");
    CHECK(message["content"][0]["id"] == "call_abc");
    CHECK(message["content"][0]["input"] == json{{"path", "a.txt"}});
    CHECK(message["usage"]["input_tokens"] == 50);
    CHECK(message["usage"]["output_tokens"] == 12);

    auto reqs = up.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].path == "/v1/chat/completions");
    CHECK(reqs[0].headers["authorization"] == "Bearer sk-fake-upstream");
    auto sent = json::parse(reqs[0].body);
    CHECK(sent["model"] == "gpt-4o");
    CHECK(sent["messages"][0]["role"] == "system");
    CHECK(sent["messages"][1]["role"] == "user");
    CHECK(sent["tools"][0]["type"] == "function");
    CHECK(sent["tools"][0]["function"]["name"] == "Write");
    REQUIRE(gw.wait_records(1));
    auto rec = gw.records()[0];
    CHECK(rec.ok);
    CHECK(rec.provider == "fakeai");
    CHECK(rec.usage.input_tokens == 50);
    CHECK(rec.usage.output_tokens == 12);
}

TEST_CASE("a streamed answer becomes Anthropic SSE in the exact grammar with usage from the usage chunk") {
    FakeUpstream up;
    up.set_script(sse_script({{chunk(R"({"role":"assistant","content":""})")},
                              {chunk(R"({"content":"Hel"})")},
                              {"", 0},
                              {chunk(R"({"content":"lo"})")},
                              {chunk("{}", "\"stop\"")},
                              {k_usage_chunk},
                              {data("[DONE]")}}));
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());
    client.send("POST", "/v1/messages", messages_body("fakeai:gpt-4o", true), {gw.auth_header()});
    HttpResult head;
    REQUIRE(client.read_head(head));
    CHECK(head.status == 200);
    CHECK(head.header("content-type").find("text/event-stream") != std::string::npos);
    // The first text reaches the client while the upstream still holds the rest.
    REQUIRE(up.wait_at_gate(0, 5s));
    std::string early, piece;
    while (early.find("Hel") == std::string::npos && client.read_body_piece(piece, 5s)) early += piece;
    CHECK(early.find("\"text\":\"Hel\"") != std::string::npos);
    up.open_gate(0);
    std::string body = early;
    while (client.read_body_piece(piece)) body += piece;
    auto events = parse_events(body);
    auto names = names_of(events);
    REQUIRE(names.size() >= 6);
    CHECK(names.front() == "message_start");
    CHECK(names.back() == "message_stop");
    std::string text;
    for (const auto& e : events) {
        if (e.name == "content_block_delta") {
            CHECK(e.data["index"] == 0);
            text += e.data["delta"].value("text", "");
        }
    }
    CHECK(text == "Hello");
    const auto& delta = events[events.size() - 2];
    CHECK(delta.name == "message_delta");
    CHECK(delta.data["delta"]["stop_reason"] == "end_turn");
    CHECK(delta.data["usage"]["output_tokens"] == 7);
    REQUIRE(gw.wait_records(1));
    auto rec = gw.records()[0];
    CHECK(rec.ok);
    CHECK(rec.stream);
    CHECK(rec.usage.input_tokens == 20);
    CHECK(rec.usage.cache_read_tokens == 10);
    CHECK(rec.usage.output_tokens == 7);
    CHECK(rec.stop_reason == "end_turn");
    auto sent = json::parse(up.requests()[0].body);
    CHECK(sent["stream"] == true);
    CHECK(sent["stream_options"]["include_usage"] == true);
}

TEST_CASE(
    "a stream that arrives whole reaches the client before its call is recorded, its end after") {
    FakeUpstream up;
    // One write: the whole answer reaches otari in one read.
    up.set_script(sse_script(
        {{chunk(R"({"role":"assistant","content":""})") + chunk(R"({"content":"Hello"})") +
          chunk("{}", "\"stop\"") + k_usage_chunk + data("[DONE]")}}));
    GatewayHarness gw(openai_config(up));
    gw.hold_records();
    HttpClient client(gw.port());
    client.send("POST", "/v1/messages", messages_body("fakeai:gpt-4o", true), {gw.auth_header()});
    HttpResult head;
    REQUIRE(client.read_head(head));
    CHECK(head.status == 200);
    std::string body, piece;
    while (body.find("\"text\":\"Hello\"") == std::string::npos &&
           client.read_body_piece(piece, 5s))
        body += piece;
    CHECK(body.find("\"text\":\"Hello\"") != std::string::npos);
    // The recording is under way (held), and the message's end has not left.
    REQUIRE(gw.wait_held_records(1));
    CHECK(body.find("message_stop") == std::string::npos);
    CHECK_FALSE(client.more_bytes_within(100ms));
    gw.release_records();
    while (client.read_body_piece(piece)) body += piece;
    auto names = names_of(parse_events(body));
    REQUIRE_FALSE(names.empty());
    CHECK(names.front() == "message_start");
    CHECK(names.back() == "message_stop");
    REQUIRE(gw.wait_records(1));
    CHECK(gw.records()[0].ok);
    CHECK(gw.records()[0].usage.output_tokens == 7);
}

TEST_CASE("parallel streamed tool calls become tool_use blocks with input_json_delta and stop_reason tool_use") {
    FakeUpstream up;
    up.set_script(sse_script({{chunk(R"({"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"Write","arguments":""}}]})")},
                              {chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"path\":"}}]})")},
                              {chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"\"a.txt\"}"}}]})")},
                              {chunk(R"({"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"Write","arguments":"{\"path\":\"b.txt\"}"}}]})")},
                              {chunk("{}", "\"tool_calls\"")},
                              {data("[DONE]")}}));
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());
    std::string request = k_tool_request;
    request.insert(request.size() - 1, R"(,"stream":true)");
    client.send("POST", "/v1/messages", request, {gw.auth_header()});
    HttpResult head;
    auto events = parse_events(read_stream(client, head));
    CHECK(head.status == 200);
    std::map<int, std::string> args, ids;
    std::vector<int> stops;
    for (const auto& e : events) {
        if (e.name == "content_block_start" && e.data["content_block"]["type"] == "tool_use") {
            ids[e.data["index"].get<int>()] = e.data["content_block"]["id"];
        }
        if (e.name == "content_block_delta" && e.data["delta"]["type"] == "input_json_delta") {
            args[e.data["index"].get<int>()] += e.data["delta"]["partial_json"].get<std::string>();
        }
        if (e.name == "content_block_stop") stops.push_back(e.data["index"].get<int>());
    }
    REQUIRE(ids.size() == 2);
    CHECK(ids[0] == "call_1");
    CHECK(ids[1] == "call_2");
    CHECK(json::parse(args[0]) == json{{"path", "a.txt"}});
    CHECK(json::parse(args[1]) == json{{"path", "b.txt"}});
    CHECK(stops == std::vector<int>{0, 1});
    CHECK(events.back().name == "message_stop");
    CHECK(events[events.size() - 2].data["delta"]["stop_reason"] == "tool_use");
}

TEST_CASE("an upstream 429 is a rate_limit_error with retry-after in whole seconds") {
    FakeUpstream up;
    Script s;
    s.status = 429;
    s.body = R"({"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}})";
    s.headers = {{"retry-after", "2.5"}};
    up.set_script(s);
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());
    auto res = client.request("POST", "/v1/messages", messages_body("fakeai:gpt-4o", true), {gw.auth_header()});
    CHECK(res.status == 429);
    CHECK(res.header("retry-after") == "3");
    auto body = json::parse(res.body);
    CHECK(body["type"] == "error");
    CHECK(body["error"]["type"] == "rate_limit_error");
    CHECK(body["error"]["message"].get<std::string>().find("Rate limit reached") != std::string::npos);
    REQUIRE(gw.wait_records(1));
    CHECK_FALSE(gw.records()[0].ok);
    CHECK(gw.records()[0].http_status == 429);
}

TEST_CASE("an error as the first stream chunk is answered with its own status, not a 200 stream") {
    FakeUpstream up;
    up.set_script(sse_script({{data(R"({"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}})")}}));
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());
    auto res = client.request("POST", "/v1/messages", messages_body("fakeai:gpt-4o", true), {gw.auth_header()});
    CHECK(res.status == 400);
    auto body = json::parse(res.body);
    CHECK(body["error"]["type"] == "invalid_request_error");
    CHECK(body["error"]["message"].get<std::string>().rfind("prompt is too long", 0) == 0);
}

TEST_CASE("a translated stream that breaks mid-message ends with an error event and no message_stop") {
    FakeUpstream up;
    up.set_script(sse_script({{chunk(R"({"role":"assistant","content":"partial answer"})")}, {"", -1, true}}));
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());
    client.send("POST", "/v1/messages", messages_body("fakeai:gpt-4o", true), {gw.auth_header()});
    HttpResult head;
    std::string body = read_stream(client, head);
    CHECK(head.status == 200);
    auto events = parse_events(body);
    REQUIRE_FALSE(events.empty());
    CHECK(events.front().name == "message_start");
    CHECK(events.back().name == "error");
    CHECK(events.back().data["type"] == "error");
    CHECK(body.find("message_stop") == std::string::npos);
    REQUIRE(gw.wait_records(1));
    auto rec = gw.records()[0];
    CHECK_FALSE(rec.ok);
    CHECK(rec.upstream_failed);
    CHECK(rec.usage.output_tokens > 0);  // estimated from what was streamed
}

TEST_CASE("a stream without [DONE] after its finish_reason completes normally") {
    FakeUpstream up;
    up.set_script(sse_script({{chunk(R"({"role":"assistant","content":"ok"})")}, {chunk("{}", "\"length\"")}}));
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());
    client.send("POST", "/v1/messages", messages_body("fakeai:gpt-4o", true), {gw.auth_header()});
    HttpResult head;
    auto events = parse_events(read_stream(client, head));
    REQUIRE(events.size() >= 2);
    CHECK(events.back().name == "message_stop");
    CHECK(events[events.size() - 2].data["delta"]["stop_reason"] == "max_tokens");
}

TEST_CASE("tool-call arguments that are not JSON are a clear 502, never an empty input") {
    FakeUpstream up;
    Script s;
    s.body = R"({"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"Write","arguments":"{\"path\": "}}]},"finish_reason":"tool_calls"}]})";
    up.set_script(s);
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());
    auto res = client.request("POST", "/v1/messages", k_tool_request, {gw.auth_header()});
    CHECK(res.status == 502);
    auto body = json::parse(res.body);
    CHECK(body["error"]["type"] == "api_error");
    CHECK(body["error"]["message"].get<std::string>().find("fakeai") != std::string::npos);
}

TEST_CASE("a provider that ignores stream:true still gives the client a complete event stream") {
    FakeUpstream up;
    Script s;
    s.body = R"({"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"whole"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}})";
    up.set_script(s);
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());
    client.send("POST", "/v1/messages", messages_body("fakeai:gpt-4o", true), {gw.auth_header()});
    HttpResult head;
    auto events = parse_events(read_stream(client, head));
    CHECK(head.header("content-type").find("text/event-stream") != std::string::npos);
    auto names = names_of(events);
    CHECK(names == std::vector<std::string>{"message_start", "content_block_start", "content_block_delta",
                                            "content_block_stop", "message_delta", "message_stop"});
    CHECK(events[2].data["delta"]["text"] == "whole");
}

TEST_CASE("chat completions to an OpenAI provider are forwarded with the model rewritten and usage recorded") {
    FakeUpstream up;
    up.set_script(sse_script({{chunk(R"({"role":"assistant","content":"Hi"})")}, {chunk("{}", "\"stop\"")}, {k_usage_chunk}, {data("[DONE]")}}));
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());
    std::string request = R"({"model":"fakeai:gpt-4o","stream":true,"messages":[{"role":"user","content":"hello"}]})";
    client.send("POST", "/v1/chat/completions", request, {gw.auth_header()});
    HttpResult head;
    std::string body = read_stream(client, head);
    CHECK(head.status == 200);
    auto events = parse_events(body);
    REQUIRE(events.size() == 3);  // the usage chunk the client did not ask for is withheld
    CHECK(events[0].data["choices"][0]["delta"]["content"] == "Hi");
    CHECK(events[2].data == "[DONE]");
    auto sent = json::parse(up.requests()[0].body);
    CHECK(sent["model"] == "gpt-4o");
    CHECK(sent["stream_options"]["include_usage"] == true);
    REQUIRE(gw.wait_records(1));
    auto rec = gw.records()[0];
    CHECK(rec.ok);
    CHECK(rec.endpoint == "/v1/chat/completions");
    CHECK(rec.usage.input_tokens == 20);
    CHECK(rec.usage.output_tokens == 7);
}

TEST_CASE("chat completions relayed from an OpenAI provider: a null error is no error, text counts without usage") {
    FakeUpstream up;
    const std::string head = R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","error":null,"choices":[{"index":0,"delta":)";
    up.set_script(sse_script({{data(head + R"({"role":"assistant","reasoning_content":"abcd"},"finish_reason":null}]})")},
                              {data(head + R"({"content":"efghijkl"},"finish_reason":null}]})")},
                              {data(head + R"({},"finish_reason":"length"}]})")},
                              {data("[DONE]")}}));
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());
    client.send("POST", "/v1/chat/completions",
                R"({"model":"fakeai:gpt-4o","stream":true,"messages":[{"role":"user","content":"hello"}]})",
                {gw.auth_header()});
    HttpResult result;
    auto events = parse_events(read_stream(client, result));
    CHECK(result.status == 200);
    REQUIRE(events.size() == 4);
    CHECK(events[1].data["choices"][0]["delta"]["content"] == "efghijkl");
    CHECK(events[3].data == "[DONE]");
    REQUIRE(gw.wait_records(1));
    auto rec = gw.records()[0];
    CHECK(rec.ok);
    CHECK(rec.stop_reason == "length");
    CHECK(rec.usage.output_tokens == 3);  // no usage chunk: 12 streamed bytes / 4
    CHECK(rec.usage.input_tokens > 0);    // and the request's size for the input
    CHECK(rec.usage_source == gateway::UsageSource::estimated);
}

TEST_CASE("an answer without usage is recorded with estimated tokens, never as a free call") {
    FakeUpstream up;
    Script s;
    // 16 bytes of text and 12 of tool arguments: 7 output tokens at four bytes a token.
    s.body = R"({"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"sixteen bytes!!!","tool_calls":[{"id":"call_1","type":"function","function":{"name":"Write","arguments":"{\"p\":\"a.b\"}"}}]},"finish_reason":"tool_calls"}]})";
    up.set_script(s);
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());

    SUBCASE("Anthropic client") {
        auto res = client.request("POST", "/v1/messages", k_tool_request, {gw.auth_header()});
        REQUIRE(res.status == 200);
        auto message = json::parse(res.body);
        REQUIRE(gw.wait_records(1));
        auto rec = gw.records()[0];
        CHECK(rec.usage_source == gateway::UsageSource::estimated);
        CHECK(rec.usage.output_tokens == 7);
        CHECK(rec.usage.input_tokens == (int64_t(k_tool_request.size()) + 3) / 4);
        // The client reads the same estimates the ledger has.
        CHECK(message["usage"]["output_tokens"] == 7);
        CHECK(message["usage"]["input_tokens"] == rec.usage.input_tokens);
    }
    SUBCASE("OpenAI client") {
        const std::string request =
            R"({"model":"fakeai:gpt-4o","messages":[{"role":"user","content":"hello"}]})";
        auto res = client.request("POST", "/v1/chat/completions", request, {gw.auth_header()});
        REQUIRE(res.status == 200);
        CHECK(json::parse(res.body) == json::parse(s.body));  // relayed as it came
        REQUIRE(gw.wait_records(1));
        auto rec = gw.records()[0];
        CHECK(rec.usage_source == gateway::UsageSource::estimated);
        CHECK(rec.usage.output_tokens == 7);
        CHECK(rec.usage.input_tokens == (int64_t(request.size()) + 3) / 4);
    }
}

TEST_CASE("chat completions to an Anthropic provider are translated both ways, streamed and not") {
    FakeUpstream up;
    GatewayHarness gw(anthropic_config(up));
    SUBCASE("not streamed") {
        Script s;
        s.body = R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"Bonjour"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":11,"output_tokens":3}})";
        up.set_script(s);
        HttpClient client(gw.port());
        auto res = client.request("POST", "/v1/chat/completions",
                                  R"({"model":"anthropic:claude-x","messages":[{"role":"system","content":"French."},{"role":"user","content":"Hello"}]})",
                                  {gw.auth_header()});
        REQUIRE(res.status == 200);
        auto completion = json::parse(res.body);
        CHECK(completion["object"] == "chat.completion");
        CHECK(completion["choices"][0]["message"]["content"] == "Bonjour");
        CHECK(completion["choices"][0]["finish_reason"] == "stop");
        CHECK(completion["usage"]["prompt_tokens"] == 11);
        auto sent = json::parse(up.requests()[0].body);
        CHECK(up.requests()[0].path == "/v1/messages");
        CHECK(up.requests()[0].headers["x-api-key"] == "sk-ant-up");
        CHECK(sent["model"] == "claude-x");
        CHECK(sent["max_tokens"].is_number_integer());
        CHECK(sent["messages"].size() == 1);
        CHECK(sent["system"].dump().find("French.") != std::string::npos);
    }
    SUBCASE("streamed") {
        auto ev = [](const std::string& name, const std::string& payload) {
            return "event: " + name + "\ndata: " + payload + "\n\n";
        };
        up.set_script(sse_script(
            {{ev("message_start", R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"usage":{"input_tokens":11,"output_tokens":1}}})")},
             {ev("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})")},
             {ev("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Bon"}})")},
             {ev("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"jour"}})")},
             {ev("content_block_stop", R"({"type":"content_block_stop","index":0})")},
             {ev("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":4}})")},
             {ev("message_stop", R"({"type":"message_stop"})")}}));
        HttpClient client(gw.port());
        client.send("POST", "/v1/chat/completions",
                    R"({"model":"anthropic:claude-x","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hello"}]})",
                    {gw.auth_header()});
        HttpResult head;
        auto events = parse_events(read_stream(client, head));
        CHECK(head.status == 200);
        std::string text;
        std::string finish;
        json usage;
        for (const auto& e : events) {
            if (e.data == "[DONE]") continue;
            for (const auto& choice : e.data["choices"]) {
                text += choice["delta"].value("content", "");
                if (choice["finish_reason"].is_string()) finish = choice["finish_reason"];
            }
            if (e.data.contains("usage") && e.data["usage"].is_object()) usage = e.data["usage"];
        }
        CHECK(text == "Bonjour");
        CHECK(finish == "stop");
        CHECK(usage["completion_tokens"] == 4);
        CHECK(events.back().data == "[DONE]");
        REQUIRE(gw.wait_records(1));
        CHECK(gw.records()[0].usage.output_tokens == 4);
    }
}

TEST_CASE("a provider that redirects is a 502 naming where it points, in each client's envelope") {
    FakeUpstream up;
    Script s;
    s.status = 301;
    s.headers = {{"Location", "https://api.example.test/v1/chat/completions"}};
    s.body = "<html>moved</html>";
    up.set_script(s);
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());

    auto anthropic = client.request("POST", "/v1/messages", k_tool_request, {gw.auth_header()});
    CHECK(anthropic.status == 502);
    auto error = json::parse(anthropic.body);
    CHECK(error["type"] == "error");
    CHECK(error["error"]["type"] == "api_error");
    const std::string message = error["error"]["message"];
    CHECK(message.find("HTTP 301 to https://api.example.test/v1/chat/completions") != std::string::npos);
    CHECK(message.find("base_url") != std::string::npos);

    auto openai = client.request("POST", "/v1/chat/completions",
                                 R"({"model":"fakeai:gpt-4o","messages":[{"role":"user","content":"hi"}]})",
                                 {gw.auth_header()});
    CHECK(openai.status == 502);
    auto openai_error = json::parse(openai.body);
    REQUIRE(openai_error["error"].is_object());
    CHECK(std::string(openai_error["error"]["message"]).find("redirected") != std::string::npos);

    REQUIRE(gw.wait_records(2));
    for (const auto& rec : gw.records()) {
        CHECK_FALSE(rec.ok);
        CHECK(rec.http_status == 502);
        CHECK(rec.upstream_status == 301);
    }
    CHECK(up.requests().size() == 2);  // each sent once, never replayed to the Location
}

TEST_CASE("a max_tokens above the model's cap is lowered to it, and remembered") {
    FakeUpstream up;
    Script refusal;
    refusal.status = 400;
    refusal.body = R"({"error":{"message":"max_tokens is too large: 32000. This model supports at most 16384 completion tokens, whereas you provided 32000.","type":"invalid_request_error","param":"max_tokens","code":null}})";
    up.queue_script(refusal);
    Script answer;
    answer.body = R"({"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"done"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}})";
    up.set_script(answer);
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());
    // What Claude Code asks any model for.
    const std::string request = R"({"model":"fakeai:gpt-4o","max_tokens":32000,"messages":[{"role":"user","content":"hi"}]})";

    auto first = client.request("POST", "/v1/messages", request, {gw.auth_header()});
    CHECK(first.status == 200);
    CHECK(json::parse(first.body)["content"][0]["text"] == "done");
    auto sent = up.requests();
    REQUIRE(sent.size() == 2);
    CHECK(json::parse(sent[0].body)["max_tokens"] == 32000);
    auto retried = json::parse(sent[1].body);
    CHECK(retried["max_tokens"] == 16384);
    retried["max_tokens"] = 32000;
    CHECK(retried == json::parse(sent[0].body));  // nothing else changed

    auto second = client.request("POST", "/v1/messages", request, {gw.auth_header()});
    CHECK(second.status == 200);
    sent = up.requests();
    REQUIRE(sent.size() == 3);  // capped before sending: no second refusal
    CHECK(json::parse(sent[2].body)["max_tokens"] == 16384);
    REQUIRE(gw.wait_records(2));
    CHECK(gw.records()[0].ok);
    CHECK(gw.records()[0].usage.output_tokens == 1);
}

TEST_CASE("an output limit that depends on the input is used for that request only") {
    FakeUpstream up;
    Script refusal;
    refusal.status = 400;
    refusal.body = R"({"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 33000 tokens (1000 in the messages, 32000 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400})";
    up.queue_script(refusal);
    up.queue_script(plain_answer());
    up.queue_script(refusal);
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());
    const std::string request = R"({"model":"fakeai:local","max_tokens":32000,"messages":[{"role":"user","content":"hi"}]})";

    auto first = client.request("POST", "/v1/messages", request, {gw.auth_header()});
    CHECK(first.status == 200);
    // The next request is sent as asked; its refusal is retried once, and a second refusal
    // reaches the client as the error it is.
    up.queue_script(refusal);
    auto second = client.request("POST", "/v1/messages", request, {gw.auth_header()});
    auto sent = up.requests();
    REQUIRE(sent.size() == 4);
    CHECK(json::parse(sent[1].body)["max_tokens"] == 3096);
    CHECK(json::parse(sent[2].body)["max_tokens"] == 32000);
    CHECK(json::parse(sent[3].body)["max_tokens"] == 3096);
    CHECK(second.status == 400);
    CHECK(json::parse(second.body)["error"]["type"] == "invalid_request_error");
}

TEST_CASE(
    "a parameter the model refuses is dropped or renamed as the refusal says, and remembered") {
    FakeUpstream up;
    Script unrecognized;
    unrecognized.status = 400;
    unrecognized.body =
        R"({"error":{"message":"Unrecognized request argument supplied: parallel_tool_calls","type":"invalid_request_error","param":null,"code":null}})";
    Script use_instead;
    use_instead.status = 400;
    use_instead.body =
        R"({"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}})";
    up.queue_script(unrecognized);
    up.queue_script(use_instead);
    up.set_script(plain_answer());
    GatewayHarness gw(openai_config(up));
    HttpClient client(gw.port());
    const std::string request = R"({"model":"fakeai:o9","max_tokens":1000,
      "tools":[{"name":"Write","input_schema":{"type":"object"}}],
      "tool_choice":{"type":"auto","disable_parallel_tool_use":true},
      "messages":[{"role":"user","content":"hi"}]})";

    auto first = client.request("POST", "/v1/messages", request, {gw.auth_header()});
    CHECK(first.status == 200);
    auto sent = up.requests();
    REQUIRE(sent.size() == 3);
    auto original = json::parse(sent[0].body);
    CHECK(original["parallel_tool_calls"] == false);
    auto without = json::parse(sent[1].body);
    CHECK_FALSE(without.contains("parallel_tool_calls"));
    CHECK(without["max_tokens"] == 1000);
    auto renamed = json::parse(sent[2].body);
    CHECK_FALSE(renamed.contains("max_tokens"));
    CHECK(renamed["max_completion_tokens"] == 1000);
    original.erase("parallel_tool_calls");
    original.erase("max_tokens");
    renamed.erase("max_completion_tokens");
    CHECK(renamed == original);  // nothing else changed

    auto second = client.request("POST", "/v1/messages", request, {gw.auth_header()});
    CHECK(second.status == 200);
    sent = up.requests();
    REQUIRE(sent.size() == 4);  // sent as the model takes it: no refusal
    auto learned = json::parse(sent[3].body);
    CHECK_FALSE(learned.contains("parallel_tool_calls"));
    CHECK(learned["max_completion_tokens"] == 1000);
}

TEST_CASE("chat completions errors use OpenAI's envelope") {
    FakeUpstream up;
    GatewayHarness gw(openai_config(up));
    {
        HttpClient client(gw.port());
        auto res = client.request("POST", "/v1/chat/completions", R"({"model":"fakeai:m","messages":[{"role":"user","content":"x"}]})");
        CHECK(res.status == 401);
        auto body = json::parse(res.body);
        CHECK(body["error"]["type"] == "authentication_error");
        CHECK(body["error"]["message"].get<std::string>().find("Authorization: Bearer") != std::string::npos);
    }
    {
        HttpClient client(gw.port());
        auto res = client.request("POST", "/v1/chat/completions", R"({"model":"nope:m","messages":[{"role":"user","content":"x"}]})",
                                  {gw.auth_header()});
        CHECK(res.status == 404);
        CHECK(json::parse(res.body)["error"]["code"] == "model_not_found");
    }
    {
        HttpClient client(gw.port());
        auto res = client.request("POST", "/v1/chat/completions", R"({"model":"fakeai:m","messages":[]})", {gw.auth_header()});
        CHECK(res.status == 400);
        CHECK(json::parse(res.body)["error"]["type"] == "invalid_request_error");
    }
    CHECK(up.request_count() == 0);
}

}  // TEST_SUITE
