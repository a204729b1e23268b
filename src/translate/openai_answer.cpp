#include "translate/openai_answer.hpp"

#include <algorithm>

namespace otari::translate {
namespace {

constexpr int64_t kAbsurdTokenCount = int64_t{1} << 40;

int64_t count(const json& object, const char* key) {
    if (!object.is_object()) return 0;
    auto it = object.find(key);
    if (it == object.end() || !it->is_number()) return 0;
    int64_t value =
        it->is_number_float() ? static_cast<int64_t>(it->get<double>()) : it->get<int64_t>();
    if (value < 0 || value > kAbsurdTokenCount) return 0;
    return value;
}

bool has(const json& object, const char* key) {
    return object.is_object() && object.contains(key) && object[key].is_number();
}

// Rewrite single-quoted strings as double-quoted and drop trailing commas; the JSON5-ish
// slips some models make (spec §2.2).
std::string repair_json(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 8);
    char quote = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quote != 0) {
            if (c == '\\' && i + 1 < text.size()) {
                if (quote == '\'' && text[i + 1] == '\'') {
                    out.push_back('\'');
                } else {
                    out.push_back(c);
                    out.push_back(text[i + 1]);
                }
                ++i;
            } else if (c == quote) {
                out.push_back('"');
                quote = 0;
            } else if (c == '"') {
                out += "\\\"";
            } else {
                out.push_back(c);
            }
            continue;
        }
        if (c == '"' || c == '\'') {
            quote = c;
            out.push_back('"');
        } else if (c == ',') {
            size_t next = text.find_first_not_of(" \t\r\n", i + 1);
            if (next != std::string_view::npos && (text[next] == '}' || text[next] == ']')) {
                continue;
            }
            out.push_back(c);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

json as_input_object(json value) {
    if (value.is_object()) return value;
    return json{{"value", std::move(value)}};
}

}  // namespace

TokenUsage usage_from_openai(const json& usage) {
    TokenUsage out;
    if (!usage.is_object()) return out;
    out.reported = true;
    if (!has(usage, "prompt_tokens") && has(usage, "input_tokens")) {
        // Already Anthropic-shaped (some compatible servers answer so).
        out.input_tokens = count(usage, "input_tokens");
        out.output_tokens = count(usage, "output_tokens");
        out.cache_read_tokens = count(usage, "cache_read_input_tokens");
        out.cache_write_tokens = count(usage, "cache_creation_input_tokens");
        return out;
    }
    const int64_t prompt = count(usage, "prompt_tokens");
    const json& details = member(usage, "prompt_tokens_details");
    int64_t cache_read = 0;
    if (has(usage, "cache_read_input_tokens")) {
        cache_read = count(usage, "cache_read_input_tokens");
    } else if (has(details, "cached_tokens")) {
        cache_read = count(details, "cached_tokens");
    } else {
        cache_read = count(usage, "prompt_cache_hit_tokens");
    }
    int64_t cache_write = 0;
    if (has(details, "cache_write_tokens")) {
        cache_write = count(details, "cache_write_tokens");
    } else if (has(details, "cache_creation_tokens")) {
        cache_write = count(details, "cache_creation_tokens");
    } else {
        cache_write = count(usage, "cache_creation_input_tokens");
    }
    cache_read = std::min(cache_read, prompt);
    cache_write = std::min(cache_write, prompt - cache_read);
    out.cache_read_tokens = cache_read;
    out.cache_write_tokens = cache_write;
    out.input_tokens = prompt - cache_read - cache_write;
    out.output_tokens = count(usage, "completion_tokens");
    return out;
}

std::string stop_reason_from_openai(const json& finish_reason, bool tool_use_emitted,
                                    bool stop_string_matched) {
    const std::string reason = finish_reason.is_string() ? finish_reason.get<std::string>() : "";
    if (reason == "length") return "max_tokens";
    if (reason == "tool_calls" || reason == "function_call") return "tool_use";
    if (reason == "content_filter") return "refusal";
    if (tool_use_emitted) return "tool_use";
    if (reason == "stop" && stop_string_matched) return "stop_sequence";
    return "end_turn";
}

std::optional<std::string> matched_stop_string(const json& choice, const Profile& profile) {
    const char* key = nullptr;
    switch (profile.stop_match_field) {
        case StopMatchField::none:
            return std::nullopt;
        case StopMatchField::stop_reason:
            key = "stop_reason";
            break;
        case StopMatchField::matched_stop:
            key = "matched_stop";
            break;
    }
    const json& value = member(choice, key);
    if (value.is_string() && !value.get_ref<const std::string&>().empty()) {
        return value.get<std::string>();
    }
    return std::nullopt;
}

std::string reasoning_text(const json& message) {
    if (!message.is_object()) return {};
    for (const char* key : {"reasoning_content", "reasoning"}) {
        const json& value = member(message, key);
        if (value.is_string() && !value.get_ref<const std::string&>().empty()) {
            return value.get<std::string>();
        }
    }
    const json& details = member(message, "reasoning_details");
    if (details.is_array()) {
        std::string text;
        for (const auto& detail : details) {
            for (const char* key : {"text", "summary"}) {
                const json& part = member(detail, key);
                if (part.is_string()) {
                    text += part.get_ref<const std::string&>();
                    break;
                }
            }
        }
        if (!text.empty()) return text;
    }
    const json& thinking = member(message, "thinking");
    if (thinking.is_object()) {
        const json& content = member(thinking, "content");
        if (content.is_string()) return content.get<std::string>();
    }
    return {};
}

std::string content_text(const json& content) {
    if (content.is_string()) return content.get<std::string>();
    std::string text;
    if (content.is_array()) {
        for (const auto& part : content) {
            if (part.is_string()) {
                text += part.get_ref<const std::string&>();
            } else if (part.is_object() && part.value("type", "text") == "text" &&
                       part.contains("text") && part["text"].is_string()) {
                text += part["text"].get_ref<const std::string&>();
            }
        }
    }
    return text;
}

size_t generated_bytes(const json& message) {
    if (!message.is_object()) return 0;
    size_t bytes = content_text(member(message, "content")).size() + reasoning_text(message).size();
    if (const json& refusal = member(message, "refusal"); refusal.is_string())
        bytes += refusal.get_ref<const std::string&>().size();
    auto add_arguments = [&bytes](const json& function) {
        const json& arguments = member(function, "arguments");
        if (arguments.is_string()) bytes += arguments.get_ref<const std::string&>().size();
    };
    if (const json& calls = member(message, "tool_calls"); calls.is_array()) {
        for (const auto& call : calls) add_arguments(member(call, "function"));
    }
    add_arguments(member(message, "function_call"));
    return bytes;
}

json parse_tool_arguments(const json& arguments, std::string_view tool_name) {
    if (arguments.is_object()) return arguments;
    if (arguments.is_null()) return json::object();
    if (!arguments.is_string()) return as_input_object(arguments);
    const auto& text = arguments.get_ref<const std::string&>();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
    json parsed = parse_json_or_discarded(text);
    if (!parsed.is_discarded()) return as_input_object(std::move(parsed));
    parsed = json::parse(repair_json(text), nullptr, false);
    if (!parsed.is_discarded()) return as_input_object(std::move(parsed));
    constexpr size_t kShown = 200;
    std::string shown = text.substr(0, kShown);
    while (!shown.empty() && (static_cast<unsigned char>(shown.back()) & 0xC0) == 0x80) {
        shown.pop_back();
    }
    if (!shown.empty() && static_cast<unsigned char>(shown.back()) >= 0xC0) shown.pop_back();
    throw UpstreamFormatError("the upstream called tool \"" + std::string(tool_name) +
                              "\" with arguments that are not valid JSON: " + shown +
                              (text.size() > kShown ? "..." : ""));
}

}  // namespace otari::translate
