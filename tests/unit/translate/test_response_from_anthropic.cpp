#include <doctest/doctest.h>

#include "translate/response_from_anthropic.hpp"

using otari::json;
using otari::translate::openai_finish_reason;
using otari::translate::response_from_anthropic;
using otari::translate::TokenUsage;
using otari::translate::UpstreamFormatError;

namespace {

json anthropic_message(json content, const std::string& stop_reason = "end_turn") {
    return json{{"id", "msg_01"},
                {"type", "message"},
                {"role", "assistant"},
                {"model", "claude-up"},
                {"content", std::move(content)},
                {"stop_reason", stop_reason},
                {"stop_sequence", nullptr},
                {"usage", {{"input_tokens", 10}, {"output_tokens", 2}}}};
}

json translate(const json& message) {
    return response_from_anthropic(message, "alias", 1700000000);
}

}  // namespace

TEST_SUITE("translate::response_from_anthropic") {
    TEST_CASE("a text answer becomes a chat.completion with the client's model") {
        json out = translate(anthropic_message(json::parse(R"([{"type":"text","text":"Hi"}])")));
        CHECK(out == json::parse(
                         R"({"id":"chatcmpl-msg_01","object":"chat.completion","created":1700000000,
            "model":"alias","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},
            "logprobs":null,"finish_reason":"stop"}],
            "usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12,
                     "prompt_tokens_details":{"cached_tokens":0}}})"));
    }

    TEST_CASE("created defaults to now") {
        json out = response_from_anthropic(anthropic_message(json::array()), "alias");
        CHECK(out["created"].get<int64_t>() >= otari::translate::unix_time_now() - 5);
    }

    TEST_CASE("several text blocks are concatenated") {
        json out = translate(anthropic_message(
            json::parse(R"([{"type":"text","text":"a"},{"type":"text","text":"b"}])")));
        CHECK(out["choices"][0]["message"]["content"] == "ab");
    }

    TEST_CASE("no text gives content null") {
        json out = translate(anthropic_message(json::array()));
        CHECK(out["choices"][0]["message"]["content"].is_null());
        CHECK_FALSE(out["choices"][0]["message"].contains("tool_calls"));
    }

    TEST_CASE("tool_use blocks become tool_calls with compact JSON arguments") {
        json out = translate(anthropic_message(json::parse(R"([
            {"type":"text","text":"Checking."},
            {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris","days":2}},
            {"type":"tool_use","id":"toolu_2","name":"now","input":{}}])"),
                                               "tool_use"));
        const json& message = out["choices"][0]["message"];
        CHECK(message["content"] == "Checking.");
        CHECK(message["tool_calls"] == json::parse(R"([
            {"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"days\":2}"}},
            {"id":"toolu_2","type":"function","function":{"name":"now","arguments":"{}"}}])"));
        CHECK(out["choices"][0]["finish_reason"] == "tool_calls");
    }

    TEST_CASE("a tool_use block without a name is an upstream format error") {
        CHECK_THROWS_AS(translate(anthropic_message(
                            json::parse(R"([{"type":"tool_use","id":"t","input":{}}])"))),
                        UpstreamFormatError);
    }

    TEST_CASE("a message without content is an upstream format error") {
        CHECK_THROWS_AS(translate(json::parse(R"({"type":"message"})")), UpstreamFormatError);
        CHECK_THROWS_AS(translate(json::array()), UpstreamFormatError);
    }

    TEST_CASE("thinking becomes reasoning_content and signed blocks are kept in thinking_blocks") {
        json out = translate(anthropic_message(json::parse(R"([
            {"type":"thinking","thinking":"step 1","signature":"sig=="},
            {"type":"redacted_thinking","data":"opaque"},
            {"type":"text","text":"answer"}])")));
        const json& message = out["choices"][0]["message"];
        CHECK(message["reasoning_content"] == "step 1");
        CHECK(message["thinking_blocks"] == json::parse(R"([
            {"type":"thinking","thinking":"step 1","signature":"sig=="},
            {"type":"redacted_thinking","data":"opaque"}])"));
        CHECK(message["content"] == "answer");
    }

    TEST_CASE("no thinking means no reasoning_content or thinking_blocks keys") {
        json out = translate(anthropic_message(json::parse(R"([{"type":"text","text":"x"}])")));
        CHECK_FALSE(out["choices"][0]["message"].contains("reasoning_content"));
        CHECK_FALSE(out["choices"][0]["message"].contains("thinking_blocks"));
    }

    TEST_CASE("server-tool blocks are dropped") {
        json out = translate(anthropic_message(json::parse(R"([
            {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"x"}},
            {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[]},
            {"type":"text","text":"found"}])")));
        CHECK(out["choices"][0]["message"]["content"] == "found");
        CHECK_FALSE(out["choices"][0]["message"].contains("tool_calls"));
    }

    TEST_CASE("stop reasons map to finish reasons") {
        CHECK(openai_finish_reason("end_turn") == "stop");
        CHECK(openai_finish_reason("stop_sequence") == "stop");
        CHECK(openai_finish_reason("pause_turn") == "stop");
        CHECK(openai_finish_reason("max_tokens") == "length");
        CHECK(openai_finish_reason("model_context_window_exceeded") == "length");
        CHECK(openai_finish_reason("tool_use") == "tool_calls");
        CHECK(openai_finish_reason("refusal") == "content_filter");
        CHECK(openai_finish_reason("") == "stop");
        CHECK(translate(anthropic_message(
                  json::array(), "max_tokens"))["choices"][0]["finish_reason"] == "length");
    }

    TEST_CASE(
        "usage: prompt tokens include cache reads and writes, cached_tokens is the cache read") {
        json message = anthropic_message(json::array());
        message["usage"] = {{"input_tokens", 20},
                            {"cache_read_input_tokens", 100},
                            {"cache_creation_input_tokens", 5},
                            {"output_tokens", 40}};
        CHECK(translate(message)["usage"] ==
              json::parse(R"({"prompt_tokens":125,"completion_tokens":40,
            "total_tokens":165,"prompt_tokens_details":{"cached_tokens":100}})"));
    }

    TEST_CASE("merge_anthropic_usage overwrites present fields and keeps absent ones") {
        TokenUsage usage;
        otari::translate::merge_anthropic_usage(
            json::parse(R"({"input_tokens":20,"cache_read_input_tokens":7,"output_tokens":1})"),
            usage);
        otari::translate::merge_anthropic_usage(json::parse(R"({"output_tokens":30})"), usage);
        otari::translate::merge_anthropic_usage(json::parse(R"({"output_tokens":42})"), usage);
        CHECK(usage.input_tokens == 20);
        CHECK(usage.cache_read_tokens == 7);
        CHECK(usage.output_tokens == 42);
        CHECK(usage.reported);
        TokenUsage untouched;
        otari::translate::merge_anthropic_usage(json::object(), untouched);
        CHECK_FALSE(untouched.reported);
    }

    TEST_CASE("generated bytes of a message count text, thinking and compact tool input") {
        json message =
            json::parse(R"({"content":[{"type":"thinking","thinking":"hmm","signature":"s"},
            {"type":"text","text":"hello"},{"type":"tool_use","id":"t","name":"f","input":{ "a" : 1 }},
            {"type":"redacted_thinking","data":"xyz"}]})");
        // 3 + 5 + {"a":1} (7 bytes); signatures and redacted data are not generated text.
        CHECK(otari::translate::generated_bytes_of_message(message) == 15);
        CHECK(otari::translate::generated_bytes_of_message(json::object()) == 0);
        CHECK(otari::translate::generated_bytes_of_message(json("text")) == 0);
    }
}
