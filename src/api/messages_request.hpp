#pragma once
#include <string>

#include "util/json.hpp"

namespace otari::api {

// Parse a request body as a JSON object. Throws ApiError 400 that says what is wrong.
json parse_json_body(const std::string& body);

// Check the fields every Messages request needs (model, messages, max_tokens) and the types of
// the common optional ones. Throws ApiError 400 naming the field.
void validate_messages_request(const json& body);

// count_tokens takes a Messages request without max_tokens.
void validate_count_tokens_request(const json& body);

// A Chat Completions request: model, a non-empty messages array of objects with a role.
void validate_chat_request(const json& body);

}  // namespace otari::api
