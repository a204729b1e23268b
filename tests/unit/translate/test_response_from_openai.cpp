#include <doctest/doctest.h>

#include <string>

#include "translate/common.hpp"
#include "translate/openai_errors.hpp"
#include "translate/profile.hpp"
#include "translate/response_from_openai.hpp"
#include "translate/tool_ids.hpp"
#include "util/json.hpp"

using otari::json;
using namespace otari::translate;

namespace {

json parse(const char* text) { return json::parse(text); }

json translate(const char* completion, const char* provider = "openai",
               const ToolNameMap* names = nullptr) {
    return response_from_openai(parse(completion), "alias", profile_for(provider), names);
}

bool is_valid_anthropic_id(const std::string& id) { return is_valid_client_tool_id(id); }

}  // namespace

TEST_SUITE("translate::response_from_openai") {
    TEST_CASE("a text answer becomes one text block with end_turn and four usage counters") {
        json out = translate(R"({"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,
            "message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}})");
        CHECK(out == parse(R"({"id":"msg_chatcmpl-1","type":"message","role":"assistant",
            "model":"alias","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn",
            "stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":0,
            "cache_read_input_tokens":0,"output_tokens":2}})"));
    }

    TEST_CASE("reasoning_content comes first as a thinking block with an empty signature") {
        json out =
            translate(R"({"choices":[{"message":{"content":"ans","reasoning_content":"think"},
            "finish_reason":"stop"}]})",
                      "deepseek");
        REQUIRE(out["content"].size() == 2);
        CHECK(out["content"][0] ==
              parse(R"({"type":"thinking","thinking":"think","signature":""})"));
        CHECK(out["content"][1] == parse(R"({"type":"text","text":"ans"})"));
        CHECK(out["id"].get<std::string>().rfind("msg_", 0) == 0);
    }

    TEST_CASE("reasoning under the name reasoning (OpenRouter, newer vLLM) is read too") {
        json out = translate(R"({"choices":[{"message":{"content":"","reasoning":"r"},
            "finish_reason":"stop"}]})",
                             "openrouter");
        CHECK(out["content"] == parse(R"([{"type":"thinking","thinking":"r","signature":""}])"));
    }

    TEST_CASE("a tool call with an empty id gets a generated valid id and parsed input") {
        json out = translate(R"({"choices":[{"message":{"content":null,"tool_calls":[{"id":"",
            "type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},
            "finish_reason":"tool_calls"}]})",
                             "gemini");
        REQUIRE(out["content"].size() == 1);
        json block = out["content"][0];
        CHECK(block["type"] == "tool_use");
        CHECK(block["id"].get<std::string>().rfind("toolu_", 0) == 0);
        CHECK(is_valid_anthropic_id(block["id"].get<std::string>()));
        CHECK(block["name"] == "f");
        CHECK(block["input"] == parse(R"({"a":1})"));
        CHECK(out["stop_reason"] == "tool_use");
    }

    TEST_CASE("single quotes and trailing commas in arguments are repaired") {
        json out = translate(R"({"choices":[{"message":{"tool_calls":[{"id":"c1","type":"function",
            "function":{"name":"f","arguments":"{'a': 1, 'b': 'it\\'s \"x\"',}"}}]},"finish_reason":"tool_calls"}]})");
        CHECK(out["content"][0]["input"] == parse(R"({"a":1,"b":"it's \"x\""})"));
    }

    TEST_CASE("arguments that are not JSON fail the answer instead of becoming {}") {
        CHECK_THROWS_WITH_AS(translate(R"({"choices":[{"message":{"tool_calls":[{"id":"c1",
            "type":"function","function":{"name":"Bash","arguments":"not json"}}]},
            "finish_reason":"tool_calls"}]})"),
                             doctest::Contains("Bash"), UpstreamFormatError);
    }

    TEST_CASE("empty or missing arguments mean an empty input object") {
        json out = translate(R"({"choices":[{"message":{"tool_calls":[
            {"id":"c1","type":"function","function":{"name":"f","arguments":""}},
            {"id":"c2","type":"function","function":{"name":"g"}}]},"finish_reason":"tool_calls"}]})");
        CHECK(out["content"][0]["input"] == json::object());
        CHECK(out["content"][1]["input"] == json::object());
    }

    TEST_CASE("arguments given as an object or a scalar still give an object input") {
        json out = translate(R"({"choices":[{"message":{"tool_calls":[
            {"id":"c1","type":"function","function":{"name":"f","arguments":{"a":1}}},
            {"id":"c2","type":"function","function":{"name":"g","arguments":"[1,2]"}}]},
            "finish_reason":"tool_calls"}]})",
                             "ollama");
        CHECK(out["content"][0]["input"] == parse(R"({"a":1})"));
        CHECK(out["content"][1]["input"] == parse(R"({"value":[1,2]})"));
    }

    TEST_CASE("finish_reason stop with tool calls reports tool_use") {
        json out = translate(R"({"choices":[{"message":{"tool_calls":[{"id":"c1","type":"function",
            "function":{"name":"f","arguments":"{}"}}]},"finish_reason":"stop"}]})",
                             "gemini");
        CHECK(out["stop_reason"] == "tool_use");
    }

    TEST_CASE("finish_reason length during a tool call reports max_tokens") {
        json out = translate(R"({"choices":[{"message":{"tool_calls":[{"id":"c1","type":"function",
            "function":{"name":"f","arguments":"{\"a\":1}"}}]},"finish_reason":"length"}]})");
        CHECK(out["stop_reason"] == "max_tokens");
    }

    TEST_CASE("content_filter and a refusal report refusal, the refusal text kept") {
        CHECK(translate(R"({"choices":[{"message":{"content":"partial"},
            "finish_reason":"content_filter"}]})")["stop_reason"] == "refusal");
        json out = translate(R"({"choices":[{"message":{"content":null,"refusal":"no"},
            "finish_reason":"stop"}]})");
        CHECK(out["content"] == parse(R"([{"type":"text","text":"no"}])"));
        CHECK(out["stop_reason"] == "refusal");
    }

    TEST_CASE("cached prompt tokens move to cache_read_input_tokens, clamped to the prompt") {
        json out = translate(R"({"choices":[{"message":{"content":"x"},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":100,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":80}}})");
        CHECK(out["usage"] == parse(R"({"input_tokens":20,"cache_creation_input_tokens":0,
            "cache_read_input_tokens":80,"output_tokens":5})"));
        json clamped = translate(R"({"choices":[{"message":{"content":"x"},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":100,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":150}}})");
        CHECK(clamped["usage"]["input_tokens"] == 0);
        CHECK(clamped["usage"]["cache_read_input_tokens"] == 100);
    }

    TEST_CASE("an answer without usage carries the input estimate and output estimated from what it generated") {
        // 8 bytes of reasoning, 5 of text, 9 of tool arguments: 22 bytes, 6 tokens at 4 a token.
        json completion = parse(R"({"choices":[{"message":{"reasoning_content":"thinking",
            "content":"hello","tool_calls":[{"id":"call_1","type":"function",
            "function":{"name":"f","arguments":"{\"a\":123}"}}]},"finish_reason":"tool_calls"}]})");
        json out = response_from_openai(completion, "alias", profile_for("openai"), nullptr, 40);
        CHECK(out["usage"] == parse(R"({"input_tokens":40,"cache_creation_input_tokens":0,
            "cache_read_input_tokens":0,"output_tokens":6})"));
        json empty = response_from_openai(parse(R"({"choices":[{"message":{"content":null},
            "finish_reason":"stop"}]})"), "alias", profile_for("openai"), nullptr, 7);
        CHECK(empty["usage"]["input_tokens"] == 7);
        CHECK(empty["usage"]["output_tokens"] == 0);
    }

    TEST_CASE("reported usage is used as it is, zeros included, never replaced by estimates") {
        json out = response_from_openai(parse(R"({"choices":[{"message":{"content":"hello world"},
            "finish_reason":"stop"}],"usage":{"prompt_tokens":0,"completion_tokens":0}})"),
                                        "alias", profile_for("openai"), nullptr, 40);
        CHECK(out["usage"]["input_tokens"] == 0);
        CHECK(out["usage"]["output_tokens"] == 0);
    }

    TEST_CASE("DeepSeek cache hits count as cache reads") {
        json out = translate(R"({"choices":[{"message":{"content":"x"},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":50,"completion_tokens":1,"prompt_cache_hit_tokens":30,
                     "prompt_cache_miss_tokens":20}})",
                             "deepseek");
        CHECK(out["usage"]["input_tokens"] == 20);
        CHECK(out["usage"]["cache_read_input_tokens"] == 30);
    }

    TEST_CASE("negative usage counts read as zero") {
        json out = translate(R"({"choices":[{"message":{"content":"x"},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":-5,"completion_tokens":-1}})");
        CHECK(out["usage"]["input_tokens"] == 0);
        CHECK(out["usage"]["output_tokens"] == 0);
    }

    TEST_CASE("a vLLM matched stop string reports stop_sequence") {
        json out = translate(R"({"choices":[{"message":{"content":"a"},"finish_reason":"stop",
            "stop_reason":"###"}]})",
                             "vllm");
        CHECK(out["stop_reason"] == "stop_sequence");
        CHECK(out["stop_sequence"] == "###");
        json eos = translate(R"({"choices":[{"message":{"content":"a"},"finish_reason":"stop",
            "stop_reason":null}]})",
                             "vllm");
        CHECK(eos["stop_reason"] == "end_turn");
        CHECK(eos["stop_sequence"].is_null());
    }

    TEST_CASE("an empty answer gives empty content and end_turn") {
        json out = translate(R"({"choices":[{"message":{"role":"assistant","content":""},
            "finish_reason":"stop"}]})");
        CHECK(out["content"] == json::array());
        CHECK(out["stop_reason"] == "end_turn");
        CHECK(out["usage"]["output_tokens"] == 0);
    }

    TEST_CASE("content given as an array of text parts is concatenated") {
        json out = translate(R"({"choices":[{"message":{"content":[{"type":"text","text":"a"},
            {"type":"text","text":"b"}]},"finish_reason":"stop"}]})");
        CHECK(out["content"] == parse(R"([{"type":"text","text":"ab"}])"));
    }

    TEST_CASE("a Kimi tool id is escaped for Anthropic and maps back to itself next turn") {
        json out = translate(R"({"choices":[{"message":{"tool_calls":[{"id":"functions.Read:3",
            "type":"function","function":{"name":"Read","arguments":"{}"}}]},
            "finish_reason":"tool_calls"}]})",
                             "moonshot");
        const std::string id = out["content"][0]["id"].get<std::string>();
        CHECK(is_valid_anthropic_id(id));
        CHECK(upstream_tool_id(id, profile_for("moonshot")) == "functions.Read:3");
    }

    TEST_CASE("tool ids round-trip: valid ids unchanged, escaped ids restored, Mistral ids kept") {
        CHECK(client_tool_id("call_abc-1") == "call_abc-1");
        CHECK(upstream_tool_id("call_abc-1", profile_for("openai")) == "call_abc-1");
        const std::string odd = client_tool_id("otx_looks_escaped");
        CHECK(odd != "otx_looks_escaped");
        CHECK(upstream_tool_id(odd, profile_for("openai")) == "otx_looks_escaped");
        CHECK(upstream_tool_id("aB3dE6gH9", profile_for("mistral")) == "aB3dE6gH9");
        CHECK(upstream_tool_id(std::string(60, 'x'), profile_for("openai")).size() <= 40);
        CHECK(upstream_tool_id(std::string(60, 'x'), profile_for("openai")) ==
              upstream_tool_id(std::string(60, 'x'), profile_for("openai")));
    }

    TEST_CASE("a shortened tool name is mapped back to the client's name") {
        const std::string long_name(70, 'n');
        json request = {{"tools", json::array({{{"name", long_name}}})}};
        ToolNameMap names(request, profile_for("openai"));
        json completion = {
            {"choices",
             json::array(
                 {{{"message",
                    {{"tool_calls", json::array({{{"id", "c1"},
                                                  {"type", "function"},
                                                  {"function",
                                                   {{"name", upstream_tool_name(long_name, 64)},
                                                    {"arguments", "{}"}}}}})}}},
                   {"finish_reason", "tool_calls"}}})}};
        json out = response_from_openai(completion, "alias", profile_for("openai"), &names);
        CHECK(out["content"][0]["name"] == long_name);
    }

    TEST_CASE("an error object in a 200 answer is reported as a mapped upstream error") {
        try {
            translate(
                R"({"error":{"message":"Rate limit reached","type":"rate_limit_exceeded","code":429}})");
            FAIL("expected an exception");
        } catch (const UpstreamReportedError& e) {
            CHECK(e.mapped.type == "rate_limit_error");
            CHECK(e.mapped.status == 429);
            CHECK(std::string(e.what()) == "Rate limit reached");
        }
    }

    TEST_CASE("finish_reason error and DeepSeek resource exhaustion are upstream errors") {
        CHECK_THROWS_AS(translate(R"({"choices":[{"message":{"content":""},"finish_reason":"error",
            "error":{"message":"provider died","code":502}}]})",
                                  "openrouter"),
                        UpstreamReportedError);
        try {
            translate(R"({"choices":[{"message":{"content":""},
                "finish_reason":"insufficient_system_resource"}]})",
                      "deepseek");
            FAIL("expected an exception");
        } catch (const UpstreamReportedError& e) {
            CHECK(e.mapped.type == "overloaded_error");
        }
    }

    TEST_CASE("an answer without choices is a format error") {
        CHECK_THROWS_AS(translate(R"({"id":"x","choices":[]})"), UpstreamFormatError);
        CHECK_THROWS_AS(translate(R"([1,2])"), UpstreamFormatError);
        CHECK_THROWS_AS(translate(R"({"choices":[{"finish_reason":"stop"}]})"),
                        UpstreamFormatError);
    }
}
