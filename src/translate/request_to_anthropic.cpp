#include "translate/request_to_anthropic.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

namespace otari::translate {
namespace {

constexpr int64_t k_min_thinking_budget = 1024;
// Room left for the visible answer when thinking is on and the client set no max_tokens.
constexpr int64_t k_answer_room_with_thinking = 4096;

// One Anthropic turn while it is being built: role plus content blocks.
struct Turn {
    std::string role;  // "user" or "assistant"
    json blocks = json::array();
};

// The string member `key`, or `fallback` when absent or not a string.
std::string string_member(const json& object, std::string_view key, std::string fallback = "") {
    const json& value = member(object, key);
    return value.is_string() ? value.get<std::string>() : fallback;
}

std::string where(size_t message_index) {
    return "messages[" + std::to_string(message_index) + "]";
}

bool is_blank(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    });
}

json text_block(std::string text) { return json{{"type", "text"}, {"text", std::move(text)}}; }

// Copies a client's prompt-caching hint onto a block built from a content part.
void keep_cache_control(const json& part, json& block) {
    if (auto it = part.find("cache_control"); it != part.end() && it->is_object()) {
        block["cache_control"] = *it;
    }
}

// "data:<media_type>;base64,<data>" -> {media_type, data}. Throws for any other data URL.
std::pair<std::string, std::string> split_base64_data_url(std::string_view url,
                                                          const std::string& context) {
    size_t comma = url.find(',');
    std::string_view header = url.substr(0, comma);  // "data:image/png;base64"
    constexpr std::string_view suffix = ";base64";
    if (comma == std::string_view::npos || header.size() < 5 + suffix.size() ||
        header.substr(header.size() - suffix.size()) != suffix) {
        throw TranslateError(context + ": only base64 data URLs are supported");
    }
    std::string media_type(header.substr(5, header.size() - 5 - suffix.size()));
    if (media_type.empty()) throw TranslateError(context + ": the data URL has no media type");
    return {media_type, std::string(url.substr(comma + 1))};
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

json image_block(const json& part, const std::string& context) {
    const json& image_url = member(part, "image_url");
    const json& url_value = image_url.is_object() ? member(image_url, "url") : image_url;
    std::string url = url_value.is_string() ? url_value.get<std::string>() : std::string();
    if (url.empty()) throw TranslateError(context + ": image_url.url is required");
    json block = {{"type", "image"}};
    if (starts_with(url, "data:")) {
        auto [media_type, data] = split_base64_data_url(url, context);
        block["source"] = {{"type", "base64"}, {"media_type", media_type}, {"data", data}};
    } else if (starts_with(url, "https://") || starts_with(url, "http://")) {
        block["source"] = {{"type", "url"}, {"url", url}};
    } else {
        throw TranslateError(context + ": image_url must be a data: or http(s) URL");
    }
    keep_cache_control(part, block);
    return block;
}

json document_block(const json& part, const std::string& context) {
    const json& file = member(part, "file");
    if (!file.is_object()) throw TranslateError(context + ": file part needs a `file` object");
    if (file.contains("file_id")) {
        throw TranslateError(context +
                             ": file ids cannot be resolved for this model; send file_data");
    }
    if (!file.contains("file_data") || !file["file_data"].is_string()) {
        throw TranslateError(context + ": file.file_data is required");
    }
    auto [media_type, data] = split_base64_data_url(file["file_data"].get<std::string>(), context);
    if (media_type != "application/pdf") {
        throw TranslateError(context + ": only PDF files are supported, got " + media_type);
    }
    json block = {{"type", "document"},
                  {"source", {{"type", "base64"}, {"media_type", media_type}, {"data", data}}}};
    if (file.contains("filename") && file["filename"].is_string()) {
        block["title"] = file["filename"];
    }
    keep_cache_control(part, block);
    return block;
}

// Appends the blocks for a message's `content` (string, array of parts, or null).
void append_content_blocks(const json& content, const std::string& context, json& blocks) {
    if (content.is_null()) return;
    if (content.is_string()) {
        if (!content.get_ref<const std::string&>().empty()) {
            blocks.push_back(text_block(content.get<std::string>()));
        }
        return;
    }
    if (!content.is_array()) throw TranslateError(context + ".content must be a string or array");
    for (size_t i = 0; i < content.size(); ++i) {
        const json& part = content[i];
        std::string part_context = context + ".content[" + std::to_string(i) + "]";
        if (!part.is_object() || !part.contains("type") || !part["type"].is_string()) {
            throw TranslateError(part_context + " must be an object with a type");
        }
        const std::string& type = part["type"].get_ref<const std::string&>();
        if (type == "text" || type == "refusal") {
            const char* key = type == "text" ? "text" : "refusal";
            if (!part.contains(key) || !part[key].is_string()) {
                throw TranslateError(part_context + "." + key + " must be a string");
            }
            if (part[key].get_ref<const std::string&>().empty()) continue;
            json block = text_block(part[key].get<std::string>());
            keep_cache_control(part, block);
            blocks.push_back(std::move(block));
        } else if (type == "image_url") {
            blocks.push_back(image_block(part, part_context));
        } else if (type == "file") {
            blocks.push_back(document_block(part, part_context));
        } else {
            throw TranslateError(part_context + ": content part type '" + type +
                                 "' is not supported for this model");
        }
    }
}

// Appends the non-empty text blocks of a system/developer message to `system`.
void append_system_blocks(const json& message, size_t index, json& system) {
    json blocks = json::array();
    append_content_blocks(member(message, "content"), where(index), blocks);
    for (auto& block : blocks) {
        if (block["type"] != "text") {
            throw TranslateError(where(index) + ": system messages may only contain text");
        }
        system.push_back(std::move(block));
    }
}

json tool_use_block(const json& call, const std::string& context) {
    if (!call.is_object()) throw TranslateError(context + " must be an object");
    if (string_member(call, "type", "function") != "function") {
        throw TranslateError(context + ": only function tool calls are supported");
    }
    const json& function = member(call, "function");
    if (!function.is_object() || !function.contains("name") || !function["name"].is_string()) {
        throw TranslateError(context + ".function.name is required");
    }
    if (!call.contains("id") || !call["id"].is_string() ||
        call["id"].get_ref<const std::string&>().empty()) {
        throw TranslateError(context + ".id is required");
    }
    json input = json::object();
    if (function.contains("arguments") && !function["arguments"].is_null()) {
        const json& arguments = function["arguments"];
        if (arguments.is_object()) {
            input = arguments;
        } else if (!arguments.is_string()) {
            throw TranslateError(context + ".function.arguments must be a JSON string");
        } else if (!is_blank(arguments.get_ref<const std::string&>())) {
            try {
                input = json::parse(arguments.get_ref<const std::string&>());
            } catch (const json::parse_error&) {
                throw TranslateError(context + ".function.arguments is not valid JSON");
            }
            if (!input.is_object()) {
                throw TranslateError(context + ".function.arguments must be a JSON object");
            }
        }
    }
    return json{{"type", "tool_use"},
                {"id", anthropic_tool_id(call["id"].get<std::string>())},
                {"name", function["name"]},
                {"input", std::move(input)}};
}

// Signed thinking and redacted_thinking blocks an OpenAI client replays from an earlier
// response (`thinking_blocks`). Unsigned ones are dropped: Anthropic rejects them.
void append_replayed_thinking(const json& message, json& blocks) {
    auto it = message.find("thinking_blocks");
    if (it == message.end() || !it->is_array()) return;
    for (const json& block : *it) {
        if (!block.is_object()) continue;
        std::string type = string_member(block, "type");
        if (type == "thinking" && block.contains("signature") && block["signature"].is_string() &&
            !block["signature"].get_ref<const std::string&>().empty() &&
            block.contains("thinking") && block["thinking"].is_string()) {
            blocks.push_back(json{{"type", "thinking"},
                                  {"thinking", block["thinking"]},
                                  {"signature", block["signature"]}});
        } else if (type == "redacted_thinking" && block.contains("data") &&
                   block["data"].is_string()) {
            blocks.push_back(json{{"type", "redacted_thinking"}, {"data", block["data"]}});
        }
    }
}

Turn assistant_turn(const json& message, size_t index) {
    Turn turn{"assistant"};
    append_replayed_thinking(message, turn.blocks);
    append_content_blocks(member(message, "content"), where(index), turn.blocks);
    if (auto it = message.find("tool_calls"); it != message.end() && !it->is_null()) {
        if (!it->is_array()) throw TranslateError(where(index) + ".tool_calls must be an array");
        for (size_t i = 0; i < it->size(); ++i) {
            turn.blocks.push_back(
                tool_use_block((*it)[i], where(index) + ".tool_calls[" + std::to_string(i) + "]"));
        }
    }
    return turn;
}

Turn tool_result_turn(const json& message, size_t index) {
    if (!message.contains("tool_call_id") || !message["tool_call_id"].is_string()) {
        throw TranslateError(where(index) + ".tool_call_id is required");
    }
    json result = {{"type", "tool_result"},
                   {"tool_use_id", anthropic_tool_id(message["tool_call_id"].get<std::string>())}};
    json content = json::array();
    append_content_blocks(member(message, "content"), where(index), content);
    if (content.size() == 1 && content[0].size() == 2 && content[0]["type"] == "text") {
        result["content"] = std::move(content[0]["text"]);
    } else if (!content.empty()) {
        result["content"] = std::move(content);
    }
    Turn turn{"user"};
    turn.blocks.push_back(std::move(result));
    return turn;
}

bool is_tool_result(const json& block) { return block["type"] == "tool_result"; }

// Appends `from` to `into` (same role). Tool results stay ahead of other user content, as
// Anthropic requires them first in the turn that answers a tool_use.
void merge_into(Turn& into, Turn&& from) {
    for (auto& block : from.blocks) {
        if (is_tool_result(block)) {
            auto first_other = std::find_if(into.blocks.begin(), into.blocks.end(),
                                            [](const json& b) { return !is_tool_result(b); });
            into.blocks.insert(first_other, std::move(block));
        } else {
            into.blocks.push_back(std::move(block));
        }
    }
}

// Drops turns without blocks and merges neighbours that then share a role.
std::vector<Turn> merged(std::vector<Turn>&& turns) {
    std::vector<Turn> out;
    for (auto& turn : turns) {
        if (turn.blocks.empty()) continue;
        if (!out.empty() && out.back().role == turn.role) {
            merge_into(out.back(), std::move(turn));
        } else {
            out.push_back(std::move(turn));
        }
    }
    return out;
}

bool has_block_of_type(const json& blocks, std::string_view type) {
    return std::any_of(blocks.begin(), blocks.end(),
                       [&](const json& block) { return block["type"] == type; });
}

// Anthropic rejects thinking on a tool loop whose last assistant turn does not start with a
// thinking block ("a final assistant message must start with a thinking block").
bool tool_loop_allows_thinking(const std::vector<Turn>& turns) {
    for (auto it = turns.rbegin(); it != turns.rend(); ++it) {
        if (it->role != "assistant") continue;
        if (!has_block_of_type(it->blocks, "tool_use")) return true;
        const json& first = it->blocks.front();
        return first["type"] == "thinking" || first["type"] == "redacted_thinking";
    }
    return true;
}

void strip_thinking(std::vector<Turn>& turns) {
    for (auto& turn : turns) {
        json kept = json::array();
        for (auto& block : turn.blocks) {
            if (block["type"] != "thinking" && block["type"] != "redacted_thinking") {
                kept.push_back(std::move(block));
            }
        }
        turn.blocks = std::move(kept);
    }
}

json messages_json(std::vector<Turn>&& turns) {
    json messages = json::array();
    for (auto& turn : turns) {
        json content = std::move(turn.blocks);
        bool plain_text =
            content.size() == 1 && content[0].size() == 2 && content[0]["type"] == "text";
        messages.push_back(
            json{{"role", turn.role},
                 {"content", plain_text ? std::move(content[0]["text"]) : std::move(content)}});
    }
    return messages;
}

json anthropic_tool(const json& tool, size_t index) {
    std::string context = "tools[" + std::to_string(index) + "]";
    if (!tool.is_object() || string_member(tool, "type") != "function") {
        throw TranslateError(context + ": only tools of type 'function' are supported");
    }
    const json& function = member(tool, "function");
    if (!function.is_object() || !function.contains("name") || !function["name"].is_string()) {
        throw TranslateError(context + ".function.name is required");
    }
    json schema = json{{"type", "object"}, {"properties", json::object()}};
    if (auto it = function.find("parameters"); it != function.end() && !it->is_null()) {
        if (!it->is_object())
            throw TranslateError(context + ".function.parameters must be an object");
        schema = *it;
        schema["type"] = "object";
    }
    json out = {{"name", function["name"]}};
    if (function.contains("description") && function["description"].is_string()) {
        out["description"] = function["description"];
    }
    out["input_schema"] = std::move(schema);
    keep_cache_control(tool, out);
    return out;
}

json anthropic_tool_choice(const json& choice) {
    if (choice.is_string()) {
        const std::string& value = choice.get_ref<const std::string&>();
        if (value == "auto") return json{{"type", "auto"}};
        if (value == "required") return json{{"type", "any"}};
        if (value == "none") return json{{"type", "none"}};
        throw TranslateError("tool_choice '" + value + "' is not supported");
    }
    if (choice.is_object() && string_member(choice, "type") == "function" &&
        choice.contains("function") && choice["function"].is_object() &&
        choice["function"].contains("name") && choice["function"]["name"].is_string()) {
        return json{{"type", "tool"}, {"name", choice["function"]["name"]}};
    }
    throw TranslateError(
        "tool_choice must be none, auto, required or {type:function, function:{name}}");
}

int64_t positive_integer(const json& value, const char* name) {
    if (!value.is_number_integer() || value.get<int64_t>() < 1) {
        throw TranslateError(std::string(name) + " must be a positive integer");
    }
    return value.get<int64_t>();
}

json stop_sequences(const json& stop) {
    json out = json::array();
    auto add = [&](const json& entry) {
        if (!entry.is_string())
            throw TranslateError("stop must be a string or an array of strings");
        if (!is_blank(entry.get_ref<const std::string&>())) out.push_back(entry);
    };
    if (stop.is_array()) {
        for (const json& entry : stop) add(entry);
    } else {
        add(stop);
    }
    return out;
}

void reject_unsupported(const json& request) {
    if (auto it = request.find("n"); it != request.end() && !it->is_null() && *it != 1) {
        throw TranslateError("n must be 1 for this model");
    }
    if (request.contains("functions") || request.contains("function_call")) {
        throw TranslateError(
            "functions and function_call are not supported; use tools and tool_choice");
    }
    bool wants_audio = request.contains("audio") && !request["audio"].is_null();
    if (auto it = request.find("modalities"); it != request.end() && it->is_array()) {
        wants_audio = wants_audio || std::find(it->begin(), it->end(), "audio") != it->end();
    }
    if (wants_audio) throw TranslateError("audio output is not supported for this model");
}

std::vector<Turn> convert_messages(const json& messages, json& system) {
    std::vector<Turn> turns;
    for (size_t i = 0; i < messages.size(); ++i) {
        const json& message = messages[i];
        if (!message.is_object() || !message.contains("role") || !message["role"].is_string()) {
            throw TranslateError(where(i) + " must be an object with a role");
        }
        const std::string& role = message["role"].get_ref<const std::string&>();
        if (role == "system" || role == "developer") {
            append_system_blocks(message, i, system);
        } else if (role == "user") {
            Turn turn{"user"};
            append_content_blocks(member(message, "content"), where(i), turn.blocks);
            turns.push_back(std::move(turn));
        } else if (role == "assistant") {
            turns.push_back(assistant_turn(message, i));
        } else if (role == "tool") {
            turns.push_back(tool_result_turn(message, i));
        } else {
            throw TranslateError(where(i) + ": role '" + role + "' is not supported");
        }
    }
    return merged(std::move(turns));
}

json response_format_to_output_format(const json& format) {
    std::string type = string_member(format, "type");
    if (type == "text") return nullptr;
    if (type == "json_object") {
        throw TranslateError(
            "response_format json_object is not supported for this model; use json_schema");
    }
    if (type != "json_schema" || !format.contains("json_schema") ||
        !format["json_schema"].is_object() || !format["json_schema"].contains("schema") ||
        !format["json_schema"]["schema"].is_object()) {
        throw TranslateError("response_format must be text or json_schema with a schema");
    }
    return json{{"type", "json_schema"}, {"schema", format["json_schema"]["schema"]}};
}

bool forces_tool(const json& tool_choice) {
    return tool_choice.is_object() &&
           (tool_choice["type"] == "any" || tool_choice["type"] == "tool");
}

// The Anthropic `thinking` for the client's reasoning_effort, or null. Left off (null) when
// tool_choice forces a tool or the tool loop lacks a replayed thinking block.
json thinking_for(const json& request, std::optional<int64_t> client_max_tokens,
                  const json& tool_choice, const std::vector<Turn>& turns) {
    const json& effort_value = member(request, "reasoning_effort");
    if (effort_value.is_null()) return nullptr;
    if (!effort_value.is_string()) throw TranslateError("reasoning_effort must be a string");
    const std::string& effort = effort_value.get_ref<const std::string&>();
    if (effort == "none") return json{{"type", "disabled"}};
    int64_t budget = anthropic_thinking_budget_for_effort(effort);
    if (forces_tool(tool_choice) || !tool_loop_allows_thinking(turns)) return nullptr;
    if (client_max_tokens) {
        budget = std::min(budget, *client_max_tokens - 1);
        if (budget < k_min_thinking_budget) {
            throw TranslateError(
                "max_tokens must be greater than 1024 when reasoning_effort is set");
        }
    }
    return json{{"type", "enabled"}, {"budget_tokens", budget}};
}

}  // namespace

std::string anthropic_tool_id(std::string_view id) {
    std::string out(id);
    for (char& c : out) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        if (!ok) c = '_';
    }
    return out;
}

int64_t anthropic_thinking_budget_for_effort(const std::string& effort) {
    if (effort == "minimal" || effort == "low") return 1024;
    if (effort == "medium") return 4096;
    if (effort == "high") return 16384;
    if (effort == "xhigh") return 32768;
    throw TranslateError("reasoning_effort '" + effort + "' is not supported");
}

bool chat_request_wants_stream_usage(const json& chat_request) {
    auto it = chat_request.find("stream_options");
    if (it == chat_request.end() || !it->is_object()) return false;
    auto flag = it->find("include_usage");
    return flag != it->end() && flag->is_boolean() && flag->get<bool>();
}

json request_to_anthropic(const json& chat_request, const std::string& upstream_model) {
    if (!chat_request.is_object()) throw TranslateError("the request body must be a JSON object");
    reject_unsupported(chat_request);
    auto messages_it = chat_request.find("messages");
    if (messages_it == chat_request.end() || !messages_it->is_array()) {
        throw TranslateError("messages must be an array");
    }

    json system = json::array();
    std::vector<Turn> turns = convert_messages(*messages_it, system);

    // Limits and sampling.
    std::optional<int64_t> client_max_tokens;
    if (auto it = chat_request.find("max_completion_tokens");
        it != chat_request.end() && !it->is_null()) {
        client_max_tokens = positive_integer(*it, "max_completion_tokens");
    } else if (auto it2 = chat_request.find("max_tokens");
               it2 != chat_request.end() && !it2->is_null()) {
        client_max_tokens = positive_integer(*it2, "max_tokens");
    }

    json tools = json::array();
    if (auto it = chat_request.find("tools"); it != chat_request.end() && !it->is_null()) {
        if (!it->is_array()) throw TranslateError("tools must be an array");
        for (size_t i = 0; i < it->size(); ++i) tools.push_back(anthropic_tool((*it)[i], i));
    }
    json tool_choice = nullptr;
    if (!tools.empty()) {
        if (auto it = chat_request.find("tool_choice");
            it != chat_request.end() && !it->is_null()) {
            tool_choice = anthropic_tool_choice(*it);
        }
        auto parallel = chat_request.find("parallel_tool_calls");
        if (parallel != chat_request.end() && parallel->is_boolean() && !parallel->get<bool>()) {
            if (tool_choice.is_null()) tool_choice = json{{"type", "auto"}};
            if (tool_choice["type"] != "none") tool_choice["disable_parallel_tool_use"] = true;
        }
    }

    json thinking = thinking_for(chat_request, client_max_tokens, tool_choice, turns);
    bool thinking_on = thinking.is_object() && thinking["type"] == "enabled";
    if (!thinking_on) {
        strip_thinking(turns);
        turns = merged(std::move(turns));
    }
    if (turns.empty()) {
        throw TranslateError("messages must contain at least one user or assistant message");
    }

    int64_t max_tokens = client_max_tokens.value_or(
        thinking_on ? thinking["budget_tokens"].get<int64_t>() + k_answer_room_with_thinking
                    : k_default_anthropic_max_tokens);

    json out = object_with_room(24);
    out["model"] = upstream_model;
    out["max_tokens"] = max_tokens;
    if (!system.empty()) out["system"] = std::move(system);
    out["messages"] = messages_json(std::move(turns));
    if (!tools.empty()) out["tools"] = std::move(tools);
    if (!tool_choice.is_null()) out["tool_choice"] = std::move(tool_choice);

    if (!thinking_on) {
        if (auto it = chat_request.find("temperature");
            it != chat_request.end() && it->is_number()) {
            out["temperature"] = std::clamp(it->get<double>(), 0.0, 1.0);
        }
        if (auto it = chat_request.find("top_p"); it != chat_request.end() && it->is_number()) {
            out["top_p"] = *it;
        }
        if (auto it = chat_request.find("top_k");
            it != chat_request.end() && it->is_number_integer()) {
            out["top_k"] = *it;
        }
    }
    if (auto it = chat_request.find("stop"); it != chat_request.end() && !it->is_null()) {
        json sequences = stop_sequences(*it);
        if (!sequences.empty()) out["stop_sequences"] = std::move(sequences);
    }
    for (const char* key : {"safety_identifier", "user"}) {
        if (auto it = chat_request.find(key); it != chat_request.end() && it->is_string() &&
                                              !it->get_ref<const std::string&>().empty()) {
            out["metadata"] = json{{"user_id", *it}};
            break;
        }
    }
    if (!thinking.is_null()) out["thinking"] = std::move(thinking);
    if (auto it = chat_request.find("response_format");
        it != chat_request.end() && !it->is_null()) {
        json format = response_format_to_output_format(*it);
        if (!format.is_null()) out["output_config"] = json{{"format", std::move(format)}};
    }
    if (auto it = chat_request.find("stream");
        it != chat_request.end() && it->is_boolean() && it->get<bool>()) {
        out["stream"] = true;
    }
    return out;
}

}  // namespace otari::translate
