#pragma once
#include <cstdint>
#include <string>

#include "util/json.hpp"

namespace otari::tokens {

// Input tokens of a Messages request (system, messages, tools) for `model`: the entry point
// of POST /v1/messages/count_tokens and of the budget's up-front estimate. Forwards to
// count_request_tokens() (request_tokens.hpp), which documents the rules.
int64_t estimate_request_tokens(const json& request, const std::string& model);

}  // namespace otari::tokens
