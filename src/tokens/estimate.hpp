#pragma once
#include <cstdint>
#include <string>

#include "util/json.hpp"

namespace otari::tokens {

// Input tokens of a Messages request (system, messages, tools), estimated at about four bytes
// of text a token, rounded up; base64 image and document payloads count a fixed amount rather
// than their bytes.
int64_t estimate_request_tokens(const json& request, const std::string& model);

}  // namespace otari::tokens
