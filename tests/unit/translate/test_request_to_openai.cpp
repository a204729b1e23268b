#include <doctest/doctest.h>

#include <string>

#include "translate/common.hpp"
#include "translate/profile.hpp"
#include "translate/request_to_openai.hpp"
#include "translate/tool_ids.hpp"
#include "util/json.hpp"
#include "util/sha256.hpp"

using otari::json;
using namespace otari::translate;

namespace {

json parse(const char* text) { return json::parse(text); }

json translate(const json& request, const char* provider = "generic",
               const std::string& model = "m") {
    return request_to_openai(request, model, profile_for(provider));
}

json base_request() {
    return parse(R"({"model":"alias","max_tokens":100,
                     "messages":[{"role":"user","content":"hello"}]})");
}

// A trimmed copy of the Claude Code 2.1.197 turn-2 body (fixtures/claude-code/
// messages-tool-turn2.json): long prose shortened, two of the 24 tools kept as captured.
const char* const kClaudeCodeToolTurn2 = R"JSON({
  "model": "openai:gpt-4o",
  "messages": [
    {"role": "user", "content": [
      {"type": "text", "text": "<system-reminder>context</system-reminder>"},
      {"type": "text", "text": "Create a file hello.txt containing a greeting"}]},
    {"role": "system", "content": "Available agent types: general-purpose"},
    {"role": "assistant", "content": [
      {"type": "thinking", "thinking": "I should use a tool for this.", "signature": "mock-signature-0Pb3iBVtTdu25R3p"},
      {"type": "text", "text": "I'll do that now."},
      {"type": "tool_use", "id": "toolu_01Z9c9aGeCOkEO47bd8PxkGLEF", "name": "Write",
       "input": {"file_path": "/home/dev/project/hello.txt", "content": "hello from the mock gateway\n"}}]},
    {"role": "user", "content": [
      {"tool_use_id": "toolu_01Z9c9aGeCOkEO47bd8PxkGLEF", "type": "tool_result",
       "content": "File created successfully at: /home/dev/project/hello.txt",
       "cache_control": {"type": "ephemeral"}}]}
  ],
  "system": [
    {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.197.38b; cc_entrypoint=sdk-cli;"},
    {"type": "text", "text": "You are a Claude agent, built on Anthropic's Claude Agent SDK.", "cache_control": {"type": "ephemeral"}},
    {"type": "text", "text": "Main prompt.", "cache_control": {"type": "ephemeral"}}
  ],
  "tools": [
    {"name": "Write", "description": "Writes a file",
     "input_schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
       "properties": {"file_path": {"description": "The absolute path", "type": "string"},
                      "content": {"description": "The content", "type": "string"}},
       "required": ["file_path", "content"], "additionalProperties": false}},
    {"name": "Read", "description": "Reads a file",
     "input_schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
       "properties": {"file_path": {"type": "string"},
                      "limit": {"type": "integer", "exclusiveMinimum": 0, "maximum": 9007199254740991}},
       "required": ["file_path"], "additionalProperties": false}}
  ],
  "metadata": {"user_id": "{\"device_id\":\"792f009df1ef212c5d85bbf9d790015e116f6d6a0bca9fd2e7f6ccc83f8f23cf\",\"account_uuid\":\"\",\"session_id\":\"619ef770-3188-467f-b7c5-889770a0cf88\"}"},
  "max_tokens": 32000,
  "thinking": {"type": "adaptive"},
  "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
  "output_config": {"effort": "high"},
  "stream": true
})JSON";

}  // namespace

TEST_SUITE("translate::request_to_openai") {
    TEST_CASE("system string and one user string become system then user, max_tokens copied") {
        json request = base_request();
        request["system"] = "S";
        json out = translate(request);
        CHECK(out["model"] == "m");
        REQUIRE(out["messages"].size() == 2);
        CHECK(out["messages"][0] == parse(R"({"role":"system","content":"S"})"));
        CHECK(out["messages"][1] == parse(R"({"role":"user","content":"hello"})"));
        CHECK(out["max_tokens"] == 100);
        CHECK_FALSE(out.contains("tools"));
        CHECK_FALSE(out.contains("tool_choice"));
        CHECK_FALSE(out.contains("stream"));
    }

    TEST_CASE("system text blocks join with a blank line and lose cache_control") {
        json request = base_request();
        request["system"] =
            parse(R"([{"type":"text","text":"A","cache_control":{"type":"ephemeral"}},
                                      {"type":"text","text":"B","cache_control":{"type":"ephemeral"}}])");
        json out = translate(request);
        CHECK(out["messages"][0]["content"] == "A\n\nB");
        CHECK(otari::dump_json(out).find("cache_control") == std::string::npos);
    }

    TEST_CASE("non-text system blocks are ignored") {
        json request = base_request();
        request["system"] = parse(R"([{"type":"image","source":{"type":"url","url":"http://x"}},
                                      {"type":"text","text":"only"}])");
        CHECK(translate(request)["messages"][0]["content"] == "only");
    }

    TEST_CASE("an empty system string sends no system message") {
        json request = base_request();
        request["system"] = "";
        CHECK(translate(request)["messages"][0]["role"] == "user");
    }

    TEST_CASE("the Claude Code billing header's cch stamp is made constant") {
        json request = base_request();
        request["system"] = parse(
            R"([{"type":"text","text":"x-anthropic-billing-header: cc_version=1; cch=a1B2c; x=y"}])");
        CHECK(translate(request)["messages"][0]["content"] ==
              "x-anthropic-billing-header: cc_version=1; cch=00000; x=y");
    }

    TEST_CASE("text and base64 image become a text part and a data-URL image part") {
        json request = base_request();
        request["messages"][0]["content"] = parse(R"([{"type":"text","text":"hi"},
            {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBO"}}])");
        json content = translate(request)["messages"][0]["content"];
        REQUIRE(content.size() == 2);
        CHECK(content[0] == parse(R"({"type":"text","text":"hi"})"));
        CHECK(content[1] ==
              parse(R"({"type":"image_url","image_url":{"url":"data:image/png;base64,iVBO"}})"));
    }

    TEST_CASE("an image without media_type defaults to jpeg and a data: prefix is not doubled") {
        json request = base_request();
        request["messages"][0]["content"] = parse(R"([
            {"type":"image","source":{"type":"base64","data":"AAAA"}},
            {"type":"image","source":{"type":"base64","media_type":"image/png","data":"data:image/png;base64,BBBB"}}])");
        json content = translate(request)["messages"][0]["content"];
        CHECK(content[0]["image_url"]["url"] == "data:image/jpeg;base64,AAAA");
        CHECK(content[1]["image_url"]["url"] == "data:image/png;base64,BBBB");
    }

    TEST_CASE("an image URL source is passed as the same URL") {
        json request = base_request();
        request["messages"][0]["content"] =
            parse(R"([{"type":"image","source":{"type":"url","url":"https://e.x/a.png"}}])");
        CHECK(translate(request)["messages"][0]["content"][0]["image_url"]["url"] ==
              "https://e.x/a.png");
    }

    TEST_CASE("an image from the Files API cannot be expressed") {
        json request = base_request();
        request["messages"][0]["content"] =
            parse(R"([{"type":"image","source":{"type":"file","file_id":"file_1"}}])");
        CHECK_THROWS_AS(translate(request), TranslateError);
    }

    TEST_CASE("a base64 PDF becomes a file part, or a 400 where PDFs are unsupported") {
        json request = base_request();
        request["messages"][0]["content"] = parse(R"([{"type":"document","title":"spec.pdf",
            "source":{"type":"base64","media_type":"application/pdf","data":"JVBER"}}])");
        json part = translate(request, "openai")["messages"][0]["content"][0];
        CHECK(part == parse(R"({"type":"file","file":{"filename":"spec.pdf",
                                "file_data":"data:application/pdf;base64,JVBER"}})"));
        CHECK_THROWS_AS(translate(request, "mistral"), TranslateError);
    }

    TEST_CASE("a plain-text document becomes a text part with its title") {
        json request = base_request();
        request["messages"][0]["content"] = parse(R"([{"type":"document","title":"T",
            "source":{"type":"text","media_type":"text/plain","data":"body"}}])");
        CHECK(translate(request)["messages"][0]["content"] == "T\n\nbody");
    }

    TEST_CASE("a document URL cannot be expressed") {
        json request = base_request();
        request["messages"][0]["content"] =
            parse(R"([{"type":"document","source":{"type":"url","url":"https://e.x/a.pdf"}}])");
        CHECK_THROWS_AS(translate(request, "openai"), TranslateError);
    }

    TEST_CASE("assistant text and tool_use become one message with content and tool_calls") {
        json request = base_request();
        request["messages"].push_back(parse(R"({"role":"assistant","content":[
            {"type":"text","text":"ok"},
            {"type":"tool_use","id":"toolu_1","name":"f","input":{"a":1}}]})"));
        request["messages"].push_back(parse(R"({"role":"user","content":[
            {"type":"tool_result","tool_use_id":"toolu_1","content":"r"}]})"));
        json assistant = translate(request)["messages"][1];
        CHECK(assistant["role"] == "assistant");
        CHECK(assistant["content"] == "ok");
        REQUIRE(assistant["tool_calls"].size() == 1);
        CHECK(assistant["tool_calls"][0] == parse(R"({"id":"toolu_1","type":"function",
            "function":{"name":"f","arguments":"{\"a\":1}"}})"));
    }

    TEST_CASE("an assistant turn with only tool_use has null content, or empty per profile") {
        json request = base_request();
        request["messages"].push_back(parse(R"({"role":"assistant","content":[
            {"type":"tool_use","id":"toolu_1","name":"f","input":{}}]})"));
        request["messages"].push_back(parse(R"({"role":"user","content":[
            {"type":"tool_result","tool_use_id":"toolu_1","content":"r"}]})"));
        CHECK(translate(request, "openai")["messages"][1]["content"].is_null());
        CHECK(translate(request, "ollama")["messages"][1]["content"] == "");
    }

    TEST_CASE("an assistant turn with only text has no tool_calls key") {
        json request = base_request();
        request["messages"].push_back(
            parse(R"({"role":"assistant","content":[{"type":"text","text":"hi"}]})"));
        json assistant = translate(request)["messages"][1];
        CHECK(assistant["content"] == "hi");
        CHECK_FALSE(assistant.contains("tool_calls"));
    }

    TEST_CASE("tool results come first, in order, then the rest of the user turn") {
        json request = base_request();
        request["messages"].push_back(parse(R"({"role":"assistant","content":[
            {"type":"tool_use","id":"toolu_1","name":"f","input":{}},
            {"type":"tool_use","id":"toolu_2","name":"g","input":{}}]})"));
        request["messages"].push_back(parse(R"({"role":"user","content":[
            {"type":"tool_result","tool_use_id":"toolu_1","content":"r1"},
            {"type":"tool_result","tool_use_id":"toolu_2","content":"r2"},
            {"type":"text","text":"continue"}]})"));
        json messages = translate(request)["messages"];
        REQUIRE(messages.size() == 5);
        CHECK(messages[2] == parse(R"({"role":"tool","tool_call_id":"toolu_1","content":"r1"})"));
        CHECK(messages[3] == parse(R"({"role":"tool","tool_call_id":"toolu_2","content":"r2"})"));
        CHECK(messages[4] == parse(R"({"role":"user","content":"continue"})"));
    }

    TEST_CASE("tool_result text blocks join with a newline") {
        json request = base_request();
        request["messages"].push_back(parse(R"({"role":"assistant","content":[
            {"type":"tool_use","id":"toolu_1","name":"f","input":{}}]})"));
        request["messages"].push_back(parse(R"({"role":"user","content":[
            {"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]})"));
        CHECK(translate(request)["messages"][2]["content"] == "a\nb");
    }

    TEST_CASE("tool_result images go to a following user message unless tool parts are allowed") {
        json request = base_request();
        request["messages"].push_back(parse(R"({"role":"assistant","content":[
            {"type":"tool_use","id":"toolu_1","name":"shot","input":{}}]})"));
        request["messages"].push_back(parse(R"({"role":"user","content":[
            {"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"see"},
              {"type":"image","source":{"type":"base64","media_type":"image/png","data":"QQ"}}]}]})"));
        json messages = translate(request)["messages"];
        REQUIRE(messages.size() == 4);
        CHECK(messages[2] == parse(R"({"role":"tool","tool_call_id":"toolu_1","content":"see"})"));
        CHECK(messages[3]["role"] == "user");
        CHECK(messages[3]["content"][0]["image_url"]["url"] == "data:image/png;base64,QQ");

        Profile parts = profile_for("generic");
        parts.tool_content_parts = true;
        json with_parts = request_to_openai(request, "m", parts)["messages"];
        REQUIRE(with_parts.size() == 3);
        CHECK(with_parts[2]["content"][0] == parse(R"({"type":"text","text":"see"})"));
        CHECK(with_parts[2]["content"][1]["type"] == "image_url");
    }

    TEST_CASE("a tool_result without content still gives one tool message") {
        json request = base_request();
        request["messages"].push_back(parse(R"({"role":"assistant","content":[
            {"type":"tool_use","id":"toolu_1","name":"f","input":{}},
            {"type":"tool_use","id":"toolu_2","name":"f","input":{}}]})"));
        request["messages"].push_back(parse(R"({"role":"user","content":[
            {"type":"tool_result","tool_use_id":"toolu_1"},
            {"type":"tool_result","tool_use_id":"toolu_2","content":[]}]})"));
        json messages = translate(request)["messages"];
        REQUIRE(messages.size() == 4);
        CHECK(messages[2] == parse(R"({"role":"tool","tool_call_id":"toolu_1","content":""})"));
        CHECK(messages[3] == parse(R"({"role":"tool","tool_call_id":"toolu_2","content":""})"));
    }

    TEST_CASE("is_error keeps the failure visible with an Error: prefix") {
        json request = base_request();
        request["messages"].push_back(parse(R"({"role":"assistant","content":[
            {"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"rm -rf /"}}]})"));
        request["messages"].push_back(parse(R"({"role":"user","content":[
            {"type":"tool_result","content":"boom","is_error":true,"tool_use_id":"toolu_1",
             "cache_control":{"type":"ephemeral"}}]})"));
        CHECK(translate(request)["messages"][2]["content"] == "Error: boom");
    }

    TEST_CASE("a tool call without a result gets a placeholder, a stray result is dropped") {
        json request = base_request();
        request["messages"].push_back(parse(R"({"role":"assistant","content":[
            {"type":"tool_use","id":"toolu_1","name":"f","input":{}}]})"));
        request["messages"].push_back(parse(R"({"role":"user","content":[
            {"type":"tool_result","tool_use_id":"toolu_other","content":"x"},
            {"type":"text","text":"[Request interrupted by user]"}]})"));
        json messages = translate(request)["messages"];
        REQUIRE(messages.size() == 4);
        CHECK(messages[2] ==
              parse(R"({"role":"tool","tool_call_id":"toolu_1","content":"[no result]"})"));
        CHECK(messages[3]["role"] == "user");
    }

    TEST_CASE("thinking in history becomes reasoning_content where replayed, else vanishes") {
        json request = base_request();
        request["messages"].push_back(parse(R"({"role":"assistant","content":[
            {"type":"thinking","thinking":"hmm","signature":"sig-XYZ"},
            {"type":"redacted_thinking","data":"opaque"},
            {"type":"text","text":"answer"}]})"));
        json deepseek = translate(request, "deepseek", "deepseek-reasoner")["messages"][1];
        CHECK(deepseek["reasoning_content"] == "hmm");
        CHECK(deepseek["content"] == "answer");
        CHECK(otari::dump_json(deepseek).find("sig-XYZ") == std::string::npos);
        CHECK(otari::dump_json(deepseek).find("opaque") == std::string::npos);
        json openai = translate(request, "openai")["messages"][1];
        CHECK(openai == parse(R"({"role":"assistant","content":"answer"})"));
    }

    TEST_CASE("two consecutive user messages merge into one") {
        json request = base_request();
        request["messages"].push_back(parse(R"({"role":"user","content":"again"})"));
        json messages = translate(request)["messages"];
        REQUIRE(messages.size() == 1);
        CHECK(messages[0]["content"] == "hello\n\nagain");
    }

    TEST_CASE("text-only user blocks collapse to one string, kept as parts when not preferred") {
        json request = base_request();
        request["messages"][0]["content"] = parse(
            R"([{"type":"text","text":"a"},{"type":"text","text":""},{"type":"text","text":"b"}])");
        CHECK(translate(request)["messages"][0]["content"] == "a\n\nb");
        Profile parts = profile_for("generic");
        parts.prefer_string_content = false;
        json content = request_to_openai(request, "m", parts)["messages"][0]["content"];
        CHECK(content == parse(R"([{"type":"text","text":"a"},{"type":"text","text":"b"}])"));
    }

    TEST_CASE("a provider that forbids user after tool gets a bridge assistant message") {
        json request = base_request();
        request["messages"].push_back(parse(R"({"role":"assistant","content":[
            {"type":"tool_use","id":"toolu_1","name":"f","input":{}}]})"));
        request["messages"].push_back(parse(R"({"role":"user","content":[
            {"type":"tool_result","tool_use_id":"toolu_1","content":"r"},{"type":"text","text":"next"}]})"));
        json messages = translate(request, "mistral")["messages"];
        REQUIRE(messages.size() == 5);
        CHECK(messages[2]["role"] == "tool");
        CHECK(messages[3]["role"] == "assistant");
        CHECK(messages[4]["role"] == "user");
        CHECK(translate(request, "openai")["messages"].size() == 4);
    }

    TEST_CASE("Mistral gets the same 9-character id on the call and on its result") {
        json request = base_request();
        request["messages"].push_back(parse(R"({"role":"assistant","content":[
            {"type":"tool_use","id":"toolu_01Z9c9aGeCOkEO47bd8PxkGLEF","name":"f","input":{}}]})"));
        request["messages"].push_back(parse(R"({"role":"user","content":[
            {"type":"tool_result","tool_use_id":"toolu_01Z9c9aGeCOkEO47bd8PxkGLEF","content":"r"}]})"));
        json messages = translate(request, "mistral")["messages"];
        const std::string id = messages[1]["tool_calls"][0]["id"].get<std::string>();
        CHECK(id.size() == 9);
        CHECK(id.find_first_not_of(
                  "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") ==
              std::string::npos);
        CHECK(messages[2]["tool_call_id"] == id);
        CHECK(translate(request, "mistral")["messages"][1]["tool_calls"][0]["id"] == id);
    }

    TEST_CASE("a long tool name is shortened the same way in tools, tool_choice and history") {
        const std::string long_name(70, 'n');
        json request = base_request();
        request["tools"] =
            json::array({{{"name", long_name}, {"input_schema", {{"type", "object"}}}}});
        request["tool_choice"] = {{"type", "tool"}, {"name", long_name}};
        request["messages"].push_back({{"role", "assistant"},
                                       {"content", json::array({{{"type", "tool_use"},
                                                                 {"id", "toolu_1"},
                                                                 {"name", long_name},
                                                                 {"input", json::object()}}})}});
        json out = translate(request, "openai");
        const std::string sent = out["tools"][0]["function"]["name"].get<std::string>();
        CHECK(sent.size() == 64);
        CHECK(sent.substr(0, 55) == long_name.substr(0, 55));
        CHECK(out["tool_choice"]["function"]["name"] == sent);
        CHECK(out["messages"][1]["tool_calls"][0]["function"]["name"] == sent);
        ToolNameMap names(request, profile_for("openai"));
        CHECK(names.to_client(sent) == long_name);
        CHECK(names.to_client("Bash") == "Bash");
    }

    TEST_CASE("tools: [] sends neither tools nor tool_choice") {
        json request = base_request();
        request["tools"] = json::array();
        request["tool_choice"] = {{"type", "any"}, {"disable_parallel_tool_use", true}};
        json out = translate(request, "openai");
        CHECK_FALSE(out.contains("tools"));
        CHECK_FALSE(out.contains("tool_choice"));
        CHECK_FALSE(out.contains("parallel_tool_calls"));
    }

    TEST_CASE("tool_choice any with parallel use disabled maps to required and no parallel calls") {
        json request = base_request();
        request["tools"] = parse(R"([{"name":"f","input_schema":{"type":"object"}}])");
        request["tool_choice"] = parse(R"({"type":"any","disable_parallel_tool_use":true})");
        json out = translate(request, "openai");
        CHECK(out["tool_choice"] == "required");
        CHECK(out["parallel_tool_calls"] == false);
        CHECK_FALSE(translate(request, "gemini").contains("parallel_tool_calls"));
    }

    TEST_CASE("tool_choice auto, tool and none map to their OpenAI forms") {
        json request = base_request();
        request["tools"] = parse(R"([{"name":"f","input_schema":{"type":"object"}}])");
        request["tool_choice"] = parse(R"({"type":"auto"})");
        CHECK(translate(request)["tool_choice"] == "auto");
        request["tool_choice"] = parse(R"({"type":"tool","name":"f"})");
        CHECK(translate(request)["tool_choice"] ==
              parse(R"({"type":"function","function":{"name":"f"}})"));
        request["tool_choice"] = parse(R"({"type":"none"})");
        CHECK(translate(request)["tool_choice"] == "none");
        CHECK(translate(request).contains("tools"));
        Profile no_none = profile_for("generic");
        no_none.supports_tool_choice_none = false;
        CHECK_FALSE(request_to_openai(request, "m", no_none).contains("tools"));
    }

    TEST_CASE("an unknown tool_choice type is rejected") {
        json request = base_request();
        request["tools"] = parse(R"([{"name":"f","input_schema":{"type":"object"}}])");
        request["tool_choice"] = parse(R"({"type":"sometimes"})");
        CHECK_THROWS_AS(translate(request), TranslateError);
    }

    TEST_CASE("a server tool is dropped and noted, or rejected per profile") {
        json request = base_request();
        request["tools"] =
            parse(R"([{"type":"web_search_20250305","name":"web_search","max_uses":5},
                                     {"name":"f","input_schema":{"type":"object"}}])");
        RequestNotes notes;
        json out = request_to_openai(request, "m", profile_for("openai"), &notes);
        REQUIRE(out["tools"].size() == 1);
        CHECK(out["tools"][0]["function"]["name"] == "f");
        CHECK(notes.dropped_tools == std::vector<std::string>{"web_search"});
        Profile strict = profile_for("openai");
        strict.server_tools = ServerTools::reject;
        CHECK_THROWS_AS(request_to_openai(request, "m", strict), TranslateError);
    }

    TEST_CASE("tool schemas keep draft 2020-12 keywords and drop the Anthropic tool type") {
        json request = base_request();
        request["tools"] = parse(R"([{"type":"custom","name":"f","description":"d",
            "cache_control":{"type":"ephemeral"},"eager_input_streaming":true,
            "input_schema":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
              "properties":{"n":{"type":"integer","exclusiveMinimum":0},
                            "m":{"type":"object","propertyNames":{"pattern":"^a"}},
                            "k":{"anyOf":[{"const":"x"},{"type":"null"}]}},
              "additionalProperties":false}}])");
        json tool = translate(request, "openai")["tools"][0];
        CHECK(tool["type"] == "function");
        CHECK(tool["function"]["parameters"] == request["tools"][0]["input_schema"]);
        CHECK(tool["function"]["description"] == "d");
        CHECK(otari::dump_json(tool).find("cache_control") == std::string::npos);
        CHECK(otari::dump_json(tool).find("eager_input_streaming") == std::string::npos);
    }

    TEST_CASE("a tool without input_schema gets an empty object schema") {
        json request = base_request();
        request["tools"] = parse(R"([{"name":"f"}])");
        CHECK(translate(request)["tools"][0]["function"]["parameters"] ==
              parse(R"({"type":"object","properties":{}})"));
    }

    TEST_CASE("Groq loses $schema; Gemini loses unsupported keywords but keeps property names") {
        json request = base_request();
        request["tools"] = parse(R"([{"name":"f","input_schema":{"$schema":"s","type":"object",
            "properties":{"const":{"const":"x"},"additionalProperties":{"type":"string"}},
            "additionalProperties":false}}])");
        json groq = translate(request, "groq")["tools"][0]["function"]["parameters"];
        CHECK_FALSE(groq.contains("$schema"));
        CHECK(groq["additionalProperties"] == false);
        json gemini = translate(request, "gemini")["tools"][0]["function"]["parameters"];
        CHECK(gemini == parse(R"({"type":"object","properties":{"const":{"enum":["x"]},
                                  "additionalProperties":{"type":"string"}}})"));
    }

    TEST_CASE("a 31999-token thinking budget asks for the strongest effort the model allows") {
        json request = base_request();
        request["thinking"] = parse(R"({"type":"enabled","budget_tokens":31999})");
        CHECK(translate(request, "openai", "o3")["reasoning_effort"] == "high");
        CHECK(translate(request, "deepseek", "deepseek-reasoner")["thinking"] ==
              parse(R"({"type":"enabled"})"));
        CHECK(translate(request, "openrouter")["reasoning"] == parse(R"({"max_tokens":31999})"));
    }

    TEST_CASE("adaptive thinking with effort high reaches reasoning models only") {
        json request = base_request();
        request["thinking"] = parse(R"({"type":"adaptive"})");
        request["output_config"] = parse(R"({"effort":"high"})");
        CHECK(translate(request, "openai", "gpt-5")["reasoning_effort"] == "high");
        CHECK_FALSE(translate(request, "openai", "gpt-4o").contains("reasoning_effort"));
        CHECK_FALSE(translate(request, "ollama", "qwen3").contains("reasoning_effort"));
        CHECK(translate(request, "mistral", "magistral-medium")["reasoning_effort"] == "high");
    }

    TEST_CASE("disabled thinking turns thinking off only where the provider has a switch") {
        json request = base_request();
        request["thinking"] = parse(R"({"type":"disabled"})");
        CHECK_FALSE(translate(request, "openai", "o3").contains("reasoning_effort"));
        CHECK(translate(request, "mistral", "magistral-small")["reasoning_effort"] == "none");
        CHECK(translate(request, "deepseek", "deepseek-chat")["thinking"] ==
              parse(R"({"type":"disabled"})"));
    }

    TEST_CASE("thinking budgets map to any-llm's effort buckets") {
        auto effort = [](int budget) {
            json request = {{"thinking", {{"type", "enabled"}, {"budget_tokens", budget}}}};
            return effort_for_thinking(request);
        };
        CHECK(effort(1024) == "minimal");
        CHECK(effort(2048) == "low");
        CHECK(effort(8192) == "medium");
        CHECK(effort(24576) == "high");
        CHECK(effort(24577) == "xhigh");
        CHECK(effort_for_thinking(parse(R"({"thinking":{"type":"adaptive"}})")) == "medium");
        CHECK(effort_for_thinking(parse(R"({"output_config":{"effort":"max"}})")) == "xhigh");
        CHECK(effort_for_thinking(parse(R"({})")) == "");
        CHECK(clamp_effort("xhigh", {"low", "medium", "high"}) == "high");
        CHECK(clamp_effort("minimal", {"low", "high"}) == "low");
        CHECK(clamp_effort("medium", {"low", "high"}) == "low");
    }

    TEST_CASE("max_tokens becomes a capped max_completion_tokens where the profile says so") {
        json request = base_request();
        request["max_tokens"] = 32000;
        Profile capped = profile_for("generic");
        capped.max_tokens_field = MaxTokensField::max_completion_tokens;
        capped.output_token_caps = {{"", 16384}};
        json out = request_to_openai(request, "m", capped);
        CHECK(out["max_completion_tokens"] == 16384);
        CHECK_FALSE(out.contains("max_tokens"));
        CHECK(translate(request, "deepseek", "deepseek-chat")["max_tokens"] == 8192);
        CHECK(translate(request, "openai", "gpt-4o")["max_completion_tokens"] == 32000);
    }

    TEST_CASE("a request without max_tokens cannot be expressed") {
        json request = base_request();
        request.erase("max_tokens");
        CHECK_THROWS_AS(translate(request), TranslateError);
    }

    TEST_CASE("sampling parameters pass unless the model fixes them; top_k only where taken") {
        json request = base_request();
        request["temperature"] = 0.5;
        request["top_p"] = 0.9;
        request["top_k"] = 40;
        json gpt4o = translate(request, "openai", "gpt-4o");
        CHECK(gpt4o["temperature"] == 0.5);
        CHECK(gpt4o["top_p"] == 0.9);
        CHECK_FALSE(gpt4o.contains("top_k"));
        json o3 = translate(request, "openai", "o3-mini");
        CHECK_FALSE(o3.contains("temperature"));
        CHECK_FALSE(o3.contains("top_p"));
        CHECK(translate(request, "llamacpp")["top_k"] == 40);
    }

    TEST_CASE("stop_sequences become stop, at most four for OpenAI") {
        json request = base_request();
        request["stop_sequences"] = parse(R"(["a","b","c","d","e"])");
        CHECK(translate(request, "openai")["stop"] == parse(R"(["a","b","c","d"])"));
        CHECK(translate(request, "vllm")["stop"].size() == 5);
    }

    TEST_CASE("stream asks for usage unless the provider rejects stream_options") {
        json request = base_request();
        request["stream"] = true;
        json openai = translate(request, "openai");
        CHECK(openai["stream"] == true);
        CHECK(openai["stream_options"] == parse(R"({"include_usage":true})"));
        json mistral = translate(request, "mistral");
        CHECK(mistral["stream"] == true);
        CHECK_FALSE(mistral.contains("stream_options"));
    }

    TEST_CASE("metadata.user_id becomes a stable 64-character hash") {
        json request = base_request();
        request["metadata"] = {{"user_id", std::string(120, 'u')}};
        json first = translate(request, "openai");
        json second = translate(request, "openai");
        const std::string id = first["safety_identifier"].get<std::string>();
        CHECK(id.size() == 64);
        CHECK(id.find('u') == std::string::npos);
        CHECK(second["safety_identifier"] == id);
        CHECK(translate(request, "together")["user"] == id);
        CHECK_FALSE(translate(request, "mistral").contains("user"));
    }

    TEST_CASE("each user_id keeps its own hash when sessions alternate") {
        json a = base_request();
        a["metadata"] = {{"user_id", "session-a"}};
        json b = base_request();
        b["metadata"] = {{"user_id", "session-b"}};
        const json hash_a = translate(a, "openai")["safety_identifier"];
        const json hash_b = translate(b, "openai")["safety_identifier"];
        CHECK(hash_a != hash_b);
        CHECK(translate(a, "openai")["safety_identifier"] == hash_a);
        CHECK(translate(b, "openai")["safety_identifier"] == hash_b);
        // SHA-256 of "session-a", as stored by any other implementation.
        CHECK(hash_a == otari::util::sha256_hex("session-a"));
    }

    TEST_CASE("a role:system message inside messages is hoisted, or kept in place for OpenAI") {
        json request = base_request();
        request["system"] = "top";
        request["messages"].push_back(parse(R"({"role":"system","content":"lists"})"));
        request["messages"].push_back(parse(R"({"role":"assistant","content":"ok"})"));
        json hoisted = translate(request)["messages"];
        REQUIRE(hoisted.size() == 3);
        CHECK(hoisted[0] == parse(R"({"role":"system","content":"top\n\nlists"})"));
        json kept = translate(request, "openai")["messages"];
        REQUIRE(kept.size() == 4);
        CHECK(kept[2] == parse(R"({"role":"system","content":"lists"})"));
    }

    TEST_CASE("output_config.format becomes a json_schema response_format") {
        json request = base_request();
        request["output_config"] = parse(R"({"effort":"high","format":{"type":"json_schema",
            "schema":{"type":"object","properties":{"title":{"type":"string"}},
                      "required":["title"],"additionalProperties":false}}})");
        json format = translate(request, "openai", "gpt-4o-mini")["response_format"];
        CHECK(format["type"] == "json_schema");
        CHECK(format["json_schema"]["name"] == "structured_output");
        CHECK(format["json_schema"]["strict"] == true);
        CHECK(format["json_schema"]["schema"] == request["output_config"]["format"]["schema"]);
        request["output_config"]["format"]["schema"]["required"] = json::array();
        CHECK(translate(request, "openai")["response_format"]["json_schema"]["strict"] == false);
        CHECK_FALSE(translate(request, "deepseek").contains("response_format"));
    }

    TEST_CASE("mcp_servers and container cannot be expressed; other Anthropic fields are dropped") {
        json request = base_request();
        request["context_management"] = parse(R"({"edits":[]})");
        request["betas"] = parse(R"(["x"])");
        RequestNotes notes;
        json out = request_to_openai(request, "m", profile_for("openai"), &notes);
        CHECK_FALSE(out.contains("context_management"));
        CHECK_FALSE(out.contains("betas"));
        CHECK(notes.dropped_fields == std::vector<std::string>{"context_management", "betas"});
        request["mcp_servers"] = parse(R"([{"type":"url","url":"https://m","name":"m"}])");
        CHECK_THROWS_AS(translate(request), TranslateError);
        request.erase("mcp_servers");
        request["container"] = "c";
        CHECK_THROWS_AS(translate(request), TranslateError);
    }

    TEST_CASE("Claude Code's tool turn 2 translates for OpenAI gpt-4o") {
        const json request = json::parse(kClaudeCodeToolTurn2);
        RequestNotes notes;
        json out = request_to_openai(request, "gpt-4o", profile_for("openai"), &notes);
        json messages = out["messages"];
        REQUIRE(messages.size() == 5);
        CHECK(messages[0]["role"] == "system");
        CHECK(messages[0]["content"].get<std::string>().rfind("x-anthropic-billing-header:", 0) ==
              0);
        CHECK(messages[1] == parse(R"({"role":"user","content":
            "<system-reminder>context</system-reminder>\n\nCreate a file hello.txt containing a greeting"})"));
        CHECK(messages[2] ==
              parse(R"({"role":"system","content":"Available agent types: general-purpose"})"));
        CHECK(messages[3]["content"] == "I'll do that now.");
        CHECK_FALSE(messages[3].contains("reasoning_content"));
        CHECK(messages[3]["tool_calls"][0]["id"] == "toolu_01Z9c9aGeCOkEO47bd8PxkGLEF");
        CHECK(
            json::parse(messages[3]["tool_calls"][0]["function"]["arguments"].get<std::string>()) ==
            request["messages"][2]["content"][2]["input"]);
        CHECK(messages[4] ==
              parse(R"({"role":"tool","tool_call_id":"toolu_01Z9c9aGeCOkEO47bd8PxkGLEF",
            "content":"File created successfully at: /home/dev/project/hello.txt"})"));
        CHECK(out["tools"].size() == 2);
        CHECK(
            out["tools"][1]["function"]["parameters"]["properties"]["limit"]["exclusiveMinimum"] ==
            0);
        CHECK(out["max_completion_tokens"] == 32000);
        CHECK_FALSE(out.contains("reasoning_effort"));
        CHECK(out["stream_options"]["include_usage"] == true);
        CHECK(out["safety_identifier"].get<std::string>().size() == 64);
        const std::string dumped = otari::dump_json(out);
        CHECK(dumped.find("cache_control") == std::string::npos);
        CHECK(dumped.find("mock-signature") == std::string::npos);
        CHECK(dumped.find("context_management") == std::string::npos);
        CHECK(notes.dropped_fields == std::vector<std::string>{"context_management"});
    }

    TEST_CASE("Claude Code's thinking turn 2 replays its reasoning to DeepSeek") {
        const json request = json::parse(kClaudeCodeToolTurn2);
        json out = request_to_openai(request, "deepseek-reasoner", profile_for("deepseek"));
        json messages = out["messages"];
        REQUIRE(messages.size() == 4);  // the mid-conversation system list is hoisted
        CHECK(messages[0]["content"].get<std::string>().find("Available agent types") !=
              std::string::npos);
        CHECK(messages[2]["reasoning_content"] == "I should use a tool for this.");
        CHECK(messages[2]["tool_calls"].size() == 1);
        CHECK(messages[3]["role"] == "tool");
        CHECK(out["thinking"] == parse(R"({"type":"enabled"})"));
        CHECK(out["max_tokens"] == 32000);
        CHECK_FALSE(out.contains("user"));
    }

    TEST_CASE("Claude Code's turn 2 reaches a reasoning model with effort and no sampling") {
        json out =
            request_to_openai(json::parse(kClaudeCodeToolTurn2), "o4-mini", profile_for("openai"));
        CHECK(out["reasoning_effort"] == "high");
        CHECK(out["max_completion_tokens"] == 32000);
    }

    TEST_CASE("the moving overload gives the same body and keeps tool names for the name map") {
        const json request = json::parse(kClaudeCodeToolTurn2);
        const json copied = request_to_openai(request, "gpt-4o", profile_for("groq"));
        json movable = request;
        const json moved = request_to_openai(std::move(movable), "gpt-4o", profile_for("groq"));
        CHECK(moved == copied);
        CHECK_FALSE(moved["tools"][0]["function"]["parameters"].contains("$schema"));
        CHECK(movable["tools"][0]["name"] == "Write");
        CHECK(movable["tools"][0]["input_schema"].is_null());
        CHECK(request["tools"][0]["input_schema"].is_object());
    }

    TEST_CASE("unknown provider names get the generic profile") {
        const Profile& generic = profile_for("my-company-server");
        CHECK(generic.name == "generic");
        CHECK(&profile_for("another") == &generic);
        CHECK(profile_for("mistral").tool_id_codec == ToolIdCodec::mistral9);
        CHECK(profile_for("openai").max_tokens_field == MaxTokensField::max_completion_tokens);
    }
}
