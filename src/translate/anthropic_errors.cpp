#include "translate/anthropic_errors.hpp"

#include <cmath>
#include <cstdlib>

namespace otari::translate {
namespace {

constexpr size_t k_max_raw_message_bytes = 1000;
constexpr std::string_view k_context_overflow_prefix = "prompt is too long";

std::string openai_type_for(int status, std::string_view type) {
    if (type == "invalid_request_error" || type == "not_found_error" ||
        type == "request_too_large") {
        return "invalid_request_error";
    }
    if (type == "authentication_error" || type == "permission_error") return std::string(type);
    if (type == "rate_limit_error")
        return status == 429 ? "rate_limit_exceeded" : "rate_limit_error";
    if (type == "billing_error") return "insufficient_quota";
    if (type == "timeout_error") return "timeout";
    // Already OpenAI vocabulary (for example a MappedError's type fed back in).
    if (type == "rate_limit_exceeded" || type == "insufficient_quota" || type == "timeout") {
        return std::string(type);
    }
    // Another vocabulary's type (a compatible server's "rate_limit"): what the status says.
    if (status >= 400 && status < 500) {
        const std::string by_status = anthropic_error_type_for_status(status);
        if (by_status != type) return openai_type_for(status, by_status);
    }
    return "server_error";
}

json openai_code_for(int status, std::string_view message) {
    if (status == 400 &&
        message.substr(0, k_context_overflow_prefix.size()) == k_context_overflow_prefix) {
        return "context_length_exceeded";
    }
    if (status == 404) return "model_not_found";
    if (status == 401) return "invalid_api_key";
    if (status == 429) return "rate_limit_exceeded";
    return nullptr;
}

// `text` cut to at most `max_bytes` without splitting a UTF-8 sequence.
std::string truncated_utf8(std::string_view text, size_t max_bytes) {
    if (text.size() <= max_bytes) return std::string(text);
    size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return std::string(text.substr(0, end)) + "...";
}

std::string trimmed(std::string_view text) {
    size_t begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos) return "";
    size_t end = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(begin, end - begin + 1));
}

std::optional<std::string> string_at(const json& object, const char* key) {
    if (!object.is_object()) return std::nullopt;
    auto it = object.find(key);
    if (it == object.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

}  // namespace

std::string openai_error_body(int status, const std::string& anthropic_type,
                              const std::string& message) {
    json body = {{"error",
                  {{"message", message},
                   {"type", openai_type_for(status, anthropic_type)},
                   {"param", nullptr},
                   {"code", openai_code_for(status, message)}}}};
    return dump_json(body);
}

std::string openai_error_body(const MappedError& error) {
    return openai_error_body(error.status, error.type, error.message);
}

int openai_status_for_anthropic_status(int anthropic_status) {
    if (anthropic_status == 529) return 503;
    if (anthropic_status < 400) return 502;
    return anthropic_status;
}

int anthropic_status_for_error_type(std::string_view type) {
    if (type == "invalid_request_error") return 400;
    if (type == "authentication_error") return 401;
    if (type == "billing_error") return 402;
    if (type == "permission_error") return 403;
    if (type == "not_found_error") return 404;
    if (type == "request_too_large") return 413;
    if (type == "rate_limit_error") return 429;
    if (type == "timeout_error") return 504;
    if (type == "overloaded_error") return 529;
    return 500;
}

std::string anthropic_error_type_for_status(int status) {
    switch (status) {
        case 400:
            return "invalid_request_error";
        case 401:
            return "authentication_error";
        case 402:
            return "billing_error";
        case 403:
            return "permission_error";
        case 404:
            return "not_found_error";
        case 413:
            return "request_too_large";
        case 429:
            return "rate_limit_error";
        case 504:
            return "timeout_error";
        case 529:
            return "overloaded_error";
        default:
            return status >= 500 ? "api_error" : "invalid_request_error";
    }
}

std::optional<std::string> retry_after_seconds(std::optional<std::string_view> header) {
    if (!header) return std::nullopt;
    std::string value = trimmed(*header);
    if (value.empty()) return std::nullopt;
    // delta-seconds only: an HTTP date, a sign or an exponent is not a number of seconds here.
    for (char c : value) {
        if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return std::nullopt;
    }
    char* end = nullptr;
    double seconds = std::strtod(value.c_str(), &end);
    if (end != value.c_str() + value.size() || !std::isfinite(seconds) || seconds < 0) {
        return std::nullopt;
    }
    return std::to_string(static_cast<long long>(std::ceil(seconds)));
}

MappedError error_from_anthropic(int status, std::string_view body,
                                 std::optional<std::string_view> retry_after_header) {
    std::optional<std::string> anthropic_type;
    std::optional<std::string> message;
    json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) {
        auto error = parsed.find("error");
        if (error != parsed.end() && error->is_object()) {
            anthropic_type = string_at(*error, "type");
            message = string_at(*error, "message");
        } else if (error != parsed.end() && error->is_string()) {
            message = error->get<std::string>();
        }
        if (!message) message = string_at(parsed, "message");
    }
    if (!message || message->empty()) {
        std::string raw = trimmed(body);
        message = raw.empty() ? "upstream returned HTTP " + std::to_string(status)
                              : truncated_utf8(raw, k_max_raw_message_bytes);
    }

    MappedError mapped;
    mapped.status = openai_status_for_anthropic_status(status);
    std::string type = anthropic_type.value_or(anthropic_error_type_for_status(status));
    mapped.type = openai_type_for(mapped.status, type);
    mapped.message = std::move(*message);
    mapped.retry_after = retry_after_seconds(retry_after_header);
    return mapped;
}

MappedError error_from_anthropic_event(const json& event_data) {
    std::string type = "api_error";
    std::string message = "upstream stream failed";
    if (event_data.is_object()) {
        auto error = event_data.find("error");
        if (error != event_data.end() && error->is_object()) {
            type = string_at(*error, "type").value_or(type);
            std::string upstream_message = string_at(*error, "message").value_or("");
            if (!upstream_message.empty()) message = std::move(upstream_message);
        }
    }
    MappedError mapped;
    mapped.status = openai_status_for_anthropic_status(anthropic_status_for_error_type(type));
    mapped.type = openai_type_for(mapped.status, type);
    mapped.message = std::move(message);
    return mapped;
}

}  // namespace otari::translate
