#pragma once
// Native passthrough to a provider of type "anthropic": the client's body goes upstream with
// only `model` rewritten, the answer comes back byte for byte, and usage is read off the
// passing stream.
#include <string>

#include "providers/exchange.hpp"
#include "util/json.hpp"

namespace otari::providers {

// POST {base_url}/v1/messages with `upstream_body` (already carrying the upstream model id).
// Returns the upstream's status and body (errors in Anthropic's envelope), or a relayed SSE
// stream when `stream`. Throws api::ApiError only before contacting the provider.
http::Response anthropic_messages(Exchange ex, std::string upstream_body, bool stream);

// The upstream request headers for an Anthropic call: the provider's key, the client's
// anthropic-version (default 2023-06-01) and anthropic-beta, and harmless client metadata.
std::vector<std::pair<std::string, std::string>> anthropic_upstream_headers(const http::Headers& client,
                                                                            const config::Provider& provider,
                                                                            bool stream);

// Read usage from an Anthropic Message JSON or SSE event data into `usage` (fields present
// overwrite, absent ones stay).
void merge_anthropic_usage(const json& usage_object, gateway::Usage& usage);

}  // namespace otari::providers
