#include "translate/response_from_anthropic.hpp"

#include <algorithm>
#include <chrono>

namespace otari::translate {
namespace {

bool is_string_member(const json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string();
}

json tool_call_json(const json& block) {
    if (!is_string_member(block, "id") || !is_string_member(block, "name")) {
        throw UpstreamFormatError("upstream tool_use block without id or name");
    }
    auto input = block.find("input");
    std::string arguments = input == block.end() || input->is_null() ? "{}" : dump_json(*input);
    return json{{"id", block["id"]},
                {"type", "function"},
                {"function", {{"name", block["name"]}, {"arguments", std::move(arguments)}}}};
}

}  // namespace

int64_t unix_time_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string openai_finish_reason(std::string_view anthropic_stop_reason) {
    if (anthropic_stop_reason == "max_tokens" ||
        anthropic_stop_reason == "model_context_window_exceeded") {
        return "length";
    }
    if (anthropic_stop_reason == "tool_use") return "tool_calls";
    if (anthropic_stop_reason == "refusal") return "content_filter";
    return "stop";
}

size_t generated_bytes_of_message(const json& message) {
    const json& content = member(message, "content");
    if (!content.is_array()) return 0;
    size_t bytes = 0;
    for (const auto& block : content) {
        for (const char* field : {"text", "thinking"}) {
            if (const json& text = member(block, field); text.is_string())
                bytes += text.get_ref<const std::string&>().size();
        }
        if (const json& input = member(block, "input"); !input.is_null())
            bytes += dump_json(input).size();
    }
    return bytes;
}

void merge_anthropic_usage(const json& anthropic_usage, TokenUsage& usage) {
    if (!anthropic_usage.is_object()) return;
    auto take = [&](const char* key, int64_t& field) {
        auto it = anthropic_usage.find(key);
        if (it == anthropic_usage.end() || !it->is_number_integer()) return;
        field = std::max<int64_t>(0, it->get<int64_t>());
        usage.reported = true;
    };
    take("input_tokens", usage.input_tokens);
    take("output_tokens", usage.output_tokens);
    take("cache_read_input_tokens", usage.cache_read_tokens);
    take("cache_creation_input_tokens", usage.cache_write_tokens);
}

json openai_usage_json(const TokenUsage& usage) {
    int64_t prompt = usage.input_tokens + usage.cache_read_tokens + usage.cache_write_tokens;
    return json{{"prompt_tokens", prompt},
                {"completion_tokens", usage.output_tokens},
                {"total_tokens", prompt + usage.output_tokens},
                {"prompt_tokens_details", {{"cached_tokens", usage.cache_read_tokens}}}};
}

json response_from_anthropic(const json& message, const std::string& client_model,
                             std::optional<int64_t> created) {
    if (!message.is_object() || !message.contains("content") || !message["content"].is_array()) {
        throw UpstreamFormatError("upstream response has no content array");
    }
    std::string text, reasoning;
    bool has_text = false;
    json tool_calls = json::array();
    json thinking_blocks = json::array();
    for (const json& block : message["content"]) {
        if (!block.is_object() || !is_string_member(block, "type")) continue;
        const std::string& type = block["type"].get_ref<const std::string&>();
        if (type == "text" && is_string_member(block, "text")) {
            text += block["text"].get_ref<const std::string&>();
            has_text = true;
        } else if (type == "tool_use") {
            tool_calls.push_back(tool_call_json(block));
        } else if (type == "thinking" && is_string_member(block, "thinking")) {
            reasoning += block["thinking"].get_ref<const std::string&>();
            if (is_string_member(block, "signature") &&
                !block["signature"].get_ref<const std::string&>().empty()) {
                thinking_blocks.push_back(json{{"type", "thinking"},
                                               {"thinking", block["thinking"]},
                                               {"signature", block["signature"]}});
            }
        } else if (type == "redacted_thinking" && is_string_member(block, "data")) {
            thinking_blocks.push_back(json{{"type", "redacted_thinking"}, {"data", block["data"]}});
        }
    }

    json out_message = object_with_room(4);
    out_message["role"] = "assistant";
    out_message["content"] = has_text ? json(std::move(text)) : json(nullptr);
    if (!tool_calls.empty()) out_message["tool_calls"] = std::move(tool_calls);
    if (!reasoning.empty()) out_message["reasoning_content"] = std::move(reasoning);
    if (!thinking_blocks.empty()) out_message["thinking_blocks"] = std::move(thinking_blocks);

    std::string stop_reason =
        is_string_member(message, "stop_reason") ? message["stop_reason"].get<std::string>() : "";
    TokenUsage usage;
    if (message.contains("usage")) merge_anthropic_usage(message["usage"], usage);
    std::string id = is_string_member(message, "id") ? message["id"].get<std::string>() : "";

    return json{
        {"id", "chatcmpl-" + id},
        {"object", "chat.completion"},
        {"created", created.value_or(unix_time_now())},
        {"model", client_model},
        {"choices", json::array({json{{"index", 0},
                                      {"message", std::move(out_message)},
                                      {"logprobs", nullptr},
                                      {"finish_reason", openai_finish_reason(stop_reason)}}})},
        {"usage", openai_usage_json(usage)}};
}

}  // namespace otari::translate
