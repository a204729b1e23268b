#pragma once
// Providers of type "openai" (any OpenAI-compatible server) behind the Anthropic Messages API:
// the request is translated to Chat Completions and the answer (whole or streamed) back.
#include "gateway/router.hpp"
#include "providers/exchange.hpp"
#include "util/json.hpp"

namespace otari::providers {

// POST {base_url}/chat/completions with the translated `body`. Returns the Anthropic message,
// a translated SSE stream when `stream`, or the upstream's error in the Anthropic envelope.
// Throws api::ApiError only before the provider is contacted.
http::Response openai_messages(Exchange ex, const json& body, const gateway::Route& route,
                               bool stream);
// The same, free to move parts (the tool schemas) out of `body` instead of copying them, and
// leaving it null once the upstream request is built: for a caller that has no later use for it.
http::Response openai_messages(Exchange ex, json&& body, const gateway::Route& route, bool stream);

// The request headers for an OpenAI-compatible provider: JSON in, the provider's key as a
// bearer token when it has one.
std::vector<std::pair<std::string, std::string>> openai_upstream_headers(
    const config::Provider& provider, bool stream);

}  // namespace otari::providers
