#include "translate/message_events.hpp"

#include "http/sse.hpp"

namespace otari::translate {
namespace {

void emit(std::string& out, const char* event, const json& data) {
    http::append_sse(out, event, dump_json(data));
}

void emit_delta(std::string& out, size_t index, json delta) {
    emit(out, "content_block_delta",
         {{"type", "content_block_delta"}, {"index", index}, {"delta", std::move(delta)}});
}

}  // namespace

void message_to_events(const json& message, std::string& out) {
    json start = message;
    start["content"] = json::array();
    start["stop_reason"] = nullptr;
    start["stop_sequence"] = nullptr;
    json usage = message.value("usage", json::object());
    json start_usage = usage;
    start_usage["output_tokens"] = 0;
    start["usage"] = start_usage;
    emit(out, "message_start", {{"type", "message_start"}, {"message", std::move(start)}});

    size_t index = 0;
    for (const auto& block : message.value("content", json::array())) {
        const std::string type = block.value("type", "");
        json shell;
        if (type == "text") {
            shell = {{"type", "text"}, {"text", ""}};
        } else if (type == "thinking") {
            shell = {{"type", "thinking"}, {"thinking", ""}, {"signature", ""}};
        } else if (type == "tool_use") {
            shell = {{"type", "tool_use"},
                     {"id", block.value("id", "")},
                     {"name", block.value("name", "")},
                     {"input", json::object()}};
        } else {
            shell = block;
        }
        emit(out, "content_block_start",
             {{"type", "content_block_start"}, {"index", index}, {"content_block", shell}});
        if (type == "text" && !block.value("text", "").empty()) {
            emit_delta(out, index, {{"type", "text_delta"}, {"text", block["text"]}});
        } else if (type == "thinking") {
            if (!block.value("thinking", "").empty()) {
                emit_delta(out, index,
                           {{"type", "thinking_delta"}, {"thinking", block["thinking"]}});
            }
            if (!block.value("signature", "").empty()) {
                emit_delta(out, index,
                           {{"type", "signature_delta"}, {"signature", block["signature"]}});
            }
        } else if (type == "tool_use") {
            json input = block.value("input", json::object());
            emit_delta(out, index,
                       {{"type", "input_json_delta"}, {"partial_json", dump_json(input)}});
        }
        emit(out, "content_block_stop", {{"type", "content_block_stop"}, {"index", index}});
        ++index;
    }
    json final_usage = {{"output_tokens", usage.value("output_tokens", 0)}};
    for (const char* field :
         {"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"}) {
        if (usage.contains(field)) final_usage[field] = usage[field];
    }
    emit(out, "message_delta",
         {{"type", "message_delta"},
          {"delta",
           {{"stop_reason", message.value("stop_reason", json("end_turn"))},
            {"stop_sequence", message.value("stop_sequence", json(nullptr))}}},
          {"usage", std::move(final_usage)}});
    emit(out, "message_stop", {{"type", "message_stop"}});
}

}  // namespace otari::translate
