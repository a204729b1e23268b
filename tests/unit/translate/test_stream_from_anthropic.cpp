#include <doctest/doctest.h>

#include <vector>

#include "translate/stream_from_anthropic.hpp"

using otari::json;
using otari::translate::StreamFromAnthropic;

namespace {

// The `data:` payloads of an OpenAI SSE text, in order; "[DONE]" stays a string. Fails the test
// when the text is not a sequence of complete `data: ...\n\n` lines.
std::vector<json> payloads(const std::string& sse) {
    std::vector<json> out;
    size_t pos = 0;
    while (pos < sse.size()) {
        size_t end = sse.find("\n\n", pos);
        REQUIRE(end != std::string::npos);
        std::string line = sse.substr(pos, end - pos);
        REQUIRE(line.rfind("data: ", 0) == 0);
        std::string data = line.substr(6);
        out.push_back(data == "[DONE]" ? json("[DONE]") : json::parse(data));
        pos = end + 2;
    }
    return out;
}

struct Event {
    const char* name;
    const char* data;
};

std::string feed(StreamFromAnthropic& stream, const std::vector<Event>& events) {
    std::string out;
    for (const auto& event : events) stream.on_event(event.name, json::parse(event.data), out);
    return out;
}

const Event k_message_start = {
    "message_start",
    R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],
        "model":"claude-up","stop_reason":null,"stop_sequence":null,
        "usage":{"input_tokens":20,"cache_read_input_tokens":100,"cache_creation_input_tokens":5,"output_tokens":1}}})"};
const Event k_ping = {"ping", R"({"type":"ping"})"};
const Event k_message_stop = {"message_stop", R"({"type":"message_stop"})"};

// Text, then two tool calls: the shape of vector 71.
const std::vector<Event> k_text_then_two_tools = {
    k_message_start,
    k_ping,
    {"content_block_start",
     R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"},
    {"content_block_delta",
     R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking."}})"},
    {"content_block_stop", R"({"type":"content_block_stop","index":0})"},
    {"content_block_start",
     R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_a","name":"get_weather","input":{}}})"},
    {"content_block_delta",
     R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}})"},
    {"content_block_delta",
     R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":\"Par"}})"},
    {"content_block_delta",
     R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"is\"}"}})"},
    {"content_block_stop", R"({"type":"content_block_stop","index":1})"},
    {"content_block_start",
     R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_b","name":"now","input":{}}})"},
    {"content_block_stop", R"({"type":"content_block_stop","index":2})"},
    {"message_delta",
     R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":40}})"},
    k_message_stop,
};

const json& delta_of(const json& chunk) { return chunk["choices"][0]["delta"]; }

// What an OpenAI SDK accumulator rebuilds: arguments per tool index.
std::vector<std::string> accumulated_arguments(const std::vector<json>& chunks) {
    std::vector<std::string> arguments;
    for (const json& chunk : chunks) {
        if (!chunk.is_object() || chunk["choices"].empty()) continue;
        const json& delta = delta_of(chunk);
        if (!delta.contains("tool_calls")) continue;
        for (const json& call : delta["tool_calls"]) {
            size_t index = call["index"].get<size_t>();
            if (arguments.size() <= index) arguments.resize(index + 1);
            arguments[index] += call["function"]["arguments"].get<std::string>();
        }
    }
    return arguments;
}

}  // namespace

TEST_SUITE("translate::stream_from_anthropic") {
    TEST_CASE("message_start gives one role chunk with the client's model and the completion id") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false, 1700000000);
        CHECK_FALSE(stream.started());
        auto chunks = payloads(feed(stream, {k_message_start, k_ping}));
        REQUIRE(chunks.size() == 1);
        CHECK(
            chunks[0] ==
            json::parse(R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,
            "model":"alias","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,
            "finish_reason":null}]})"));
        CHECK(stream.started());
        CHECK_FALSE(stream.finished());
    }

    TEST_CASE("a repeated message_start emits nothing more") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        CHECK(payloads(feed(stream, {k_message_start, k_message_start})).size() == 1);
    }

    TEST_CASE(
        "text then two tool calls: content, tool indices 0 and 1, {} for a tool without input "
        "(vector 71)") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        auto chunks = payloads(feed(stream, k_text_then_two_tools));
        REQUIRE(chunks.size() == 9);
        CHECK(delta_of(chunks[1]) == json::parse(R"({"content":"Checking."})"));
        CHECK(delta_of(chunks[2]) ==
              json::parse(R"({"tool_calls":[{"index":0,"id":"toolu_a","type":"function",
            "function":{"name":"get_weather","arguments":""}}]})"));
        CHECK(delta_of(chunks[3]) ==
              json::parse(
                  R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Par"}}]})"));
        CHECK(delta_of(chunks[4]) ==
              json::parse(R"({"tool_calls":[{"index":0,"function":{"arguments":"is\"}"}}]})"));
        CHECK(delta_of(chunks[5]) ==
              json::parse(R"({"tool_calls":[{"index":1,"id":"toolu_b","type":"function",
            "function":{"name":"now","arguments":""}}]})"));
        CHECK(delta_of(chunks[6]) ==
              json::parse(R"({"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]})"));
        CHECK(delta_of(chunks[7]) == json::object());
        CHECK(chunks[7]["choices"][0]["finish_reason"] == "tool_calls");
        CHECK(chunks.back() == "[DONE]");
        auto arguments = accumulated_arguments(chunks);
        REQUIRE(arguments.size() == 2);
        CHECK(json::parse(arguments[0]) == json::parse(R"({"city":"Paris"})"));
        CHECK(json::parse(arguments[1]) == json::object());
        CHECK(stream.finished());
        CHECK_FALSE(stream.failed());
        CHECK(stream.stop_reason() == "tool_use");
    }

    TEST_CASE("only the role chunk and text chunks carry no finish_reason until message_delta") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        auto chunks = payloads(feed(stream, k_text_then_two_tools));
        for (size_t i = 0; i + 2 < chunks.size(); ++i)
            CHECK(chunks[i]["choices"][0]["finish_reason"].is_null());
    }

    TEST_CASE("usage and stop reason are kept in Anthropic's convention") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        feed(stream, k_text_then_two_tools);
        auto usage = stream.usage();
        CHECK(usage.input_tokens == 20);
        CHECK(usage.cache_read_tokens == 100);
        CHECK(usage.cache_write_tokens == 5);
        CHECK(usage.output_tokens == 40);
        CHECK(usage.reported);
        CHECK(stream.streamed_text_bytes() ==
              std::string("Checking.").size() + std::string(R"({"city":"Paris"})").size() + 2);
    }

    TEST_CASE(
        "include_usage on: usage null on chunks, then a choices-less usage chunk before [DONE]") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", true);
        auto chunks = payloads(feed(stream, k_text_then_two_tools));
        REQUIRE(chunks.size() == 10);
        for (size_t i = 0; i + 2 < chunks.size(); ++i) {
            REQUIRE(chunks[i].contains("usage"));
            CHECK(chunks[i]["usage"].is_null());
        }
        const json& usage_chunk = chunks[chunks.size() - 2];
        CHECK(usage_chunk["choices"] == json::array());
        CHECK(usage_chunk["usage"] ==
              json::parse(R"({"prompt_tokens":125,"completion_tokens":40,"total_tokens":165,
            "prompt_tokens_details":{"cached_tokens":100}})"));
        CHECK(chunks.back() == "[DONE]");
    }

    TEST_CASE("include_usage off: no usage key anywhere") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        for (const json& chunk : payloads(feed(stream, k_text_then_two_tools))) {
            if (chunk.is_object()) CHECK_FALSE(chunk.contains("usage"));
        }
    }

    TEST_CASE(
        "a thinking stream gives reasoning_content, the signature in thinking_blocks, then "
        "content") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        auto chunks = payloads(feed(
            stream,
            {k_message_start,
             {"content_block_start",
              R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}})"},
             {"content_block_delta",
              R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me "}})"},
             {"content_block_delta",
              R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"think."}})"},
             {"content_block_delta",
              R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig=="}})"},
             {"content_block_stop", R"({"type":"content_block_stop","index":0})"},
             {"content_block_start",
              R"({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}})"},
             {"content_block_delta",
              R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"42"}})"},
             {"content_block_stop", R"({"type":"content_block_stop","index":1})"},
             {"message_delta",
              R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}})"},
             k_message_stop}));
        REQUIRE(chunks.size() == 7);
        CHECK(delta_of(chunks[1]) == json::parse(R"({"reasoning_content":"Let me "})"));
        CHECK(delta_of(chunks[2]) == json::parse(R"({"reasoning_content":"think."})"));
        CHECK(delta_of(chunks[3]) ==
              json::parse(R"({"thinking_blocks":[{"type":"thinking","signature":"sig=="}]})"));
        CHECK(delta_of(chunks[4]) == json::parse(R"({"content":"42"})"));
        CHECK(chunks[5]["choices"][0]["finish_reason"] == "stop");
        CHECK(chunks[6] == "[DONE]");
        CHECK(stream.stop_reason() == "end_turn");
    }

    TEST_CASE("a redacted_thinking block is passed on in thinking_blocks") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        auto chunks = payloads(feed(
            stream,
            {k_message_start,
             {"content_block_start",
              R"({"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"opaque"}})"}}));
        REQUIRE(chunks.size() == 2);
        CHECK(delta_of(chunks[1]) ==
              json::parse(R"({"thinking_blocks":[{"type":"redacted_thinking","data":"opaque"}]})"));
    }

    TEST_CASE("empty text and thinking deltas emit nothing") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        auto chunks = payloads(feed(
            stream,
            {k_message_start,
             {"content_block_start",
              R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"},
             {"content_block_delta",
              R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""}})"},
             {"content_block_delta",
              R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":""}})"}}));
        CHECK(chunks.size() == 1);
    }

    TEST_CASE("server tool blocks and their input deltas produce no tool_calls") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        auto chunks = payloads(feed(
            stream,
            {k_message_start,
             {"content_block_start",
              R"({"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}})"},
             {"content_block_delta",
              R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"query\":\"x\"}"}})"},
             {"content_block_stop", R"({"type":"content_block_stop","index":0})"},
             {"content_block_start",
              R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}})"}}));
        REQUIRE(chunks.size() == 2);
        CHECK(delta_of(chunks[1])["tool_calls"][0]["index"] == 0);
    }

    TEST_CASE("a tool_use start that already carries its input sends it as the arguments") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        auto chunks = payloads(feed(
            stream,
            {k_message_start,
             {"content_block_start",
              R"({"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{"a":1}}})"},
             {"content_block_stop", R"({"type":"content_block_stop","index":0})"}}));
        REQUIRE(chunks.size() == 2);
        CHECK(delta_of(chunks[1])["tool_calls"][0]["function"]["arguments"] == R"({"a":1})");
    }

    TEST_CASE("max_tokens maps to finish_reason length") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        auto chunks = payloads(feed(
            stream,
            {k_message_start,
             {"message_delta",
              R"({"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":3}})"},
             k_message_stop}));
        CHECK(chunks[1]["choices"][0]["finish_reason"] == "length");
    }

    TEST_CASE("message_stop without a message_delta still sends finish_reason stop before [DONE]") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        auto chunks = payloads(feed(stream, {k_message_start, k_message_stop}));
        REQUIRE(chunks.size() == 3);
        CHECK(chunks[1]["choices"][0]["finish_reason"] == "stop");
        CHECK(chunks[2] == "[DONE]");
    }

    TEST_CASE("an upstream error event ends the stream with an OpenAI error line and no [DONE]") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", true);
        std::string out = feed(
            stream,
            {k_message_start,
             {"content_block_start",
              R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"},
             {"content_block_delta",
              R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}})"},
             {"error",
              R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"},
             {"content_block_delta",
              R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}})"},
             k_message_stop});
        auto chunks = payloads(out);
        REQUIRE(chunks.size() == 3);
        CHECK(
            chunks[2] ==
            json::parse(
                R"({"error":{"message":"Overloaded","type":"server_error","param":null,"code":null}})"));
        CHECK(out.find("[DONE]") == std::string::npos);
        CHECK(stream.finished());
        CHECK(stream.failed());
    }

    TEST_CASE("a rate limit error event keeps the rate limit vocabulary") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        auto chunks = payloads(
            feed(stream,
                 {k_message_start,
                  {"error",
                   R"({"type":"error","error":{"type":"rate_limit_error","message":"later"}})"}}));
        CHECK(chunks.back()["error"]["type"] == "rate_limit_exceeded");
        CHECK(chunks.back()["error"]["code"] == "rate_limit_exceeded");
    }

    TEST_CASE("on_upstream_error writes one error line and nothing afterwards") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        std::string out = feed(stream, {k_message_start});
        stream.on_upstream_error("connection reset", out);
        stream.on_upstream_error("again", out);
        stream.on_eof(out);
        auto chunks = payloads(out);
        REQUIRE(chunks.size() == 2);
        CHECK(
            chunks[1] ==
            json::parse(
                R"({"error":{"message":"connection reset","type":"server_error","param":null,"code":null}})"));
    }

    TEST_CASE("EOF without message_stop gives the error form, never [DONE]") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", true);
        std::string out = feed(
            stream,
            {k_message_start,
             {"content_block_start",
              R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"},
             {"content_block_delta",
              R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}})"},
             {"message_delta",
              R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}})"}});
        stream.on_eof(out);
        auto chunks = payloads(out);
        CHECK(chunks.back()["error"]["message"] == "upstream stream ended before completion");
        CHECK(chunks.back()["error"]["type"] == "server_error");
        CHECK(out.find("[DONE]") == std::string::npos);
        CHECK(stream.failed());
    }

    TEST_CASE("EOF after message_stop writes nothing") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        feed(stream, k_text_then_two_tools);
        std::string out;
        stream.on_eof(out);
        CHECK(out.empty());
        CHECK_FALSE(stream.failed());
    }

    TEST_CASE("a content event before message_start gets the role chunk first") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        auto chunks = payloads(feed(
            stream,
            {{"content_block_delta",
              R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}})"}}));
        REQUIRE(chunks.size() == 2);
        CHECK(delta_of(chunks[0])["role"] == "assistant");
        CHECK(delta_of(chunks[1])["content"] == "x");
        CHECK_FALSE(stream.usage().reported);
    }

    TEST_CASE("invalid UTF-8 in a text delta is replaced, not thrown") {
        StreamFromAnthropic stream("alias", "chatcmpl-1", false);
        std::string out;
        stream.on_event("message_start", json::parse(k_message_start.data), out);
        json delta = {{"type", "content_block_delta"},
                      {"index", 0},
                      {"delta", {{"type", "text_delta"}, {"text", std::string("a\xff")}}}};
        CHECK_NOTHROW(stream.on_event("content_block_delta", delta, out));
        CHECK(payloads(out).back()["choices"][0]["delta"]["content"] == "a\xEF\xBF\xBD");
    }
}
