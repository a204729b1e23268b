#include "translate/response_from_openai.hpp"

#include <algorithm>

#include "translate/common.hpp"
#include "translate/openai_answer.hpp"
#include "translate/openai_errors.hpp"
#include "util/random.hpp"

namespace otari::translate {
namespace {

std::string message_id_for(const json& completion) {
    auto it = completion.find("id");
    if (it != completion.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
        const auto& id = it->get_ref<const std::string&>();
        return id.rfind("msg_", 0) == 0 ? id : "msg_" + id;
    }
    return "msg_" + util::random_id_base62(24);
}

void throw_if_reported_error(const json& completion, const json& choice) {
    if (auto it = completion.find("error"); it != completion.end() && !it->is_null()) {
        throw UpstreamReportedError(error_from_openai_object(*it));
    }
    const json& finish = member(choice, "finish_reason");
    if (!finish.is_string()) return;
    if (auto error =
            finish_reason_error(finish.get_ref<const std::string&>(), member(choice, "error")))
        throw UpstreamReportedError(std::move(*error));
}

json tool_use_block(const json& id, const json& function, const ToolNameMap* names) {
    const std::string upstream_name = function.contains("name") && function["name"].is_string()
                                          ? function["name"].get<std::string>()
                                          : std::string();
    std::string name = names ? names->to_client(upstream_name) : upstream_name;
    json input = parse_tool_arguments(function.value("arguments", json()), name);
    return json{{"type", "tool_use"},
                {"id", client_tool_id(id.is_string() ? id.get_ref<const std::string&>() : "")},
                {"name", std::move(name)},
                {"input", std::move(input)}};
}

}  // namespace

json response_from_openai(const json& chat_completion, const std::string& client_model,
                          const Profile& profile, const ToolNameMap* names,
                          int64_t estimated_input_tokens) {
    if (!chat_completion.is_object()) {
        throw UpstreamFormatError("the upstream answer is not a JSON object");
    }
    const json& choices = member(chat_completion, "choices");
    if (chat_completion.contains("error") && !chat_completion["error"].is_null()) {
        throw_if_reported_error(chat_completion, json::object());
    }
    if (!choices.is_array() || choices.empty() || !choices[0].is_object()) {
        throw UpstreamFormatError("the upstream answer has no choices");
    }
    const json& choice = choices[0];
    throw_if_reported_error(chat_completion, choice);
    const json& message = member(choice, "message");
    if (!message.is_object()) throw UpstreamFormatError("the upstream answer has no message");

    json content = json::array();
    if (std::string reasoning = reasoning_text(message); !reasoning.empty()) {
        content.push_back(
            {{"type", "thinking"}, {"thinking", std::move(reasoning)}, {"signature", ""}});
    }
    if (std::string text = content_text(message.value("content", json())); !text.empty()) {
        content.push_back({{"type", "text"}, {"text", std::move(text)}});
    }
    bool refused = false;
    if (auto it = message.find("refusal");
        it != message.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
        refused = true;
        content.push_back({{"type", "text"}, {"text", *it}});
    }
    bool tool_used = false;
    if (auto it = message.find("tool_calls"); it != message.end() && it->is_array()) {
        for (const auto& call : *it) {
            if (!call.is_object()) continue;
            if (call.contains("type") && call["type"] != "function") continue;
            auto function = call.find("function");
            if (function == call.end() || !function->is_object()) continue;
            content.push_back(tool_use_block(call.value("id", json()), *function, names));
            tool_used = true;
        }
    }
    if (auto it = message.find("function_call");
        !tool_used && it != message.end() && it->is_object()) {
        content.push_back(tool_use_block(json(), *it, names));
        tool_used = true;
    }

    const std::optional<std::string> matched = matched_stop_string(choice, profile);
    const std::string stop_reason =
        refused ? "refusal"
                : stop_reason_from_openai(choice.value("finish_reason", json()), tool_used,
                                          matched.has_value());
    TokenUsage usage = usage_from_openai(member(chat_completion, "usage"));
    if (!usage.reported) {
        usage.input_tokens = std::max<int64_t>(0, estimated_input_tokens);
        usage.output_tokens = tokens_from_bytes(generated_bytes(message));
    }

    json out = object_with_room(10);
    out["id"] = message_id_for(chat_completion);
    out["type"] = "message";
    out["role"] = "assistant";
    out["model"] = client_model;
    out["content"] = std::move(content);
    out["stop_reason"] = stop_reason;
    out["stop_sequence"] = stop_reason == "stop_sequence" ? json(*matched) : json();
    out["usage"] = {{"input_tokens", usage.input_tokens},
                    {"cache_creation_input_tokens", usage.cache_write_tokens},
                    {"cache_read_input_tokens", usage.cache_read_tokens},
                    {"output_tokens", usage.output_tokens}};
    return out;
}

}  // namespace otari::translate
