#pragma once
// Anthropic Messages SSE events -> OpenAI `chat.completion.chunk` SSE (spec §5.3). A pure
// state machine: the caller parses upstream SSE into (event name, data JSON) and writes `out`.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "translate/common.hpp"
#include "util/json.hpp"

namespace otari::translate {

class StreamFromAnthropic {
  public:
    // `client_model` is echoed as `model`, `completion_id` as every chunk's `id` (e.g.
    // "chatcmpl-..."). `include_usage` is the client's stream_options.include_usage: when true,
    // every chunk carries "usage":null and a last chunk with empty choices carries the usage.
    // `created` is the chunks' timestamp (0: now).
    StreamFromAnthropic(std::string client_model, std::string completion_id, bool include_usage,
                        int64_t created = 0);

    // Appends zero or more complete `data: {...}\n\n` lines to `out` for one upstream event:
    //   message_start        -> the first chunk, delta {role:"assistant", content:""}
    //   content_block_start  -> tool_use: delta.tool_calls [{index t, id, type, function {name,
    //                           arguments:""}}] where t counts tool blocks (0, 1, ...), not
    //                           content blocks; redacted_thinking: delta.thinking_blocks; else
    //                           nothing
    //   text_delta           -> delta.content
    //   thinking_delta       -> delta.reasoning_content
    //   signature_delta      -> delta.thinking_blocks [{type:"thinking", signature}]
    //   input_json_delta     -> delta.tool_calls [{index t, function {arguments: fragment}}]
    //   content_block_stop   -> for a tool block that got no arguments: arguments "{}"
    //   message_delta        -> a chunk with finish_reason (openai_finish_reason)
    //   message_stop         -> the usage chunk when include_usage, then `data: [DONE]`
    //   error                -> the error form (on_upstream_error with the event's type)
    //   ping, unknown events -> nothing
    // Events after the stream finished are ignored. A content event before message_start gets
    // the role chunk first.
    void on_event(std::string_view event_name, const json& data, std::string& out);

    // Ends the stream with `data: {"error":{...}}\n\n` (openai_error_body; status from the
    // Anthropic type, overloaded_error -> 503) and no [DONE]. Nothing is written afterwards.
    void on_upstream_error(const std::string& message, std::string& out,
                           const std::string& anthropic_type = "api_error");

    // The upstream ended. Without message_stop this is the error form ("upstream stream ended
    // before completion"), never a clean [DONE]. A caller that has not sent anything yet
    // (!started()) should answer an HTTP 502 instead.
    void on_eof(std::string& out);

    // Ended: [DONE] or the error form was written.
    bool finished() const { return m_finished; }
    // Ended with the error form.
    bool failed() const { return m_failed; }
    // The first chunk was written.
    bool started() const { return m_started; }
    // Anthropic convention: input and cache from message_start, updated by message_delta.
    TokenUsage usage() const { return m_usage; }
    // Anthropic's stop_reason from message_delta ("" before it).
    std::string stop_reason() const { return m_stop_reason; }
    // Bytes of generated text, reasoning and tool arguments forwarded so far (to estimate output
    // tokens when the upstream never reported them).
    size_t streamed_text_bytes() const { return m_streamed_bytes; }

  private:
    struct Block {
        std::string type;
        int tool_index = -1;  // for tool_use blocks
        bool got_arguments = false;
    };

    void start(std::string& out);
    void on_message_start(const json& data, std::string& out);
    void on_block_start(const json& data, std::string& out);
    void on_block_delta(const json& data, std::string& out);
    void on_block_stop(const json& data, std::string& out);
    void on_message_delta(const json& data, std::string& out);
    void on_message_stop(std::string& out);
    void emit_delta(json delta, std::string& out, const char* finish_reason = nullptr);
    void emit_chunk(json choices, std::string& out, json usage);
    void emit_tool_arguments(const Block& block, std::string arguments, std::string& out);

    std::string m_model;
    std::string m_id;
    bool m_include_usage;
    int64_t m_created;

    bool m_started = false;
    bool m_finished = false;
    bool m_failed = false;
    bool m_finish_sent = false;
    int m_tool_count = 0;
    std::map<int64_t, Block> m_blocks;  // by Anthropic content block index
    TokenUsage m_usage;
    std::string m_stop_reason;
    size_t m_streamed_bytes = 0;
};

}  // namespace otari::translate
