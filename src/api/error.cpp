#include "api/error.hpp"

#include "translate/anthropic_errors.hpp"
#include "util/json.hpp"

namespace otari::api {

std::string anthropic_type_for_status(int status) { return translate::anthropic_error_type_for_status(status); }

std::string anthropic_error_json(const std::string& type, const std::string& message,
                                 const std::string& request_id) {
    json body = {{"type", "error"}, {"error", {{"type", type}, {"message", message}}}};
    if (!request_id.empty()) body["request_id"] = request_id;
    return dump_json(body);
}

namespace {

// OpenAI's error types for what Anthropic calls by other names.
std::string openai_type_for(int status, const std::string& anthropic_type) {
    if (anthropic_type == "invalid_request_error" || anthropic_type == "not_found_error" ||
        anthropic_type == "request_too_large") {
        return "invalid_request_error";
    }
    if (anthropic_type == "authentication_error") return "authentication_error";
    if (anthropic_type == "permission_error") return "permission_error";
    if (anthropic_type == "rate_limit_error") return status == 429 ? "rate_limit_exceeded" : "rate_limit_error";
    if (anthropic_type == "billing_error") return "insufficient_quota";
    if (anthropic_type == "overloaded_error") return "server_error";
    if (anthropic_type == "timeout_error") return "timeout";
    return "server_error";
}

}  // namespace

std::string openai_error_json(int status, const std::string& type, const std::string& message) {
    json code = nullptr;
    if (status == 404) code = "model_not_found";
    if (status == 401) code = "invalid_api_key";
    if (status == 429) code = "rate_limit_exceeded";
    json body = {{"error", {{"message", message}, {"type", openai_type_for(status, type)}, {"param", nullptr}, {"code", code}}}};
    return dump_json(body);
}

http::Response error_response(Flavor flavor, const ApiError& error, const std::string& request_id) {
    http::Response res;
    res.status = error.status;
    res.headers = error.headers;
    res.content_type = "application/json";
    res.body = flavor == Flavor::anthropic ? anthropic_error_json(error.type, error.what(), request_id)
                                           : openai_error_json(error.status, error.type, error.what());
    return res;
}

ApiError invalid_request(const std::string& message) { return ApiError(400, "invalid_request_error", message); }
ApiError not_found(const std::string& message) { return ApiError(404, "not_found_error", message); }

}  // namespace otari::api
