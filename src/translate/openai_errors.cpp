#include "translate/openai_errors.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "translate/anthropic_errors.hpp"

namespace otari::translate {
namespace {

constexpr size_t kMaxMessageBytes = 1000;

std::string truncate_utf8(std::string_view text, size_t max_bytes) {
    if (text.size() <= max_bytes) return std::string(text);
    size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return std::string(text.substr(0, end));
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string string_field(const json& object, const char* key) {
    if (!object.is_object()) return {};
    auto it = object.find(key);
    if (it == object.end()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
    return {};
}

int64_t int_field(const json& object, const char* key) {
    if (!object.is_object()) return -1;
    auto it = object.find(key);
    if (it == object.end() || !it->is_number()) return -1;
    return it->get<int64_t>();
}

// The first number in `text` after `marker`, or -1.
int64_t number_after(std::string_view text, std::string_view marker) {
    size_t pos = text.find(marker);
    if (pos == std::string_view::npos) return -1;
    pos += marker.size();
    while (pos < text.size() && !std::isdigit(static_cast<unsigned char>(text[pos]))) {
        if (text[pos] == '.' || pos - (text.find(marker) + marker.size()) > 24) return -1;
        ++pos;
    }
    int64_t value = 0;
    bool any = false;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        value = value * 10 + (text[pos] - '0');
        any = true;
        ++pos;
    }
    return any ? value : -1;
}

bool is_context_length_error(const std::string& code, const std::string& type,
                             const std::string& message_lower) {
    if (code == "context_length_exceeded" || type == "context_length_exceeded" ||
        type == "exceed_context_size_error" || code == "exceed_context_size_error") {
        return true;
    }
    static constexpr std::string_view phrases[] = {
        "maximum context length",
        "context length exceeded",
        "context_length_exceeded",
        "exceeds the context window",
        "exceed context window",
        "prompt is too long",
        "exceeds the available context size",
    };
    for (auto phrase : phrases) {
        if (message_lower.find(phrase) != std::string::npos) return true;
    }
    return false;
}

// "prompt is too long: N tokens > M maximum" when both numbers can be found.
std::string context_length_message(const json& error, const std::string& message) {
    int64_t prompt = int_field(error, "n_prompt_tokens");
    int64_t limit = int_field(error, "n_ctx");
    const std::string lowered = lower(message);
    if (limit < 0) limit = number_after(lowered, "maximum context length is");
    if (limit < 0) limit = number_after(lowered, "context length of");
    if (prompt < 0) prompt = number_after(lowered, "resulted in");
    if (prompt < 0) prompt = number_after(lowered, "you requested");
    if (prompt > 0 && limit > 0) {
        return "prompt is too long: " + std::to_string(prompt) + " tokens > " +
               std::to_string(limit) + " maximum";
    }
    if (lowered.rfind("prompt is too long", 0) == 0) return message;
    return "prompt is too long: " + message;
}

// Anthropic's mapping, plus what OpenAI-compatible servers mean by 408 and 503.
std::string type_for_status(int status) {
    if (status == 408) return "timeout_error";
    if (status == 503) return "overloaded_error";
    return anthropic_error_type_for_status(status);
}

int client_status_for(int status) {
    if (status == 408) return 504;
    if (status == 503) return 529;
    if (status >= 500 && status != 502 && status != 504 && status != 529) return 500;
    if (status < 400) return 500;
    return status;
}

// The status an error without an HTTP status most likely had.
int status_from_error_object(const json& error) {
    const int64_t code = int_field(error, "code");
    if (code >= 400 && code <= 599) return static_cast<int>(code);
    const std::string type = lower(string_field(error, "type") + " " + string_field(error, "code"));
    if (type.find("rate_limit") != std::string::npos) return 429;
    if (type.find("insufficient_quota") != std::string::npos) return 429;
    if (type.find("overloaded") != std::string::npos) return 529;
    if (type.find("authentication") != std::string::npos) return 401;
    if (type.find("permission") != std::string::npos) return 403;
    if (type.find("not_found") != std::string::npos) return 404;
    if (type.find("invalid_request") != std::string::npos) return 400;
    if (type.find("context_length") != std::string::npos) return 400;
    if (type.find("exceed_context") != std::string::npos) return 400;
    return 500;
}

MappedError classify(int status, const json& error, std::string message) {
    const std::string code = string_field(error, "code");
    const std::string type = string_field(error, "type");
    const std::string message_lower = lower(message);
    MappedError mapped;
    if (is_context_length_error(code, type, message_lower) && (status < 500 || status == 0)) {
        mapped.status = 400;
        mapped.type = "invalid_request_error";
        mapped.message = context_length_message(error, message);
        return mapped;
    }
    if (status == 0) status = status_from_error_object(error);
    mapped.message = std::move(message);
    if (code == "insufficient_quota" || type == "insufficient_quota") {
        mapped.status = 402;
        mapped.type = "billing_error";
        return mapped;
    }
    const bool overloaded =
        code == "insufficient_system_resource" || type == "insufficient_system_resource" ||
        type == "overloaded_error" ||
        (status >= 500 && message_lower.find("overloaded") != std::string::npos);
    if (overloaded) {
        mapped.status = 529;
        mapped.type = "overloaded_error";
        return mapped;
    }
    mapped.status = client_status_for(status);
    mapped.type = type_for_status(status);
    return mapped;
}

// The human-readable message of an error body, or "" when there is none.
std::string message_of(const json& body) {
    if (!body.is_object()) return {};
    if (auto it = body.find("error"); it != body.end()) {
        if (it->is_string()) return it->get<std::string>();
        std::string m = string_field(*it, "message");
        if (!m.empty()) return m;
    }
    if (auto it = body.find("detail"); it != body.end()) {
        if (it->is_string()) return it->get<std::string>();
        std::string m = string_field(*it, "message");
        if (!m.empty()) return m;
    }
    std::string m = string_field(body, "message");
    if (!m.empty()) return m;
    return string_field(body, "Message");
}

}  // namespace

MappedError error_from_openai(int status, std::string_view body,
                              std::optional<std::string_view> retry_after_header) {
    const json parsed = json::parse(body.begin(), body.end(), nullptr, false);
    MappedError mapped;
    if (parsed.is_object() && parsed.value("type", "") == "error" && parsed.contains("error") &&
        parsed["error"].is_object() && parsed["error"].contains("type") &&
        parsed["error"]["type"].is_string()) {
        mapped.status = status;
        mapped.type = parsed["error"]["type"].get<std::string>();
        mapped.message = truncate_utf8(string_field(parsed["error"], "message"), kMaxMessageBytes);
    } else {
        std::string message = message_of(parsed);
        if (message.empty()) message = std::string(body);
        if (message.empty()) message = "upstream returned HTTP " + std::to_string(status);
        const json& error =
            parsed.is_object() && parsed.contains("error") ? parsed["error"] : parsed;
        mapped = classify(status, error, truncate_utf8(message, kMaxMessageBytes));
    }
    mapped.retry_after = retry_after_seconds(retry_after_header);
    return mapped;
}

namespace {

// The first integer at or after `pos` in `text`, skipping spaces and backticks; -1 if none.
int64_t integer_after(std::string_view text, size_t pos) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '`')) ++pos;
    int64_t value = -1;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && value < (int64_t(1) << 40))
        value = (value < 0 ? 0 : value * 10) + (text[pos++] - '0');
    return value;
}

// The integer after the first `phrase` in `text`, or -1.
int64_t integer_after_phrase(std::string_view text, std::string_view phrase) {
    size_t at = text.find(phrase);
    return at == std::string_view::npos ? -1 : integer_after(text, at + phrase.size());
}

}  // namespace

std::optional<OutputLimit> output_limit_from_error(int status, std::string_view body) {
    if (status != 400 && status != 422) return std::nullopt;
    const json parsed = json::parse(body.begin(), body.end(), nullptr, false);
    std::string text = message_of(parsed);
    if (text.empty()) text = std::string(body);
    const std::string message = lower(text);
    const bool about_output = message.find("max_tokens") != std::string::npos ||
                              message.find("max_completion_tokens") != std::string::npos ||
                              message.find("completion tokens") != std::string::npos;
    if (about_output) {
        for (std::string_view phrase : {"at most", "less than or equal to"}) {
            if (int64_t cap = integer_after_phrase(message, phrase); cap > 0)
                return OutputLimit{cap, true};
        }
        if (size_t range = message.find("range of max_tokens is ["); range != std::string::npos) {
            size_t comma = message.find(',', range);
            if (int64_t cap = comma == std::string::npos ? -1 : integer_after(message, comma + 1);
                cap > 0)
                return OutputLimit{cap, true};
        }
    }
    // vLLM, in two wordings: "... (I in the messages, O in the completion)" and "... and your
    // request has I input tokens (O > C - I)".
    const int64_t context = integer_after_phrase(message, "maximum context length is");
    int64_t input = -1;
    if (message.find("in the completion") != std::string::npos) {
        const size_t open = message.rfind('(');
        if (open != std::string::npos) input = integer_after(message, open + 1);
    } else if (about_output) {
        input = integer_after_phrase(message, "your request has");
    }
    if (context > 0 && input >= 0 && context - input > 0)
        return OutputLimit{context - input, false};
    return std::nullopt;
}

namespace {

// A request parameter's name: letters, digits and underscores, as the text at `pos` starts.
std::string parameter_name_at(std::string_view text, size_t pos) {
    size_t end = pos;
    while (end < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_'))
        ++end;
    return std::string(text.substr(pos, end - pos));
}

// The quoted or bare name after `phrase` in `text`, or "".
std::string parameter_after(std::string_view text, std::string_view phrase) {
    size_t at = text.find(phrase);
    if (at == std::string_view::npos) return {};
    at += phrase.size();
    while (at < text.size() && (text[at] == ' ' || text[at] == '\'' || text[at] == '"')) ++at;
    return parameter_name_at(text, at);
}

}  // namespace

std::optional<RefusedParameter> refused_parameter(int status, std::string_view body) {
    if (status != 400 && status != 422) return std::nullopt;
    const json parsed = json::parse(body.begin(), body.end(), nullptr, false);
    const json& error = parsed.is_object() && parsed.contains("error") ? parsed["error"] : parsed;
    const std::string message = message_of(parsed);
    RefusedParameter refused;
    if (string_field(error, "code") == "unsupported_parameter")
        refused.name = string_field(error, "param");
    if (refused.name.empty()) refused.name = parameter_after(message, "Unsupported parameter:");
    if (refused.name.empty())
        refused.name = parameter_after(message, "Unrecognized request argument supplied:");
    if (refused.name.empty() && parsed.is_object()) {
        if (const auto detail = parsed.find("detail");
            detail != parsed.end() && detail->is_array()) {
            for (const auto& item : *detail) {
                const json& loc = item.is_object() ? item.value("loc", json()) : json();
                if (string_field(item, "type") == "extra_forbidden" && loc.is_array() &&
                    loc.size() == 2 && loc[0] == "body" && loc[1].is_string()) {
                    refused.name = loc[1].get<std::string>();
                    break;
                }
            }
        }
    }
    if (refused.name.empty() || refused.name != parameter_name_at(refused.name, 0))
        return std::nullopt;
    if (message.find(" instead") != std::string::npos)
        refused.use_instead = parameter_after(message, "Use ");
    if (refused.use_instead == refused.name) refused.use_instead.clear();
    return refused;
}

MappedError error_from_openai_object(const json& error, int status_hint) {
    std::string message;
    if (error.is_string()) {
        message = error.get<std::string>();
    } else {
        message = string_field(error, "message");
        if (message.empty() && error.is_object() && error.contains("metadata")) {
            message = string_field(error["metadata"], "raw");
        }
    }
    if (message.empty()) message = "upstream reported an error";
    return classify(status_hint, error.is_object() ? error : json::object(),
                    truncate_utf8(message, kMaxMessageBytes));
}

std::optional<MappedError> finish_reason_error(std::string_view reason, const json& choice_error) {
    if (reason == "error") return error_from_openai_object(choice_error);
    if (reason == "insufficient_system_resource") {
        return MappedError{529, "overloaded_error", "the upstream has insufficient resources", {}};
    }
    return std::nullopt;
}

std::string anthropic_error_event(std::string_view type, std::string_view message) {
    json data = {{"type", "error"},
                 {"error", {{"type", std::string(type)}, {"message", std::string(message)}}}};
    std::string out = "event: error\ndata: ";
    out += dump_json(data);
    out += "\n\n";
    return out;
}

}  // namespace otari::translate
