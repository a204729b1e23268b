#pragma once
// Providers of type "openai" (any OpenAI-compatible server): Anthropic Messages requests are
// translated to Chat Completions and the answers translated back.
#include "gateway/router.hpp"
#include "providers/exchange.hpp"
#include "util/json.hpp"

namespace otari::providers {

http::Response openai_messages(Exchange ex, json body, const gateway::Route& route, bool stream);

}  // namespace otari::providers
