#pragma once
// How an inference endpoint authorizes and routes a call. Standalone: the local key, the
// config's routes and the budgets. Hybrid: the platform authorizes the call with the caller's
// own token and lists attempts (provider, model, credentials); they are tried in order until
// one answers. An attempt that fails before the first byte reached the client
// falls through to the next; after that the call is committed to it. Every attempt is
// reported to the platform; the call gets one ledger record (the attempt that served, or the
// last one tried).
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/context.hpp"
#include "api/error.hpp"
#include "gateway/router.hpp"
#include "providers/exchange.hpp"

namespace otari::api {

// The caller's platform token: `Authorization: Bearer` only (x-api-key is not read in hybrid
// mode). Throws 401 authentication_error when it is missing. Records a short, non-secret
// label of it as the call's key.
std::string platform_user_token(const http::Headers& headers, providers::CallFinisher& finisher);

// Who is calling. Standalone: the local key (401 when missing or unknown), noted in the
// record. Hybrid: the platform token (401 when missing), which the platform checks at resolve.
struct Caller {
    std::optional<auth::Key> key;
    std::string platform_token;
};
Caller identify_caller(Context& ctx, const http::Request& req, providers::CallFinisher& finisher);

// Standalone: the route for the call's model (noted in the record), admitted under the key's
// and user's budgets and the pricing rules. Throws ApiError (404 model, 403 budget, 400 price).
gateway::Route route_and_admit(Context& ctx, gateway::CallRecord& record, const auth::Key& key,
                               const json& body);

// Hybrid: what the platform resolves for the call's model: an alias's target (the alias is
// noted in the record), else the model as asked.
std::string platform_selector(const Context& ctx, gateway::CallRecord& record);

// Sends one attempt to its provider. Must leave the request intact for the next attempt.
using AttemptDispatch = std::function<http::Response(providers::Exchange, const gateway::Route&)>;

// Resolve `model_selector` with the platform, then walk the attempts. The response carries
// X-Correlation-ID (the attempt that served) and X-Otari-Request-ID (the platform's request).
// Throws ApiError for a refused or failed resolve (recorded by the caller's `base` finisher).
http::Response run_platform_call(Context& ctx, const http::Request& req,
                                 providers::CallFinisher& base, const std::string& token,
                                 const std::string& model_selector, Flavor flavor,
                                 const http::ClientProbe& client_alive,
                                 const AttemptDispatch& dispatch);

}  // namespace otari::api
