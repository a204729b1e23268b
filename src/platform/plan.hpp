#pragma once
// Hybrid mode's wire contract with the platform, as pure functions: what otari asks
// `POST {base}/gateway/provider-keys/resolve`, how either answer shape becomes a Plan, what a
// refusal becomes for the client, and which provider an attempt names.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "util/json.hpp"

namespace otari::platform {

// One way to serve the call: a provider, its model id and the credentials to use.
struct Attempt {
    std::string attempt_id;  // reported back as the usage report's correlation_id
    int position = 0;
    std::string provider;
    std::string model;
    std::string api_key;
    std::string api_base;  // empty: the provider's usual endpoint
    bool managed = false;
};

// The platform's answer: the attempts to walk in order.
struct Plan {
    std::string request_id;
    bool fallback_enabled = false;
    std::vector<Attempt> attempts;
    std::string user_id;  // the owner of the caller's token, when the platform says
    std::string workspace_id;
    std::string organization_id;
};

// The platform answered 200 with something that is not a plan.
struct FormatError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// {"model":"gpt-4o","provider":"openai"} for "openai:gpt-4o" (or "openai/gpt-4o", whichever
// delimiter comes first); {"model":"gpt-4o"} for a bare name.
json resolve_request(std::string_view model_selector);

// The multi-attempt shape ({request_id, fallback_enabled, attempts:[...]}) or the flat
// single-attempt one ({provider, model, api_key, api_base, correlation_id}). Unknown fields are
// ignored. Throws FormatError when a field otari needs is missing or of the wrong type. An
// empty `attempts` list parses (the caller answers it with 502).
Plan parse_plan(const json& payload);

// What the client is told when the platform does not authorize the call.
struct Refusal {
    int status = 502;
    std::string message;
    std::optional<std::string> retry_after;  // whole seconds, only with 429
};

inline constexpr std::string_view k_platform_unavailable = "authorization service unavailable";

// 400, 401, 402, 403, 404, 421 and 429 reach the client with their status and the platform's
// `detail` (else "authorization request rejected"); a 429's Retry-After is kept as whole
// seconds (rounded up, at most a day; a date is dropped). Any other status is 502
// "authorization service unavailable".
Refusal refusal_for(int status, std::string_view body, std::optional<std::string_view> retry_after);

// The provider an attempt names, ready for the adapters: "anthropic" natively, every other
// one as OpenAI-compatible, at `api_base` or the provider's well-known endpoint. Throws
// FormatError for a provider otari does not know that comes without an `api_base`.
config::Provider provider_for_attempt(const Attempt& attempt);

}  // namespace otari::platform
