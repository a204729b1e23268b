#include <doctest/doctest.h>

#include "translate/request_to_anthropic.hpp"

using otari::json;
using otari::translate::request_to_anthropic;
using otari::translate::TranslateError;

namespace {

json translate(const json& request) { return request_to_anthropic(request, "claude-up"); }

json user(const std::string& text) { return json{{"role", "user"}, {"content", text}}; }

json with_messages(json messages) {
    return json{{"model", "alias"}, {"messages", std::move(messages)}};
}

json tool_call(const std::string& id, const std::string& name, const std::string& arguments) {
    return json{
        {"id", id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", arguments}}}};
}

json weather_tool() {
    return json{{"type", "function"},
                {"function",
                 {{"name", "get_weather"},
                  {"description", "Weather for a city"},
                  {"parameters",
                   {{"type", "object"},
                    {"properties", {{"city", {{"type", "string"}}}}},
                    {"required", {"city"}},
                    {"$defs", {{"Unit", {{"enum", {"C", "F"}}}}}},
                    {"additionalProperties", false}}},
                  {"strict", true}}}};
}

json with_tools(json request) {
    request["tools"] = json::array({weather_tool()});
    return request;
}

}  // namespace

TEST_SUITE("translate::request_to_anthropic") {
    TEST_CASE("a plain user message becomes model, default max_tokens and a string turn") {
        json out = translate(with_messages({user("hi")}));
        CHECK(out["model"] == "claude-up");
        CHECK(out["max_tokens"] == otari::translate::k_default_anthropic_max_tokens);
        CHECK(out["messages"] == json::parse(R"([{"role":"user","content":"hi"}])"));
        CHECK_FALSE(out.contains("system"));
        CHECK_FALSE(out.contains("tools"));
        CHECK_FALSE(out.contains("stream"));
    }

    TEST_CASE(
        "system and developer messages are hoisted into system text blocks in order (vector 68)") {
        json out = translate(
            with_messages({json{{"role", "system"}, {"content", "S1"}},
                           json{{"role", "developer"},
                                {"content", json::array({{{"type", "text"}, {"text", "D1"}}})}},
                           user("hi"), json{{"role", "system"}, {"content", "S2"}}}));
        CHECK(out["system"] ==
              json::parse(R"([{"type":"text","text":"S1"},{"type":"text","text":"D1"},
                                               {"type":"text","text":"S2"}])"));
        CHECK(out["messages"] == json::parse(R"([{"role":"user","content":"hi"}])"));
    }

    TEST_CASE("empty system content adds no system block") {
        json out =
            translate(with_messages({json{{"role", "system"}, {"content", ""}}, user("hi")}));
        CHECK_FALSE(out.contains("system"));
    }

    TEST_CASE("max_completion_tokens wins over max_tokens") {
        json request = with_messages({user("hi")});
        request["max_tokens"] = 100;
        CHECK(translate(request)["max_tokens"] == 100);
        request["max_completion_tokens"] = 200;
        CHECK(translate(request)["max_tokens"] == 200);
    }

    TEST_CASE("a non-positive max_tokens is rejected") {
        json request = with_messages({user("hi")});
        request["max_tokens"] = 0;
        CHECK_THROWS_AS(translate(request), TranslateError);
    }

    TEST_CASE("user text and image parts map to text and image blocks") {
        json parts = json::parse(R"([
            {"type":"text","text":"look"},
            {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"}},
            {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}},
            {"type":"text","text":""}
        ])");
        json out = translate(with_messages({json{{"role", "user"}, {"content", parts}}}));
        CHECK(out["messages"][0]["content"] == json::parse(R"([
            {"type":"text","text":"look"},
            {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
            {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}
        ])"));
    }

    TEST_CASE("a text part with cache_control keeps it and stays a block") {
        json parts =
            json::parse(R"([{"type":"text","text":"big","cache_control":{"type":"ephemeral"}}])");
        json out = translate(with_messages({json{{"role", "user"}, {"content", parts}}}));
        CHECK(
            out["messages"][0]["content"] ==
            json::parse(R"([{"type":"text","text":"big","cache_control":{"type":"ephemeral"}}])"));
    }

    TEST_CASE("a data URL that is not base64 is rejected") {
        json parts =
            json::parse(R"([{"type":"image_url","image_url":{"url":"data:image/png,rawbytes"}}])");
        CHECK_THROWS_AS(translate(with_messages({json{{"role", "user"}, {"content", parts}}})),
                        TranslateError);
    }

    TEST_CASE("an image URL with another scheme is rejected") {
        json parts = json::parse(R"([{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}])");
        CHECK_THROWS_AS(translate(with_messages({json{{"role", "user"}, {"content", parts}}})),
                        TranslateError);
    }

    TEST_CASE("a PDF file part becomes a base64 document with its filename as title") {
        json parts = json::parse(
            R"([{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0="}}])");
        json out = translate(with_messages({json{{"role", "user"}, {"content", parts}}}));
        CHECK(out["messages"][0]["content"] == json::parse(R"([{"type":"document",
            "source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="},"title":"a.pdf"}])"));
    }

    TEST_CASE("a file id or a non-PDF file is rejected") {
        json by_id = json::parse(R"([{"type":"file","file":{"file_id":"file-123"}}])");
        CHECK_THROWS_AS(translate(with_messages({json{{"role", "user"}, {"content", by_id}}})),
                        TranslateError);
        json csv =
            json::parse(R"([{"type":"file","file":{"file_data":"data:text/csv;base64,YQ=="}}])");
        CHECK_THROWS_AS(translate(with_messages({json{{"role", "user"}, {"content", csv}}})),
                        TranslateError);
    }

    TEST_CASE("an unknown content part type is rejected with its name in the message") {
        json parts =
            json::parse(R"([{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}])");
        try {
            translate(with_messages({json{{"role", "user"}, {"content", parts}}}));
            FAIL("expected TranslateError");
        } catch (const TranslateError& e) {
            CHECK(std::string(e.what()).find("input_audio") != std::string::npos);
        }
    }

    TEST_CASE("assistant text plus tool_calls become text then tool_use blocks with parsed input") {
        json assistant = {
            {"role", "assistant"},
            {"content", "Checking."},
            {"tool_calls",
             json::array({tool_call("call_1", "get_weather", R"({"city":"Paris"})")})}};
        json out = translate(with_messages({user("weather?"), assistant}));
        CHECK(out["messages"][1] == json::parse(R"({"role":"assistant","content":[
            {"type":"text","text":"Checking."},
            {"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}}]})"));
    }

    TEST_CASE("tool_call arguments that are empty become an empty input") {
        json assistant = {{"role", "assistant"},
                          {"content", nullptr},
                          {"tool_calls", json::array({tool_call("call_1", "now", "")})}};
        json out = translate(with_messages({user("time?"), assistant}));
        CHECK(out["messages"][1]["content"][0]["input"] == json::object());
    }

    TEST_CASE("tool_call arguments that are not JSON are rejected") {
        json assistant = {{"role", "assistant"},
                          {"tool_calls", json::array({tool_call("call_1", "f", "{not json")})}};
        CHECK_THROWS_AS(translate(with_messages({user("x"), assistant})), TranslateError);
    }

    TEST_CASE("tool_call arguments that are a JSON array are rejected") {
        json assistant = {{"role", "assistant"},
                          {"tool_calls", json::array({tool_call("call_1", "f", "[1]")})}};
        CHECK_THROWS_AS(translate(with_messages({user("x"), assistant})), TranslateError);
    }

    TEST_CASE("tool ids are sanitised the same way on tool_use and tool_result (Kimi style)") {
        json assistant = {
            {"role", "assistant"},
            {"tool_calls", json::array({tool_call("functions.Read:3", "Read", "{}")})}};
        json result = {{"role", "tool"}, {"tool_call_id", "functions.Read:3"}, {"content", "file"}};
        json out = translate(with_messages({user("read"), assistant, result}));
        CHECK(out["messages"][1]["content"][0]["id"] == "functions_Read_3");
        CHECK(out["messages"][2]["content"][0]["tool_use_id"] == "functions_Read_3");
    }

    TEST_CASE(
        "consecutive tool messages and a following user message form one user turn (vector 69)") {
        json assistant = {{"role", "assistant"},
                          {"tool_calls", json::array({tool_call("call_a", "f", "{}"),
                                                      tool_call("call_b", "g", "{}")})}};
        json out = translate(
            with_messages({user("go"), assistant,
                           json{{"role", "tool"}, {"tool_call_id", "call_a"}, {"content", "r1"}},
                           json{{"role", "tool"}, {"tool_call_id", "call_b"}, {"content", "r2"}},
                           user("continue")}));
        REQUIRE(out["messages"].size() == 3);
        CHECK(out["messages"][2] == json::parse(R"({"role":"user","content":[
            {"type":"tool_result","tool_use_id":"call_a","content":"r1"},
            {"type":"tool_result","tool_use_id":"call_b","content":"r2"},
            {"type":"text","text":"continue"}]})"));
    }

    TEST_CASE("tool results are kept ahead of user text already in the turn") {
        json assistant = {{"role", "assistant"},
                          {"tool_calls", json::array({tool_call("call_a", "f", "{}")})}};
        json out = translate(
            with_messages({user("go"), assistant, user("note"),
                           json{{"role", "tool"}, {"tool_call_id", "call_a"}, {"content", "r1"}}}));
        CHECK(out["messages"][2]["content"][0]["type"] == "tool_result");
        CHECK(out["messages"][2]["content"][1]["text"] == "note");
    }

    TEST_CASE(
        "tool message content parts become tool_result content blocks; empty content is omitted") {
        json assistant = {{"role", "assistant"},
                          {"tool_calls", json::array({tool_call("call_a", "f", "{}"),
                                                      tool_call("call_b", "g", "{}")})}};
        json parts = json::parse(R"([{"type":"text","text":"a"},{"type":"text","text":"b"}])");
        json out = translate(
            with_messages({user("go"), assistant,
                           json{{"role", "tool"}, {"tool_call_id", "call_a"}, {"content", parts}},
                           json{{"role", "tool"}, {"tool_call_id", "call_b"}, {"content", ""}}}));
        CHECK(out["messages"][2]["content"][0]["content"] ==
              json::parse(R"([{"type":"text","text":"a"},{"type":"text","text":"b"}])"));
        CHECK_FALSE(out["messages"][2]["content"][1].contains("content"));
    }

    TEST_CASE("a tool message without tool_call_id is rejected") {
        CHECK_THROWS_AS(
            translate(with_messages({user("x"), json{{"role", "tool"}, {"content", "r"}}})),
            TranslateError);
    }

    TEST_CASE("consecutive user messages are merged into one turn") {
        json out = translate(with_messages({user("a"), user("b")}));
        CHECK(out["messages"] == json::parse(R"([{"role":"user","content":[
            {"type":"text","text":"a"},{"type":"text","text":"b"}]}])"));
    }

    TEST_CASE(
        "an assistant message with no content and no tool calls is dropped and its neighbours "
        "merge") {
        json out = translate(with_messages(
            {user("a"), json{{"role", "assistant"}, {"content", nullptr}}, user("b")}));
        REQUIRE(out["messages"].size() == 1);
        CHECK(out["messages"][0]["content"].size() == 2);
    }

    TEST_CASE("the function role and legacy functions are rejected") {
        CHECK_THROWS_AS(
            translate(with_messages(
                {user("a"), json{{"role", "function"}, {"name", "f"}, {"content", "r"}}})),
            TranslateError);
        json request = with_messages({user("a")});
        request["functions"] = json::array();
        CHECK_THROWS_AS(translate(request), TranslateError);
    }

    TEST_CASE("messages that end up empty are rejected") {
        CHECK_THROWS_AS(translate(with_messages({json{{"role", "system"}, {"content", "S"}}})),
                        TranslateError);
        CHECK_THROWS_AS(translate(json{{"model", "m"}}), TranslateError);
    }

    TEST_CASE("function tools keep their whole parameters schema as input_schema") {
        json out = translate(with_tools(with_messages({user("hi")})));
        REQUIRE(out["tools"].size() == 1);
        const json& tool = out["tools"][0];
        CHECK(tool["name"] == "get_weather");
        CHECK(tool["description"] == "Weather for a city");
        CHECK(tool["input_schema"]["$defs"].contains("Unit"));
        CHECK(tool["input_schema"]["additionalProperties"] == false);
        CHECK(tool["input_schema"]["required"] == json::array({"city"}));
        CHECK_FALSE(tool.contains("strict"));
        CHECK_FALSE(tool.contains("type"));
    }

    TEST_CASE("a tool without parameters gets an empty object schema") {
        json request = with_messages({user("hi")});
        request["tools"] = json::parse(R"([{"type":"function","function":{"name":"now"}}])");
        CHECK(translate(request)["tools"][0]["input_schema"] ==
              json::parse(R"({"type":"object","properties":{}})"));
    }

    TEST_CASE("a tool of another type is rejected") {
        json request = with_messages({user("hi")});
        request["tools"] = json::parse(R"([{"type":"custom","custom":{"name":"x"}}])");
        CHECK_THROWS_AS(translate(request), TranslateError);
    }

    TEST_CASE("tool_choice values map to Anthropic tool_choice") {
        json request = with_tools(with_messages({user("hi")}));
        request["tool_choice"] = "auto";
        CHECK(translate(request)["tool_choice"] == json::parse(R"({"type":"auto"})"));
        request["tool_choice"] = "required";
        CHECK(translate(request)["tool_choice"] == json::parse(R"({"type":"any"})"));
        request["tool_choice"] = "none";
        CHECK(translate(request)["tool_choice"] == json::parse(R"({"type":"none"})"));
        request["tool_choice"] =
            json::parse(R"({"type":"function","function":{"name":"get_weather"}})");
        CHECK(translate(request)["tool_choice"] ==
              json::parse(R"({"type":"tool","name":"get_weather"})"));
        request["tool_choice"] = "sometimes";
        CHECK_THROWS_AS(translate(request), TranslateError);
    }

    TEST_CASE(
        "parallel_tool_calls false without tool_choice gives auto with disable_parallel_tool_use "
        "(vector 70)") {
        json request = with_tools(with_messages({user("hi")}));
        request["parallel_tool_calls"] = false;
        CHECK(translate(request)["tool_choice"] ==
              json::parse(R"({"type":"auto","disable_parallel_tool_use":true})"));
        request["tool_choice"] = "required";
        CHECK(translate(request)["tool_choice"] ==
              json::parse(R"({"type":"any","disable_parallel_tool_use":true})"));
        request["tool_choice"] = "none";
        CHECK(translate(request)["tool_choice"] == json::parse(R"({"type":"none"})"));
    }

    TEST_CASE("empty tools omit tools and tool_choice") {
        json request = with_messages({user("hi")});
        request["tools"] = json::array();
        request["tool_choice"] = "required";
        request["parallel_tool_calls"] = false;
        json out = translate(request);
        CHECK_FALSE(out.contains("tools"));
        CHECK_FALSE(out.contains("tool_choice"));
    }

    TEST_CASE("temperature is clamped to 1 and top_p passes through (vector 72)") {
        json request = with_messages({user("hi")});
        request["temperature"] = 1.5;
        request["top_p"] = 0.9;
        json out = translate(request);
        CHECK(out["temperature"] == 1.0);
        CHECK(out["top_p"] == 0.9);
    }

    TEST_CASE("stop as a string or array becomes stop_sequences without blank entries") {
        json request = with_messages({user("hi")});
        request["stop"] = "###";
        CHECK(translate(request)["stop_sequences"] == json::array({"###"}));
        request["stop"] = json::array({"END", " ", "\n"});
        CHECK(translate(request)["stop_sequences"] == json::array({"END"}));
        request["stop"] = json::array({" "});
        CHECK_FALSE(translate(request).contains("stop_sequences"));
        request["stop"] = json::array({1});
        CHECK_THROWS_AS(translate(request), TranslateError);
    }

    TEST_CASE("user or safety_identifier becomes metadata.user_id") {
        json request = with_messages({user("hi")});
        request["user"] = "u-1";
        CHECK(translate(request)["metadata"] == json::parse(R"({"user_id":"u-1"})"));
        request["safety_identifier"] = "s-1";
        CHECK(translate(request)["metadata"] == json::parse(R"({"user_id":"s-1"})"));
    }

    TEST_CASE("stream true is forwarded and stream_options is read but not sent") {
        json request = with_messages({user("hi")});
        request["stream"] = true;
        request["stream_options"] = {{"include_usage", true}};
        json out = translate(request);
        CHECK(out["stream"] == true);
        CHECK_FALSE(out.contains("stream_options"));
        CHECK(otari::translate::chat_request_wants_stream_usage(request));
        request.erase("stream_options");
        CHECK_FALSE(otari::translate::chat_request_wants_stream_usage(request));
    }

    TEST_CASE("fields Anthropic does not take are dropped") {
        json request = with_messages({user("hi")});
        for (const char* key : {"frequency_penalty", "presence_penalty", "seed", "top_logprobs"})
            request[key] = 1;
        request["logprobs"] = true;
        request["logit_bias"] = json::object();
        request["store"] = true;
        request["service_tier"] = "auto";
        request["metadata"] = {{"k", "v"}};
        request["modalities"] = json::array({"text"});
        request["n"] = 1;
        json out = translate(request);
        for (const char* key :
             {"frequency_penalty", "presence_penalty", "seed", "top_logprobs", "logprobs",
              "logit_bias", "store", "service_tier", "metadata", "modalities", "n"}) {
            CHECK_MESSAGE(!out.contains(key), key);
        }
    }

    TEST_CASE("n greater than 1 and audio output are rejected") {
        json request = with_messages({user("hi")});
        request["n"] = 2;
        CHECK_THROWS_AS(translate(request), TranslateError);
        request.erase("n");
        request["modalities"] = json::array({"text", "audio"});
        CHECK_THROWS_AS(translate(request), TranslateError);
    }

    TEST_CASE("reasoning_effort enables thinking with a budget and drops sampling (vector 72)") {
        json request = with_messages({user("hi")});
        request["reasoning_effort"] = "high";
        request["temperature"] = 1.5;
        request["top_p"] = 0.5;
        json out = translate(request);
        CHECK(out["thinking"] == json::parse(R"({"type":"enabled","budget_tokens":16384})"));
        CHECK(out["max_tokens"] == 16384 + 4096);
        CHECK_FALSE(out.contains("temperature"));
        CHECK_FALSE(out.contains("top_p"));
    }

    TEST_CASE("the thinking budget stays below the client's max_tokens") {
        json request = with_messages({user("hi")});
        request["reasoning_effort"] = "high";
        request["max_tokens"] = 8000;
        json out = translate(request);
        CHECK(out["max_tokens"] == 8000);
        CHECK(out["thinking"]["budget_tokens"] == 7999);
        request["max_tokens"] = 1000;
        CHECK_THROWS_AS(translate(request), TranslateError);
    }

    TEST_CASE("reasoning_effort none disables thinking; an unknown effort is rejected") {
        json request = with_messages({user("hi")});
        request["reasoning_effort"] = "none";
        CHECK(translate(request)["thinking"] == json::parse(R"({"type":"disabled"})"));
        request["reasoning_effort"] = "extreme";
        CHECK_THROWS_AS(translate(request), TranslateError);
    }

    TEST_CASE("a forced tool_choice leaves thinking off") {
        json request = with_tools(with_messages({user("hi")}));
        request["reasoning_effort"] = "low";
        request["tool_choice"] = "required";
        json out = translate(request);
        CHECK_FALSE(out.contains("thinking"));
        CHECK(out["tool_choice"]["type"] == "any");
        request["max_tokens"] = 500;  // too small for a thinking budget, but thinking is off
        CHECK_NOTHROW(translate(request));
    }

    TEST_CASE("a tool loop without replayed thinking leaves thinking off and strips nothing else") {
        json assistant = {{"role", "assistant"},
                          {"tool_calls", json::array({tool_call("call_a", "get_weather", "{}")})}};
        json request = with_tools(with_messages(
            {user("go"), assistant,
             json{{"role", "tool"}, {"tool_call_id", "call_a"}, {"content", "sun"}}}));
        request["reasoning_effort"] = "medium";
        json out = translate(request);
        CHECK_FALSE(out.contains("thinking"));
        CHECK(out["messages"].size() == 3);
    }

    TEST_CASE("signed thinking_blocks are replayed first and keep thinking on in a tool loop") {
        json assistant = {
            {"role", "assistant"},
            {"content", "Let me check."},
            {"reasoning_content", "I should call the tool"},
            {"thinking_blocks",
             json::parse(
                 R"([{"type":"thinking","thinking":"I should call the tool","signature":"sig=="}])")},
            {"tool_calls", json::array({tool_call("call_a", "get_weather", "{}")})}};
        json request = with_tools(with_messages(
            {user("go"), assistant,
             json{{"role", "tool"}, {"tool_call_id", "call_a"}, {"content", "sun"}}}));
        request["reasoning_effort"] = "medium";
        json out = translate(request);
        CHECK(out["thinking"]["type"] == "enabled");
        CHECK(
            out["messages"][1]["content"][0] ==
            json::parse(
                R"({"type":"thinking","thinking":"I should call the tool","signature":"sig=="})"));
        CHECK(out["messages"][1]["content"][1]["type"] == "text");
    }

    TEST_CASE("unsigned thinking and bare reasoning_content are never replayed") {
        json assistant = {
            {"role", "assistant"},
            {"content", "answer"},
            {"reasoning_content", "thoughts"},
            {"thinking_blocks",
             json::parse(R"([{"type":"thinking","thinking":"thoughts","signature":""}])")}};
        json request = with_messages({user("q"), assistant, user("more")});
        request["reasoning_effort"] = "low";
        json out = translate(request);
        CHECK(out["messages"][1]["content"] == "answer");
    }

    TEST_CASE("with thinking off, replayed thinking blocks are stripped from history") {
        json assistant = {
            {"role", "assistant"},
            {"content", "answer"},
            {"thinking_blocks", json::parse(R"([{"type":"thinking","thinking":"t","signature":"s"},
                                                              {"type":"redacted_thinking","data":"xyz"}])")}};
        json out = translate(with_messages({user("q"), assistant, user("more")}));
        CHECK(out["messages"][1]["content"] == "answer");
    }

    TEST_CASE("response_format json_schema becomes output_config.format; json_object is rejected") {
        json request = with_messages({user("hi")});
        request["response_format"] =
            json::parse(R"({"type":"json_schema","json_schema":{"name":"x","strict":true,
            "schema":{"type":"object","properties":{"a":{"type":"integer"}}}}})");
        CHECK(translate(request)["output_config"] == json::parse(R"({"format":{"type":"json_schema",
            "schema":{"type":"object","properties":{"a":{"type":"integer"}}}}})"));
        request["response_format"] = json::parse(R"({"type":"text"})");
        CHECK_FALSE(translate(request).contains("output_config"));
        request["response_format"] = json::parse(R"({"type":"json_object"})");
        CHECK_THROWS_AS(translate(request), TranslateError);
    }

    TEST_CASE("anthropic_tool_id replaces every character outside [A-Za-z0-9_-]") {
        CHECK(otari::translate::anthropic_tool_id("toolu_01-AbC") == "toolu_01-AbC");
        CHECK(otari::translate::anthropic_tool_id("call.1:2 x") == "call_1_2_x");
    }
}
