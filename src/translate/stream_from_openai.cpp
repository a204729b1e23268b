#include "translate/stream_from_openai.hpp"

#include <charconv>

#include "translate/openai_answer.hpp"
#include "translate/openai_errors.hpp"

namespace otari::translate {
namespace {

void append_event(std::string& out, std::string_view name, std::string_view data) {
    out.reserve(out.size() + name.size() + data.size() + 16);
    out += "event: ";
    out += name;
    out += "\ndata: ";
    out += data;
    out += "\n\n";
}

const std::string& string_or_empty(const json& value) {
    static const std::string empty;
    return value.is_string() ? value.get_ref<const std::string&>() : empty;
}

// choices[] entry for choice 0 (entries for n > 1 are ignored), or null.
const json& first_choice(const json& chunk) {
    static const json null_value;
    const json& choices = member(chunk, "choices");
    if (!choices.is_array()) return null_value;
    for (const auto& choice : choices) {
        if (!choice.is_object()) continue;
        const json& index = member(choice, "index");
        if (index.is_null() || index == 0) return choice;
    }
    return null_value;
}

void append_usage_json(std::string& out, const TokenUsage& usage) {
    auto number = [&out](std::string_view name, int64_t value) {
        out += name;
        char buf[24];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
        out.append(buf, size_t(end - buf));
    };
    number("{\"input_tokens\":", usage.input_tokens);
    number(",\"cache_creation_input_tokens\":", usage.cache_write_tokens);
    number(",\"cache_read_input_tokens\":", usage.cache_read_tokens);
    number(",\"output_tokens\":", usage.output_tokens);
    out += '}';
}

}  // namespace

StreamFromOpenAI::StreamFromOpenAI(std::string client_model, std::string message_id,
                                   const Profile& profile, int64_t estimated_input_tokens,
                                   const ToolNameMap* names)
    : m_model(std::move(client_model)),
      m_message_id(std::move(message_id)),
      m_profile(profile),
      m_names(names),
      m_estimated_input(estimated_input_tokens < 0 ? 0 : estimated_input_tokens) {}

std::optional<MappedError> StreamFromOpenAI::chunk_error(const json& chunk) {
    const json& error = member(chunk, "error");
    if (!error.is_null()) return error_from_openai_object(error);
    const json& choice = first_choice(chunk);
    const json& finish = member(choice, "finish_reason");
    // Compared as text: json == "literal" would build (and allocate) a json string per chunk.
    return finish_reason_error(string_or_empty(finish), member(choice, "error"));
}

void StreamFromOpenAI::begin(std::string& out) {
    if (m_started || m_finished) return;
    m_started = true;
    TokenUsage initial = m_usage.reported ? m_usage : TokenUsage{};
    if (!m_usage.reported) initial.input_tokens = m_estimated_input;
    initial.output_tokens = 0;
    std::string data =
        "{\"type\":\"message_start\",\"message\":{\"id\":" + json_quote(m_message_id);
    data += ",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + json_quote(m_model);
    data += ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":";
    append_usage_json(data, initial);
    data += "}}";
    append_event(out, "message_start", data);
    append_event(out, "ping", R"({"type":"ping"})");
}

void StreamFromOpenAI::ping(std::string& out) {
    if (m_started && !m_finished) append_event(out, "ping", R"({"type":"ping"})");
}

void StreamFromOpenAI::on_chunk(const json& chunk, std::string& out) {
    if (m_finished || !chunk.is_object()) return;
    if (auto error = chunk_error(chunk)) {
        on_upstream_error(error->type, error->message, out);
        return;
    }
    if (const json& usage = member(chunk, "usage"); usage.is_object()) {
        m_usage = usage_from_openai(usage);
    }
    begin(out);
    const json& choice = first_choice(chunk);
    if (choice.is_null()) return;
    const json& delta = member(choice, "delta");
    if (delta.is_object()) {
        on_thinking_text(reasoning_text(delta), out);
        const json& content = member(delta, "content");
        if (content.is_string()) {
            on_text(content.get_ref<const std::string&>(), out);
        } else if (content.is_array()) {
            on_text(content_text(content), out);
        }
        if (const std::string& refusal = string_or_empty(member(delta, "refusal"));
            !refusal.empty()) {
            m_refused = true;
            on_text(refusal, out);
        }
        if (const json& calls = member(delta, "tool_calls"); calls.is_array()) {
            for (const auto& fragment : calls) {
                if (fragment.is_object()) on_tool_fragment(fragment, out);
            }
        } else if (const json& legacy = member(delta, "function_call"); legacy.is_object()) {
            on_tool_fragment(json{{"index", 0}, {"function", legacy}}, out);
        }
    }
    if (auto matched = matched_stop_string(choice, m_profile)) m_matched_stop = std::move(matched);
    if (const json& finish = member(choice, "finish_reason"); !finish.is_null()) {
        m_finish_reason = finish;
    }
}

void StreamFromOpenAI::on_text_chunk(const TextChunk& chunk, std::string& out) {
    if (m_finished) return;
    begin(out);
    if (!chunk.has_choice) return;
    // reasoning_text()'s order: reasoning_content, then reasoning.
    on_thinking_text(chunk.reasoning_content.empty() ? chunk.reasoning : chunk.reasoning_content,
                     out);
    on_text(chunk.content, out);
    if (!chunk.finish_reason.empty()) m_finish_reason = chunk.finish_reason;
}

void StreamFromOpenAI::on_thinking_text(const std::string& text, std::string& out) {
    if (text.empty()) return;
    ensure_block(OpenKind::thinking, out);
    emit_delta(m_open_index, "thinking_delta", "thinking", text, out);
}

void StreamFromOpenAI::on_text(const std::string& text, std::string& out) {
    if (text.empty()) return;
    ensure_block(OpenKind::text, out);
    emit_delta(m_open_index, "text_delta", "text", text, out);
}

void StreamFromOpenAI::ensure_block(OpenKind kind, std::string& out) {
    if (m_open == kind) return;
    close_open_block(out);
    close_current_tool(out);
    m_open = kind;
    m_open_index = m_next_index++;
    const std::string index = std::to_string(m_open_index);
    if (kind == OpenKind::text) {
        append_event(out, "content_block_start",
                     R"({"type":"content_block_start","index":)" + index +
                         R"(,"content_block":{"type":"text","text":""}})");
    } else {
        append_event(out, "content_block_start",
                     R"({"type":"content_block_start","index":)" + index +
                         R"(,"content_block":{"type":"thinking","thinking":"","signature":""}})");
    }
}

void StreamFromOpenAI::close_open_block(std::string& out) {
    if (m_open == OpenKind::none) return;
    append_event(out, "content_block_stop",
                 R"({"type":"content_block_stop","index":)" + std::to_string(m_open_index) + "}");
    m_open = OpenKind::none;
    m_open_index = -1;
}

void StreamFromOpenAI::close_current_tool(std::string& out) {
    if (m_current_tool < 0) return;
    ToolSlot& slot = m_tools[static_cast<size_t>(m_current_tool)];
    if (slot.started && !slot.closed) {
        append_event(out, "content_block_stop",
                     R"({"type":"content_block_stop","index":)" + std::to_string(slot.block) + "}");
        slot.closed = true;
    }
    m_current_tool = -1;
}

size_t StreamFromOpenAI::resolve_slot(const json& fragment) {
    const json& index = member(fragment, "index");
    const std::string& id = string_or_empty(member(fragment, "id"));
    const std::string& name = string_or_empty(member(member(fragment, "function"), "name"));
    int64_t next_key = 0;
    for (const auto& slot : m_tools) next_key = std::max(next_key, slot.key + 1);

    if (index.is_number_integer()) {
        const int64_t key = index.get<int64_t>();
        for (size_t i = 0; i < m_tools.size(); ++i) {
            if (m_tools[i].key == key) return i;
        }
        m_tools.push_back(ToolSlot{key, {}, {}, {}, -1, false, false});
        return m_tools.size() - 1;
    }
    // No index (Gemini-style): an id names its call; otherwise the current call continues,
    // unless the fragment announces a second name.
    if (!id.empty()) {
        for (size_t i = 0; i < m_tools.size(); ++i) {
            if (m_tools[i].id == id) return i;
        }
    }
    int64_t latest =
        m_current_tool >= 0 ? m_current_tool : static_cast<int64_t>(m_tools.size()) - 1;
    if (latest >= 0) {
        const ToolSlot& current = m_tools[static_cast<size_t>(latest)];
        const bool new_id = !id.empty() && !current.id.empty();
        const bool new_name = id.empty() && !name.empty() && !current.name.empty();
        if (!new_id && !new_name && !current.closed) return static_cast<size_t>(latest);
    }
    m_tools.push_back(ToolSlot{next_key, {}, {}, {}, -1, false, false});
    return m_tools.size() - 1;
}

void StreamFromOpenAI::on_tool_fragment(const json& fragment, std::string& out) {
    const size_t position = resolve_slot(fragment);
    const json& function = member(fragment, "function");
    {
        ToolSlot& slot = m_tools[position];
        if (const std::string& id = string_or_empty(member(fragment, "id"));
            slot.id.empty() && !id.empty()) {
            slot.id = id;
        }
        if (const std::string& name = string_or_empty(member(function, "name"));
            slot.name.empty() && !name.empty()) {
            slot.name = name;
        }
    }
    const json& raw_args = member(function, "arguments");
    const std::string args = raw_args.is_string() ? raw_args.get<std::string>()
                             : raw_args.is_null() ? std::string()
                                                  : dump_json(raw_args);
    if (m_tools[position].closed) {
        if (!args.empty()) ++m_dropped_fragments;
        return;
    }
    const auto pos = static_cast<int64_t>(position);
    if (m_current_tool != pos) {
        if (m_profile.sequential_tool_streams) {
            close_current_tool(out);
            m_current_tool = pos;
        } else if (m_current_tool < 0 && !m_tools[position].started) {
            m_current_tool = pos;
        } else {
            m_tools[position].pending_args += args;  // emitted whole at on_done()
            return;
        }
    }
    ToolSlot& slot = m_tools[position];
    if (!slot.started) {
        slot.pending_args += args;
        if (!slot.name.empty()) start_tool(slot, out);
    } else if (!args.empty()) {
        emit_delta(slot.block, "input_json_delta", "partial_json", args, out);
    }
}

void StreamFromOpenAI::start_tool(ToolSlot& slot, std::string& out) {
    close_open_block(out);
    slot.block = m_next_index++;
    slot.started = true;
    m_tool_emitted = true;
    const std::string name = m_names ? m_names->to_client(slot.name) : slot.name;
    append_event(out, "content_block_start",
                 R"({"type":"content_block_start","index":)" + std::to_string(slot.block) +
                     R"(,"content_block":{"type":"tool_use","id":)" +
                     json_quote(client_tool_id(slot.id)) + R"(,"name":)" + json_quote(name) +
                     R"(,"input":{}}})");
    if (!slot.pending_args.empty()) {
        emit_delta(slot.block, "input_json_delta", "partial_json", slot.pending_args, out);
        slot.pending_args.clear();
        slot.pending_args.shrink_to_fit();
    }
}

void StreamFromOpenAI::emit_delta(int index, std::string_view delta_type, std::string_view field,
                                  const std::string& text, std::string& out) {
    // The most frequent event of a stream: appends of known length (each `+=` of a C string
    // measured it first).
    constexpr std::string_view head =
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":";
    constexpr std::string_view delta_open = ",\"delta\":{\"type\":\"";
    constexpr std::string_view tail = "}}\n\n";
    char digits[16];
    const auto [digits_end, ec] = std::to_chars(digits, digits + sizeof digits, index);
    const std::string_view index_text(digits, ec == std::errc() ? size_t(digits_end - digits) : 0);
    out.append(head).append(index_text).append(delta_open).append(delta_type);
    out.append("\",\"").append(field).append("\":");
    append_json_string(out, text);
    out.append(tail);
    m_streamed_bytes += text.size();
}

void StreamFromOpenAI::on_done(std::string& out) {
    if (m_finished) return;
    begin(out);
    close_open_block(out);
    close_current_tool(out);
    for (auto& slot : m_tools) {
        if (slot.started || slot.closed) continue;
        if (slot.name.empty()) {  // a call that never got a name cannot be run
            if (!slot.pending_args.empty()) ++m_dropped_fragments;
            continue;
        }
        start_tool(slot, out);
        append_event(out, "content_block_stop",
                     R"({"type":"content_block_stop","index":)" + std::to_string(slot.block) + "}");
        slot.closed = true;
    }
    m_stop_reason = m_refused ? "refusal"
                              : stop_reason_from_openai(m_finish_reason, m_tool_emitted,
                                                        m_matched_stop.has_value());
    std::string data = R"({"type":"message_delta","delta":{"stop_reason":)";
    append_json_string(data, m_stop_reason);
    data += R"(,"stop_sequence":)";
    if (m_stop_reason == "stop_sequence" && m_matched_stop) {
        append_json_string(data, *m_matched_stop);
    } else {
        data += "null";
    }
    data += R"(},"usage":)";
    append_usage_json(data, usage());
    data += '}';
    append_event(out, "message_delta", data);
    append_event(out, "message_stop", R"({"type":"message_stop"})");
    m_finished = true;
}

void StreamFromOpenAI::on_eof(std::string& out) {
    if (m_finished) return;
    if (!m_finish_reason.is_null() || m_profile.lenient_eof) {
        on_done(out);
    } else {
        on_upstream_error("api_error", "upstream stream ended before completion", out);
    }
}

void StreamFromOpenAI::on_upstream_error(const std::string& type, const std::string& message,
                                         std::string& out) {
    if (m_finished) return;
    out += anthropic_error_event(type, message);
    m_finished = true;
    m_failed = true;
    m_stop_reason.clear();
}

TokenUsage StreamFromOpenAI::usage() const {
    if (m_usage.reported) return m_usage;
    TokenUsage estimate;
    estimate.input_tokens = m_estimated_input;
    estimate.output_tokens = tokens_from_bytes(m_streamed_bytes);
    return estimate;
}

}  // namespace otari::translate
