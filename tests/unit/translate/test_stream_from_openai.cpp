#include <doctest/doctest.h>

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "translate/profile.hpp"
#include "translate/stream_from_openai.hpp"
#include "translate/tool_ids.hpp"
#include "util/json.hpp"

using otari::json;
using namespace otari::translate;

namespace {

struct Event {
    std::string name;
    json data;
};

// Splits SSE text into events; every frame must be `event: X\ndata: {json}\n\n` with
// data.type == X.
std::vector<Event> parse_events(const std::string& sse) {
    std::vector<Event> events;
    size_t pos = 0;
    while (pos < sse.size()) {
        const size_t end = sse.find("\n\n", pos);
        REQUIRE(end != std::string::npos);
        const std::string frame = sse.substr(pos, end - pos);
        pos = end + 2;
        REQUIRE(frame.rfind("event: ", 0) == 0);
        const size_t newline = frame.find('\n');
        REQUIRE(newline != std::string::npos);
        Event event;
        event.name = frame.substr(7, newline - 7);
        REQUIRE(frame.compare(newline + 1, 6, "data: ") == 0);
        event.data = json::parse(frame.substr(newline + 7));
        CHECK(event.data["type"] == event.name);
        events.push_back(std::move(event));
    }
    return events;
}

// Checks the Anthropic stream grammar (spec §3.2) on a complete stream.
void check_grammar(const std::vector<Event>& events) {
    REQUIRE_FALSE(events.empty());
    CHECK(events.front().name == "message_start");
    std::map<int, std::string> block_types;
    std::map<int, bool> stopped;
    int next_index = 0;
    int open = -1;
    bool ended = false;
    for (size_t i = 1; i < events.size(); ++i) {
        const Event& e = events[i];
        CHECK_FALSE(ended);
        CHECK(e.name != "message_start");
        if (e.name == "content_block_start") {
            const int index = e.data["index"].get<int>();
            CHECK(index == next_index++);
            CHECK(open == -1);  // one block at a time
            open = index;
            block_types[index] = e.data["content_block"]["type"].get<std::string>();
        } else if (e.name == "content_block_delta") {
            const int index = e.data["index"].get<int>();
            REQUIRE(block_types.count(index) == 1);
            CHECK_FALSE(stopped[index]);
            const std::string type = e.data["delta"]["type"].get<std::string>();
            const std::string& block = block_types[index];
            if (type == "text_delta") CHECK(block == "text");
            if (type == "thinking_delta" || type == "signature_delta") CHECK(block == "thinking");
            if (type == "input_json_delta") CHECK(block == "tool_use");
        } else if (e.name == "content_block_stop") {
            const int index = e.data["index"].get<int>();
            CHECK(open == index);
            CHECK_FALSE(stopped[index]);
            stopped[index] = true;
            open = -1;
        } else if (e.name == "message_delta") {
            CHECK(open == -1);
        } else if (e.name == "message_stop" || e.name == "error") {
            ended = true;
        }
    }
}

// Compact, readable form of events for comparisons.
std::vector<std::string> summary(const std::vector<Event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) {
        std::string line = e.name;
        if (e.name == "content_block_start") {
            const json& block = e.data["content_block"];
            line += " " + std::to_string(e.data["index"].get<int>()) + " " +
                    block["type"].get<std::string>();
            if (block["type"] == "tool_use") {
                line +=
                    " " + block["id"].get<std::string>() + " " + block["name"].get<std::string>();
            }
        } else if (e.name == "content_block_delta") {
            const json& delta = e.data["delta"];
            line += " " + std::to_string(e.data["index"].get<int>()) + " ";
            for (const char* key : {"text", "thinking", "partial_json"}) {
                if (delta.contains(key)) line += delta[key].get<std::string>();
            }
        } else if (e.name == "content_block_stop") {
            line += " " + std::to_string(e.data["index"].get<int>());
        } else if (e.name == "message_delta") {
            line += " " + e.data["delta"]["stop_reason"].get<std::string>();
        } else if (e.name == "error") {
            line += " " + e.data["error"]["type"].get<std::string>() + " " +
                    e.data["error"]["message"].get<std::string>();
        }
        out.push_back(line);
    }
    return out;
}

using Lines = std::vector<std::string>;

struct Run {
    std::string sse;
    std::vector<Event> events;
};

Run run(StreamFromOpenAI& stream, std::initializer_list<const char*> chunks, bool done = true) {
    Run r;
    for (const char* chunk : chunks) stream.on_chunk(json::parse(chunk), r.sse);
    if (done) stream.on_done(r.sse);
    r.events = parse_events(r.sse);
    if (done) check_grammar(r.events);
    return r;
}

Run run_with(const char* provider, std::initializer_list<const char*> chunks) {
    StreamFromOpenAI stream("alias", "msg_1", profile_for(provider), 7);
    return run(stream, chunks);
}

// Concatenated partial_json of the tool block at `index`.
std::string arguments_of(const std::vector<Event>& events, int index) {
    std::string args;
    for (const auto& e : events) {
        if (e.name == "content_block_delta" && e.data["index"] == index &&
            e.data["delta"]["type"] == "input_json_delta") {
            args += e.data["delta"]["partial_json"].get<std::string>();
        }
    }
    return args;
}

const json& message_delta(const std::vector<Event>& events) {
    for (const auto& e : events) {
        if (e.name == "message_delta") return e.data;
    }
    FAIL("no message_delta");
    static const json none;
    return none;
}

}  // namespace

TEST_SUITE("translate::stream_from_openai") {
    TEST_CASE("a text answer streams as one text block with the usage of the usage chunk") {
        StreamFromOpenAI stream("alias", "msg_1", profile_for("openai"), 7);
        Run r = run(
            stream,
            {
                R"({"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null}}]})",
                R"({"choices":[{"index":0,"delta":{"content":"Hel"}}]})",
                R"({"choices":[{"index":0,"delta":{"content":"lo"}}]})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})",
                R"({"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3}})",
            });
        CHECK(summary(r.events) == Lines{"message_start", "ping", "content_block_start 0 text",
                                         "content_block_delta 0 Hel", "content_block_delta 0 lo",
                                         "content_block_stop 0", "message_delta end_turn",
                                         "message_stop"});
        const json& start = r.events[0].data["message"];
        CHECK(start["id"] == "msg_1");
        CHECK(start["model"] == "alias");
        CHECK(start["content"] == json::array());
        CHECK(start["usage"]["input_tokens"] == 7);
        CHECK(message_delta(r.events)["usage"] ==
              json::parse(R"({"input_tokens":12,"cache_creation_input_tokens":0,
                              "cache_read_input_tokens":0,"output_tokens":3})"));
        CHECK(message_delta(r.events)["delta"]["stop_sequence"].is_null());
        CHECK(stream.finished());
        CHECK(stream.stop_reason() == "end_turn");
        CHECK(stream.usage().reported);
        CHECK(stream.usage().output_tokens == 3);
    }

    TEST_CASE("usage that follows the finish chunk still reaches message_delta") {
        // The finish chunk, the usage chunk and [DONE] in one read (CCR/llms pitfall #30).
        Run r = run_with(
            "openai",
            {
                R"({"choices":[{"index":0,"delta":{"content":"x"}}]})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null})",
                R"({"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1}})",
            });
        CHECK(message_delta(r.events)["usage"]["input_tokens"] == 5);
        CHECK(message_delta(r.events)["usage"]["output_tokens"] == 1);
    }

    TEST_CASE("usage on the finish chunk itself is used") {
        Run r =
            run_with("openai", {
                                   R"({"choices":[{"index":0,"delta":{"content":"x"}}]})",
                                   R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],
                "usage":{"prompt_tokens":9,"completion_tokens":2}})",
                               });
        CHECK(message_delta(r.events)["usage"]["input_tokens"] == 9);
        CHECK(message_delta(r.events)["usage"]["output_tokens"] == 2);
    }

    TEST_CASE("usage sent on every chunk is overwritten, never summed") {
        Run r = run_with(
            "vllm",
            {
                R"({"choices":[{"index":0,"delta":{"content":"a"}}],"usage":{"prompt_tokens":4,"completion_tokens":1}})",
                R"({"choices":[{"index":0,"delta":{"content":"b"}}],"usage":{"prompt_tokens":4,"completion_tokens":2}})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":3}})",
            });
        CHECK(r.events[0].data["message"]["usage"]["input_tokens"] == 4);
        CHECK(message_delta(r.events)["usage"]["output_tokens"] == 3);
    }

    TEST_CASE("without usage the stream completes with estimated counts") {
        StreamFromOpenAI stream("alias", "msg_1", profile_for("ollama"), 50);
        Run r = run(stream, {
                                R"({"choices":[{"index":0,"delta":{"content":"12345678"}}]})",
                                R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})",
                            });
        CHECK(message_delta(r.events)["usage"]["input_tokens"] == 50);
        CHECK(message_delta(r.events)["usage"]["output_tokens"] == 2);
        CHECK_FALSE(stream.usage().reported);
        CHECK(stream.streamed_text_bytes() == 8);
    }

    TEST_CASE("a role-only first chunk followed by tool calls opens no text block") {
        Run r = run_with(
            "openai",
            {
                R"({"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function",
                "function":{"name":"f","arguments":""}}]}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})",
            });
        CHECK(summary(r.events) == Lines{"message_start", "ping",
                                         "content_block_start 0 tool_use call_1 f",
                                         "content_block_delta 0 {}", "content_block_stop 0",
                                         "message_delta tool_use", "message_stop"});
    }

    TEST_CASE("reasoning then text gives a thinking block then a text block") {
        Run r = run_with(
            "deepseek",
            {
                R"({"choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":""}}]})",
                R"({"choices":[{"index":0,"delta":{"reasoning_content":"a"}}]})",
                R"({"choices":[{"index":0,"delta":{"reasoning_content":"b","content":null}}]})",
                R"({"choices":[{"index":0,"delta":{"content":"c"}}]})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})",
            });
        CHECK(summary(r.events) == Lines{"message_start", "ping", "content_block_start 0 thinking",
                                         "content_block_delta 0 a", "content_block_delta 0 b",
                                         "content_block_stop 0", "content_block_start 1 text",
                                         "content_block_delta 1 c", "content_block_stop 1",
                                         "message_delta end_turn", "message_stop"});
        CHECK(r.events[2].data["content_block"] ==
              json::parse(R"({"type":"thinking","thinking":"","signature":""})"));
        CHECK(r.events[3].data["delta"]["type"] == "thinking_delta");
    }

    TEST_CASE("one chunk with reasoning and text emits the reasoning first") {
        Run r = run_with("vllm",
                         {
                             R"({"choices":[{"index":0,"delta":{"reasoning":"r","content":"t"}}]})",
                             R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})",
                         });
        CHECK(summary(r.events)[2] == "content_block_start 0 thinking");
        CHECK(summary(r.events)[5] == "content_block_start 1 text");
    }

    TEST_CASE("the spec's worked example: text then two sequential tool calls") {
        StreamFromOpenAI stream("alias", "msg_1", profile_for("openai"), 0);
        Run r = run(
            stream,
            {
                R"({"id":"chatcmpl-9","model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]})",
                R"({"choices":[{"index":0,"delta":{"content":"Checking."}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Par"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"is\"}"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{\"tz\":\"CET\"}"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})",
                R"({"choices":[],"usage":{"prompt_tokens":120,"completion_tokens":40,"prompt_tokens_details":{"cached_tokens":100}}})",
            });
        CHECK(summary(r.events) ==
              Lines{"message_start", "ping", "content_block_start 0 text",
                    "content_block_delta 0 Checking.", "content_block_stop 0",
                    "content_block_start 1 tool_use call_a get_weather",
                    "content_block_delta 1 {\"city\":\"Par", "content_block_delta 1 is\"}",
                    "content_block_stop 1", "content_block_start 2 tool_use call_b get_time",
                    "content_block_delta 2 {\"tz\":\"CET\"}", "content_block_stop 2",
                    "message_delta tool_use", "message_stop"});
        CHECK(message_delta(r.events)["usage"] ==
              json::parse(R"({"input_tokens":20,"cache_creation_input_tokens":0,
                              "cache_read_input_tokens":100,"output_tokens":40})"));
        CHECK(stream.usage().cache_read_tokens == 100);
    }

    TEST_CASE("calls announced together then interleaved are buffered after the first") {
        Profile interleaving = profile_for("generic");
        interleaving.sequential_tool_streams = false;
        StreamFromOpenAI stream("alias", "msg_1", interleaving, 0);
        Run r = run(
            stream,
            {
                R"({"choices":[{"index":0,"delta":{"tool_calls":[
                {"index":0,"id":"call_a","function":{"name":"get_weather","arguments":""}},
                {"index":1,"id":"call_b","function":{"name":"get_time","arguments":""}}]}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"tz\":"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\"UTC\"}"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})",
            });
        CHECK(summary(r.events) ==
              Lines{"message_start", "ping", "content_block_start 0 tool_use call_a get_weather",
                    "content_block_delta 0 {\"city\":", "content_block_delta 0 \"Paris\"}",
                    "content_block_stop 0", "content_block_start 1 tool_use call_b get_time",
                    "content_block_delta 1 {\"tz\":\"UTC\"}", "content_block_stop 1",
                    "message_delta tool_use", "message_stop"});
        CHECK(json::parse(arguments_of(r.events, 0)) == json::parse(R"({"city":"Paris"})"));
        CHECK(json::parse(arguments_of(r.events, 1)) == json::parse(R"({"tz":"UTC"})"));
        CHECK(stream.dropped_fragments() == 0);
    }

    TEST_CASE("a fragment for an already closed tool block is dropped, never sent after its stop") {
        StreamFromOpenAI stream("alias", "msg_1", profile_for("openai"), 0);
        Run r = run(
            stream,
            {
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","function":{"name":"g","arguments":"{}"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"}"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})",
            });
        CHECK(arguments_of(r.events, 0) == "{");
        CHECK(stream.dropped_fragments() == 1);
    }

    TEST_CASE("a whole call in one chunk without index still gets start and arguments") {
        Run r = run_with(
            "gemini",
            {
                R"({"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"id":"","type":"function",
                "function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"id":"","type":"function",
                "function":{"name":"get_time","arguments":"{\"tz\":\"CET\"}"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})",
            });
        REQUIRE(r.events.size() == 10);
        CHECK(r.events[2].data["content_block"]["name"] == "get_weather");
        CHECK(r.events[2].data["content_block"]["id"].get<std::string>().rfind("toolu_", 0) == 0);
        CHECK(arguments_of(r.events, 0) == "{\"city\":\"Paris\"}");
        CHECK(r.events[5].data["content_block"]["name"] == "get_time");
        CHECK(arguments_of(r.events, 1) == "{\"tz\":\"CET\"}");
        CHECK(message_delta(r.events)["delta"]["stop_reason"] == "tool_use");
    }

    TEST_CASE("fragments without index and with the id only on the first go to one block") {
        Run r = run_with(
            "gemini",
            {
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"id":"call_x","function":{"name":"f","arguments":"{\"a\""}}]}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":":1}"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"id":"call_y","function":{"name":"g","arguments":"{}"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})",
            });
        CHECK(arguments_of(r.events, 0) == "{\"a\":1}");
        CHECK(arguments_of(r.events, 1) == "{}");
        CHECK(summary(r.events)[6] == "content_block_start 1 tool_use call_y g");
    }

    TEST_CASE("an id repeated on every fragment keeps one block") {
        Run r = run_with(
            "openai",
            {
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":"{"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"arguments":"}"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})",
            });
        CHECK(summary(r.events) ==
              Lines{"message_start", "ping", "content_block_start 0 tool_use call_1 f",
                    "content_block_delta 0 {", "content_block_delta 0 }", "content_block_stop 0",
                    "message_delta tool_use", "message_stop"});
    }

    TEST_CASE("a block starts only when the name arrives, with the arguments buffered so far") {
        StreamFromOpenAI stream("alias", "msg_1", profile_for("openai"), 0);
        std::string out;
        stream.on_chunk(
            json::parse(
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"arguments":"{\"a\""}}]}}]})"),
            out);
        CHECK(out.find("content_block_start") == std::string::npos);
        stream.on_chunk(
            json::parse(
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"f","arguments":":1}"}}]}}]})"),
            out);
        stream.on_done(out);
        auto events = parse_events(out);
        check_grammar(events);
        CHECK(summary(events) == Lines{"message_start", "ping",
                                       "content_block_start 0 tool_use call_1 f",
                                       "content_block_delta 0 {\"a\":1}", "content_block_stop 0",
                                       "message_delta tool_use", "message_stop"});
    }

    TEST_CASE("finish_reason stop after tool calls reports tool_use") {
        Run r = run_with(
            "ollama",
            {
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":{"a":1}}}]}}]})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})",
            });
        CHECK(message_delta(r.events)["delta"]["stop_reason"] == "tool_use");
        CHECK(arguments_of(r.events, 0) == "{\"a\":1}");
    }

    TEST_CASE("text after a tool call closes the tool block and opens a new text block") {
        Run r = run_with(
            "openai",
            {
                R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{}"}}]}}]})",
                R"({"choices":[{"index":0,"delta":{"content":"done"}}]})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})",
            });
        CHECK(summary(r.events)[4] == "content_block_stop 0");
        CHECK(summary(r.events)[5] == "content_block_start 1 text");
    }

    TEST_CASE("a mid-stream error object ends the stream with an error event") {
        StreamFromOpenAI stream("alias", "msg_1", profile_for("openrouter"), 0);
        Run r = run(stream,
                    {
                        R"({"choices":[{"index":0,"delta":{"content":"part"}}]})",
                        R"({"error":{"message":"overloaded","type":"server_error"}})",
                    },
                    false);
        std::string more;
        stream.on_chunk(json::parse(R"({"choices":[{"index":0,"delta":{"content":"late"}}]})"),
                        more);
        stream.on_done(more);
        stream.ping(more);
        CHECK(more.empty());
        check_grammar(r.events);
        CHECK(summary(r.events) == Lines{"message_start", "ping", "content_block_start 0 text",
                                         "content_block_delta 0 part",
                                         "error overloaded_error overloaded"});
        CHECK(stream.finished());
        CHECK(stream.failed());
        CHECK(stream.stop_reason().empty());
    }

    TEST_CASE("finish_reason error with an error object is an error event") {
        Run r = run_with(
            "openrouter",
            {
                R"({"choices":[{"index":0,"delta":{"content":"a"}}]})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"error","error":{"code":429,"message":"Rate limited"}}]})",
            });
        CHECK(summary(r.events).back() == "error rate_limit_error Rate limited");
    }

    TEST_CASE("an error as the first chunk is visible before anything is emitted") {
        const json chunk =
            json::parse(R"({"error":{"message":"Rate limit","type":"rate_limit_exceeded"}})");
        auto error = StreamFromOpenAI::chunk_error(chunk);
        REQUIRE(error.has_value());
        CHECK(error->status == 429);
        CHECK(error->type == "rate_limit_error");
        CHECK_FALSE(StreamFromOpenAI::chunk_error(
            json::parse(R"({"choices":[{"index":0,"delta":{"content":"x"}}]})")));
        StreamFromOpenAI stream("alias", "msg_1", profile_for("openai"), 0);
        std::string out;
        stream.on_chunk(chunk, out);
        CHECK_FALSE(stream.started());
        CHECK(out.rfind("event: error\n", 0) == 0);
    }

    TEST_CASE("EOF without finish is an error, unless the profile is lenient") {
        StreamFromOpenAI strict("alias", "msg_1", profile_for("openai"), 0);
        Run r = run(strict, {R"({"choices":[{"index":0,"delta":{"content":"a"}}]})"}, false);
        strict.on_eof(r.sse);
        CHECK(summary(parse_events(r.sse)).back() ==
              "error api_error upstream stream ended before completion");

        StreamFromOpenAI lenient("alias", "msg_1", profile_for("llamacpp"), 0);
        Run l = run(lenient, {R"({"choices":[{"index":0,"delta":{"content":"a"}}]})"}, false);
        lenient.on_eof(l.sse);
        auto events = parse_events(l.sse);
        check_grammar(events);
        CHECK(summary(events).back() == "message_stop");
        CHECK(lenient.stop_reason() == "end_turn");

        StreamFromOpenAI finished("alias", "msg_1", profile_for("openai"), 0);
        Run f = run(finished,
                    {R"({"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]})"},
                    false);
        finished.on_eof(f.sse);
        CHECK(summary(parse_events(f.sse)).back() == "message_stop");
    }

    TEST_CASE("on_done is idempotent and ping only sounds inside a stream") {
        StreamFromOpenAI stream("alias", "msg_1", profile_for("openai"), 0);
        std::string out;
        stream.ping(out);
        CHECK(out.empty());
        stream.begin(out);
        CHECK(stream.started());
        const size_t after_start = out.size();
        stream.ping(out);
        CHECK(out.substr(after_start) == "event: ping\ndata: {\"type\":\"ping\"}\n\n");
        stream.on_done(out);
        const size_t after_done = out.size();
        stream.on_done(out);
        stream.ping(out);
        CHECK(out.size() == after_done);
        check_grammar(parse_events(out));
    }

    TEST_CASE("a usage-only first chunk starts the message with the reported prompt") {
        Run r = run_with(
            "openai",
            {
                R"({"choices":[],"usage":{"prompt_tokens":30,"completion_tokens":0,"prompt_tokens_details":{"cached_tokens":10}}})",
                R"({"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}]})",
            });
        CHECK(r.events[0].data["message"]["usage"]["input_tokens"] == 20);
        CHECK(r.events[0].data["message"]["usage"]["cache_read_input_tokens"] == 10);
    }

    TEST_CASE("multi-byte UTF-8 text is passed through byte for byte") {
        Run r = run_with("openai",
                         {
                             R"({"choices":[{"index":0,"delta":{"content":"caf\u00e9 🙂"}}]})",
                             R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})",
                         });
        CHECK(r.events[3].data["delta"]["text"] == "caf\xC3\xA9 \xF0\x9F\x99\x82");
        CHECK(r.sse.find("caf\xC3\xA9 \xF0\x9F\x99\x82") != std::string::npos);
    }

    TEST_CASE("length, content_filter, refusal and a vLLM stop string map their stop reasons") {
        CHECK(
            message_delta(
                run_with(
                    "openai",
                    {R"({"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"length"}]})"})
                    .events)["delta"]["stop_reason"] == "max_tokens");
        CHECK(
            message_delta(
                run_with(
                    "openai",
                    {R"({"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"content_filter"}]})"})
                    .events)["delta"]["stop_reason"] == "refusal");
        Run refusal = run_with(
            "openai",
            {R"({"choices":[{"index":0,"delta":{"refusal":"I can't"},"finish_reason":"stop"}]})"});
        CHECK(summary(refusal.events)[3] == "content_block_delta 0 I can't");
        CHECK(message_delta(refusal.events)["delta"]["stop_reason"] == "refusal");
        json stop = message_delta(
            run_with(
                "vllm",
                {R"({"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop","stop_reason":"###"}]})"})
                .events);
        CHECK(stop["delta"]["stop_reason"] == "stop_sequence");
        CHECK(stop["delta"]["stop_sequence"] == "###");
    }

    TEST_CASE("tool ids and shortened names are mapped back for the client") {
        const std::string long_name(70, 'n');
        json request = {{"tools", json::array({{{"name", long_name}}})}};
        ToolNameMap names(request, profile_for("moonshot"));
        StreamFromOpenAI stream("alias", "msg_1", profile_for("moonshot"), 0, &names);
        json chunk = {
            {"choices",
             json::array(
                 {{{"index", 0},
                   {"delta",
                    {{"tool_calls", json::array({{{"index", 0},
                                                  {"id", "functions.Read:3"},
                                                  {"function",
                                                   {{"name", upstream_tool_name(long_name, 64)},
                                                    {"arguments", "{}"}}}}})}}}}})}};
        std::string out;
        stream.on_chunk(chunk, out);
        stream.on_done(out);
        auto events = parse_events(out);
        const json& block = events[2].data["content_block"];
        CHECK(block["name"] == long_name);
        CHECK(is_valid_client_tool_id(block["id"].get<std::string>()));
        CHECK(upstream_tool_id(block["id"].get<std::string>(), profile_for("moonshot")) ==
              "functions.Read:3");
    }

    TEST_CASE("choices other than the first are ignored") {
        Run r = run_with(
            "openai",
            {
                R"({"choices":[{"index":1,"delta":{"content":"other"}},{"index":0,"delta":{"content":"mine"}}]})",
                R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})",
            });
        CHECK(summary(r.events)[3] == "content_block_delta 0 mine");
        CHECK(r.sse.find("other") == std::string::npos);
    }
}
