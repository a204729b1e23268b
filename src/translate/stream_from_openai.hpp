#pragma once
// OpenAI Chat Completions stream chunks -> Anthropic Messages SSE events (spec §3), as a pure
// state machine: the caller parses upstream SSE and feeds each JSON chunk; complete Anthropic
// events are appended to `out` as soon as they are known.
//
// Grammar produced: message_start, ping, then blocks with consecutive indexes from 0
// (content_block_start, deltas of the block's own type, content_block_stop; at most one block
// open at a time), then message_delta (stop_reason, stop_sequence, cumulative usage) and
// message_stop; or, on failure, an `error` event and nothing after it.
//
// Decisions (spec §3.5): empty strings open no block (a role-only first chunk opens nothing);
// reasoning goes to a thinking block started with signature "" (so no signature_delta);
// within one chunk reasoning comes before text before tool calls. Tool calls are keyed by
// `index` (a call without index continues the current one unless it brings a new id or a
// second name); a tool block starts once its name is known, with the arguments buffered so
// far as its first input_json_delta. With profile.sequential_tool_streams a fragment of
// another call closes the current tool block; otherwise later calls are buffered and emitted
// whole at the end. A fragment for a call whose block is closed is dropped (never a delta
// after a stop). finish_reason and usage are recorded and acted on at on_done(), since usage
// usually follows the finish chunk.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "translate/common.hpp"
#include "translate/profile.hpp"
#include "translate/text_chunk.hpp"
#include "translate/tool_ids.hpp"
#include "util/json.hpp"

namespace otari::translate {

class StreamFromOpenAI {
  public:
    // `message_id` is used verbatim in message_start. `estimated_input_tokens` is reported in
    // message_start (and at the end) until the upstream reports usage. `names` (optional, must
    // outlive this object) maps shortened tool names back.
    StreamFromOpenAI(std::string client_model, std::string message_id, const Profile& profile,
                     int64_t estimated_input_tokens, const ToolNameMap* names = nullptr);

    // One parsed `data:` JSON chunk. An error chunk (an `error` member, finish_reason "error"
    // or "insufficient_system_resource") ends the stream with an error event; callers that
    // have not committed the HTTP status yet can test chunk_error() first instead.
    void on_chunk(const json& chunk, std::string& out);
    // The same as on_chunk() with the parsed chunk, for a chunk read_text_chunk() accepted.
    void on_text_chunk(const TextChunk& chunk, std::string& out);
    // `data: [DONE]`, or a clean EOF the caller treats as complete. Closes open blocks, emits
    // buffered tool calls, message_delta and message_stop. Idempotent; nothing after an error.
    // Before any chunk it emits a complete empty message (callers wanting a 502 for an empty
    // stream check started() first).
    void on_done(std::string& out);
    // A clean EOF without [DONE]: on_done() when a finish_reason was seen or the profile is
    // lenient_eof, else an api_error event "upstream stream ended before completion".
    void on_eof(std::string& out);
    // Emits a final `event: error` frame; nothing is emitted after it.
    void on_upstream_error(const std::string& type, const std::string& message, std::string& out);
    // `event: ping`, only between message_start and the end.
    void ping(std::string& out);
    // Emits message_start (+ ping) now if not yet done, e.g. to commit a slow stream early.
    void begin(std::string& out);

    bool started() const { return m_started; }
    bool finished() const { return m_finished; }
    bool failed() const { return m_failed; }
    // The upstream's usage when reported; else the input estimate and output estimated from
    // streamed bytes (reported = false).
    TokenUsage usage() const;
    // Set by on_done(); empty before and after an error.
    std::string stop_reason() const { return m_stop_reason; }
    // Bytes of text, thinking and tool-argument deltas emitted so far.
    size_t streamed_text_bytes() const { return m_streamed_bytes; }
    // Fragments dropped because their tool block was already closed.
    size_t dropped_fragments() const { return m_dropped_fragments; }

    // The error a chunk reports, if any (see on_chunk).
    static std::optional<MappedError> chunk_error(const json& chunk);

  private:
    enum class OpenKind { none, text, thinking };
    struct ToolSlot {
        int64_t key = 0;  // the upstream's index (or a synthetic one)
        std::string id, name, pending_args;
        int block = -1;
        bool started = false;
        bool closed = false;
    };

    void on_thinking_text(const std::string& text, std::string& out);
    void on_text(const std::string& text, std::string& out);
    void ensure_block(OpenKind kind, std::string& out);
    void close_open_block(std::string& out);
    void close_current_tool(std::string& out);
    void on_tool_fragment(const json& fragment, std::string& out);
    size_t resolve_slot(const json& fragment);
    void start_tool(ToolSlot& slot, std::string& out);
    void emit_delta(int index, std::string_view delta_type, std::string_view field,
                    const std::string& text, std::string& out);

    std::string m_model;
    std::string m_message_id;
    const Profile& m_profile;
    const ToolNameMap* m_names;
    int64_t m_estimated_input;

    bool m_started = false;
    bool m_finished = false;
    bool m_failed = false;
    int m_next_index = 0;
    OpenKind m_open = OpenKind::none;
    int m_open_index = -1;
    std::vector<ToolSlot> m_tools;  // in first-seen order
    int64_t m_current_tool = -1;    // position in m_tools of the live tool call
    bool m_tool_emitted = false;
    bool m_refused = false;
    json m_finish_reason;  // null until seen
    std::optional<std::string> m_matched_stop;
    TokenUsage m_usage;
    std::string m_stop_reason;
    size_t m_streamed_bytes = 0;
    size_t m_dropped_fragments = 0;
};

}  // namespace otari::translate
