#pragma once
// POST /v1/chat/completions (OpenAI clients). To an OpenAI-compatible provider the body is
// forwarded with only `model` rewritten (and usage asked for, so it can be recorded); to an
// Anthropic provider it is translated to Messages and back. Errors use OpenAI's envelope.
#include "gateway/router.hpp"
#include "providers/exchange.hpp"
#include "util/json.hpp"

namespace otari::providers {

http::Response chat_to_openai(Exchange ex, json body, const gateway::Route& route, bool stream);
http::Response chat_to_anthropic(Exchange ex, const json& body, const gateway::Route& route, bool stream);

}  // namespace otari::providers
