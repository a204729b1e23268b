#include "translate/stream_from_anthropic.hpp"

#include "translate/anthropic_errors.hpp"
#include "translate/response_from_anthropic.hpp"

namespace otari::translate {
namespace {

// The string member `key`, or "" when absent or not a string.
const std::string& text_member(const json& object, std::string_view key) {
    static const std::string k_empty;
    const json& value = member(object, key);
    return value.is_string() ? value.get_ref<const std::string&>() : k_empty;
}

void append_data_line(std::string& out, std::string_view payload) {
    out.append("data: ");
    out.append(payload);
    out.append("\n\n");
}

}  // namespace

StreamFromAnthropic::StreamFromAnthropic(std::string client_model, std::string completion_id,
                                         bool include_usage, int64_t created)
    : m_model(std::move(client_model)),
      m_id(std::move(completion_id)),
      m_include_usage(include_usage),
      m_created(created != 0 ? created : unix_time_now()) {}

void StreamFromAnthropic::on_event(std::string_view event_name, const json& data,
                                   std::string& out) {
    if (m_finished) return;
    if (event_name == "message_start") {
        on_message_start(data, out);
    } else if (event_name == "content_block_start") {
        on_block_start(data, out);
    } else if (event_name == "content_block_delta") {
        on_block_delta(data, out);
    } else if (event_name == "content_block_stop") {
        on_block_stop(data, out);
    } else if (event_name == "message_delta") {
        on_message_delta(data, out);
    } else if (event_name == "message_stop") {
        on_message_stop(out);
    } else if (event_name == "error") {
        const json& error = member(data, "error");
        std::string type = text_member(error, "type");
        std::string message = text_member(error, "message");
        on_upstream_error(message.empty() ? "upstream stream failed" : message, out,
                          type.empty() ? "api_error" : type);
    }
    // ping and unknown events: nothing.
}

void StreamFromAnthropic::on_upstream_error(const std::string& message, std::string& out,
                                            const std::string& anthropic_type) {
    if (m_finished) return;
    int status =
        openai_status_for_anthropic_status(anthropic_status_for_error_type(anthropic_type));
    append_data_line(out, openai_error_body(status, anthropic_type, message));
    m_finished = true;
    m_failed = true;
}

void StreamFromAnthropic::on_eof(std::string& out) {
    if (m_finished) return;
    on_upstream_error("upstream stream ended before completion", out, "api_error");
}

void StreamFromAnthropic::start(std::string& out) {
    if (m_started) return;
    m_started = true;
    emit_delta(json{{"role", "assistant"}, {"content", ""}}, out);
}

void StreamFromAnthropic::on_message_start(const json& data, std::string& out) {
    if (m_started) return;  // a repeated message_start adds nothing
    merge_anthropic_usage(member(member(data, "message"), "usage"), m_usage);
    start(out);
}

void StreamFromAnthropic::on_block_start(const json& data, std::string& out) {
    start(out);
    const json& index = member(data, "index");
    const json& content_block = member(data, "content_block");
    if (!index.is_number_integer()) return;
    Block& block = m_blocks[index.get<int64_t>()];
    block.type = text_member(content_block, "type");

    if (block.type == "text") {
        const std::string& text = text_member(content_block, "text");
        if (!text.empty()) {
            m_streamed_bytes += text.size();
            emit_delta(json{{"content", text}}, out);
        }
    } else if (block.type == "thinking") {
        const std::string& thinking = text_member(content_block, "thinking");
        if (!thinking.empty()) {
            m_streamed_bytes += thinking.size();
            emit_delta(json{{"reasoning_content", thinking}}, out);
        }
    } else if (block.type == "redacted_thinking") {
        json thinking_block = {{"type", "redacted_thinking"},
                               {"data", text_member(content_block, "data")}};
        emit_delta(json{{"thinking_blocks", json::array({std::move(thinking_block)})}}, out);
    } else if (block.type == "tool_use") {
        block.tool_index = m_tool_count++;
        // Anthropic starts with input {}; a server that sends the whole input here is honoured.
        const json& input = member(content_block, "input");
        std::string arguments;
        if (input.is_object() && !input.empty()) {
            arguments = dump_json(input);
            block.got_arguments = true;
            m_streamed_bytes += arguments.size();
        }
        json call = {
            {"index", block.tool_index},
            {"id", text_member(content_block, "id")},
            {"type", "function"},
            {"function",
             {{"name", text_member(content_block, "name")}, {"arguments", std::move(arguments)}}}};
        emit_delta(json{{"tool_calls", json::array({std::move(call)})}}, out);
    }
    // server_tool_use and server-tool results run upstream: nothing for the client.
}

void StreamFromAnthropic::on_block_delta(const json& data, std::string& out) {
    start(out);
    const json& delta = member(data, "delta");
    const std::string& type = text_member(delta, "type");
    const json& index = member(data, "index");
    auto block = index.is_number_integer() ? m_blocks.find(index.get<int64_t>()) : m_blocks.end();

    if (type == "text_delta") {
        const std::string& text = text_member(delta, "text");
        if (text.empty()) return;
        m_streamed_bytes += text.size();
        emit_delta(json{{"content", text}}, out);
    } else if (type == "thinking_delta") {
        const std::string& thinking = text_member(delta, "thinking");
        if (thinking.empty()) return;
        m_streamed_bytes += thinking.size();
        emit_delta(json{{"reasoning_content", thinking}}, out);
    } else if (type == "signature_delta") {
        const std::string& signature = text_member(delta, "signature");
        if (signature.empty()) return;
        json thinking_block = {{"type", "thinking"}, {"signature", signature}};
        emit_delta(json{{"thinking_blocks", json::array({std::move(thinking_block)})}}, out);
    } else if (type == "input_json_delta") {
        // Only for a started tool_use block: without it there is no tool index, id or name.
        if (block == m_blocks.end() || block->second.type != "tool_use") return;
        const std::string& fragment = text_member(delta, "partial_json");
        if (fragment.empty()) return;
        block->second.got_arguments = true;
        emit_tool_arguments(block->second, fragment, out);
    }
    // citations_delta and unknown deltas: nothing.
}

void StreamFromAnthropic::on_block_stop(const json& data, std::string& out) {
    const json& index = member(data, "index");
    if (!index.is_number_integer()) return;
    auto block = m_blocks.find(index.get<int64_t>());
    if (block == m_blocks.end()) return;
    // OpenAI clients JSON.parse the accumulated arguments: "" would not parse.
    if (block->second.type == "tool_use" && !block->second.got_arguments) {
        block->second.got_arguments = true;
        emit_tool_arguments(block->second, "{}", out);
    }
}

void StreamFromAnthropic::on_message_delta(const json& data, std::string& out) {
    start(out);
    merge_anthropic_usage(member(data, "usage"), m_usage);
    const std::string& stop_reason = text_member(member(data, "delta"), "stop_reason");
    if (stop_reason.empty()) return;
    m_stop_reason = stop_reason;
    if (m_finish_sent) return;
    m_finish_sent = true;
    std::string finish_reason = openai_finish_reason(stop_reason);
    emit_delta(json::object(), out, finish_reason.c_str());
}

void StreamFromAnthropic::on_message_stop(std::string& out) {
    start(out);
    if (!m_finish_sent) {
        m_finish_sent = true;
        std::string finish_reason = openai_finish_reason(m_stop_reason);
        emit_delta(json::object(), out, finish_reason.c_str());
    }
    if (m_include_usage) emit_chunk(json::array(), out, openai_usage_json(m_usage));
    append_data_line(out, "[DONE]");
    m_finished = true;
}

void StreamFromAnthropic::emit_tool_arguments(const Block& block, std::string arguments,
                                              std::string& out) {
    m_streamed_bytes += arguments.size();
    json call = {{"index", block.tool_index}, {"function", {{"arguments", std::move(arguments)}}}};
    emit_delta(json{{"tool_calls", json::array({std::move(call)})}}, out);
}

void StreamFromAnthropic::emit_delta(json delta, std::string& out, const char* finish_reason) {
    json choice = {{"index", 0},
                   {"delta", std::move(delta)},
                   {"logprobs", nullptr},
                   {"finish_reason", finish_reason ? json(finish_reason) : json(nullptr)}};
    emit_chunk(json::array({std::move(choice)}), out, nullptr);
}

void StreamFromAnthropic::emit_chunk(json choices, std::string& out, json usage) {
    json chunk = {{"id", m_id},
                  {"object", "chat.completion.chunk"},
                  {"created", m_created},
                  {"model", m_model},
                  {"choices", std::move(choices)}};
    if (m_include_usage) chunk["usage"] = std::move(usage);
    append_data_line(out, dump_json(chunk));
}

}  // namespace otari::translate
