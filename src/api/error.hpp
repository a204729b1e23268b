#pragma once
#include <stdexcept>
#include <string>

#include "http/message.hpp"

namespace otari::api {

// Which error envelope a client understands.
enum class Flavor { anthropic, openai };

// An error answered to the client before any of the body went out. Handlers throw it; the
// server turns it into the client's envelope with `status`.
struct ApiError : std::runtime_error {
    int status;
    std::string type;  // Anthropic error type, e.g. "invalid_request_error"
    http::Headers headers;
    ApiError(int status_, std::string type_, const std::string& message)
        : std::runtime_error(message), status(status_), type(std::move(type_)) {}
};

// The Anthropic error type for an HTTP status (400 invalid_request_error, 401
// authentication_error, 403 permission_error, 404 not_found_error, 413 request_too_large,
// 429 rate_limit_error, 504 timeout_error, 529 overloaded_error, other 5xx api_error).
std::string anthropic_type_for_status(int status);

// {"type":"error","error":{"type":..,"message":..},"request_id":..}
std::string anthropic_error_json(const std::string& type, const std::string& message,
                                 const std::string& request_id);
// {"error":{"message":..,"type":..,"code":..}}
std::string openai_error_json(int status, const std::string& type, const std::string& message);

// A complete error response in the client's envelope, headers included.
http::Response error_response(Flavor flavor, const ApiError& error, const std::string& request_id);

// Shorthands for the common cases.
ApiError invalid_request(const std::string& message);
ApiError not_found(const std::string& message);

}  // namespace otari::api
