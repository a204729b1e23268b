#pragma once
// The body of `POST {base}/gateway/usage`, sent after every attempt: which attempt
// (correlation_id), how it ended, the tokens it used and, on failure, why. Pure.
#include <string>

#include "config/config.hpp"
#include "gateway/call.hpp"
#include "util/json.hpp"

namespace otari::platform {

// A short tag for why an attempt failed: "timeout", "conn_err", "http_<status>",
// "http_<status>_billing" (402, or a 400/422 whose message says the account is out of credit),
// or "" when the failure cannot be classified (a stream that broke after it started).
std::string error_class(const gateway::CallRecord& record);

// {"correlation_id","status":"success"|"error","is_final_attempt","usage":{prompt_tokens,
// completion_tokens,total_tokens,cache_read_tokens,cache_write_tokens},"error_class"?,
// "ttft_ms"?}. `usage` is omitted when the provider reported none and nothing was estimated.
// prompt_tokens follows the provider's own convention: an Anthropic provider's excludes cache
// reads and writes, an OpenAI-compatible one's includes them.
json usage_report(const gateway::CallRecord& record, config::ProviderType provider_type,
                  bool is_final_attempt);

}  // namespace otari::platform
