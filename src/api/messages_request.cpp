#include "api/messages_request.hpp"

#include "api/error.hpp"
#include "loop/loop.hpp"

namespace otari::api {
namespace {

const char* type_name(const json& v) {
    switch (v.type()) {
        case json::value_t::null: return "null";
        case json::value_t::object: return "an object";
        case json::value_t::array: return "an array";
        case json::value_t::string: return "a string";
        case json::value_t::boolean: return "a boolean";
        case json::value_t::number_float: return "a number";
        default: return "an integer";
    }
}

// Both APIs: a string `model` and a non-empty `messages` array of objects with a string role.
const json& validate_model_and_messages(const json& body) {
    if (!body.contains("model")) throw invalid_request("model: field required");
    if (!body["model"].is_string()) {
        throw invalid_request(std::string("model: expected a string, got ") + type_name(body["model"]));
    }
    if (!body.contains("messages")) throw invalid_request("messages: field required");
    const json& messages = body["messages"];
    if (!messages.is_array()) {
        throw invalid_request(std::string("messages: expected an array, got ") + type_name(messages));
    }
    if (messages.empty()) throw invalid_request("messages: at least one message is required");
    for (size_t i = 0; i < messages.size(); ++i) {
        const json& m = messages[i];
        std::string where = "messages." + std::to_string(i);
        if (!m.is_object()) throw invalid_request(where + ": expected an object, got " + type_name(m));
        if (!m.contains("role") || !m["role"].is_string()) throw invalid_request(where + ".role: field required");
    }
    return messages;
}

void validate_common(const json& body) {
    const json& messages = validate_model_and_messages(body);
    for (size_t i = 0; i < messages.size(); ++i) {
        const json& m = messages[i];
        std::string where = "messages." + std::to_string(i);
        const auto& role = m["role"].get_ref<const std::string&>();
        if (role != "user" && role != "assistant" && role != "system") {
            throw invalid_request(where + ".role: expected \"user\" or \"assistant\", got \"" + role + "\"");
        }
        if (!m.contains("content")) throw invalid_request(where + ".content: field required");
        if (!m["content"].is_string() && !m["content"].is_array()) {
            throw invalid_request(where + ".content: expected a string or an array of content blocks");
        }
    }
    if (body.contains("system") && !body["system"].is_string() && !body["system"].is_array()) {
        throw invalid_request("system: expected a string or an array of text blocks");
    }
    if (body.contains("tools") && !body["tools"].is_array()) throw invalid_request("tools: expected an array");
    if (body.contains("stream") && !body["stream"].is_boolean()) throw invalid_request("stream: expected a boolean");
    if (body.contains("metadata") && !body["metadata"].is_object() && !body["metadata"].is_null()) {
        throw invalid_request("metadata: expected an object");
    }
}

}  // namespace

json parse_json_body(const std::string& body) {
    if (body.empty()) throw invalid_request("request body is empty: expected a JSON object");
    json parsed;
    try {
        // Megabytes take milliseconds: off the loop, so other streams keep flowing meanwhile.
        parsed = loop::off_loop_if(body.size() >= loop::k_off_loop_bytes,
                                   [&] { return parse_json(body); });
    } catch (const json::parse_error& e) {
        throw invalid_request(std::string("request body is not valid JSON: ") + e.what());
    }
    if (!parsed.is_object()) {
        throw invalid_request(std::string("request body must be a JSON object, got ") + type_name(parsed));
    }
    return parsed;
}

void validate_messages_request(const json& body) {
    validate_common(body);
    if (!body.contains("max_tokens")) throw invalid_request("max_tokens: field required");
    const json& max_tokens = body["max_tokens"];
    if (!max_tokens.is_number_integer() || max_tokens.get<int64_t>() < 1) {
        throw invalid_request("max_tokens: expected a positive integer");
    }
}

void validate_count_tokens_request(const json& body) { validate_common(body); }

void validate_chat_request(const json& body) {
    validate_model_and_messages(body);
    if (body.contains("stream") && !body["stream"].is_boolean() && !body["stream"].is_null()) {
        throw invalid_request("stream: expected a boolean");
    }
    if (body.contains("user") && !body["user"].is_string() && !body["user"].is_null()) {
        throw invalid_request("user: expected a string");
    }
}

}  // namespace otari::api
