#pragma once
// Upstream errors of OpenAI-compatible servers, mapped to Anthropic error types and statuses
// (translation spec §4). Pure functions.
#include <optional>
#include <string>
#include <string_view>

#include "translate/common.hpp"
#include "util/json.hpp"

namespace otari::translate {

// An upstream that answered 2xx but reported an error in the body (a 200 `{"error":...}`,
// finish_reason "error", DeepSeek "insufficient_system_resource"). Derives from
// UpstreamFormatError, so a caller that only knows that type answers 502; a caller that
// catches this one can answer `mapped` instead.
struct UpstreamReportedError : UpstreamFormatError {
    MappedError mapped;
    explicit UpstreamReportedError(MappedError error)
        : UpstreamFormatError(error.message), mapped(std::move(error)) {}
};

// Map a non-2xx upstream answer. `body` is the raw response body (any content type).
//   * An Anthropic-shaped body ({"type":"error","error":{type,message}}) keeps its type and
//     message, with the upstream status.
//   * Otherwise the message comes from error.message, error (a string), detail.message,
//     detail, message or Message, else the raw body; at most 1000 bytes, cut on a UTF-8
//     boundary.
//   * Status -> type: 400/422/409/other 4xx invalid_request_error (same status), 401
//     authentication_error, 402 billing_error, 403 permission_error, 404 not_found_error,
//     408/504 timeout_error (504), 413 request_too_large, 429 rate_limit_error (429 with code
//     insufficient_quota: 402 billing_error), 500/502 api_error, 503/529 overloaded_error
//     (529), other 5xx api_error (500).
//   * Context-length errors (code context_length_exceeded, llama.cpp exceed_context_size_error,
//     "maximum context length" wording) become 400 invalid_request_error with a message that
//     starts "prompt is too long" ("prompt is too long: N tokens > M maximum" when the
//     numbers are known), the wording Claude Code recognises.
//   * retry_after: the header's value in whole seconds (rounded up) when it is a number.
MappedError error_from_openai(int status, std::string_view body,
                              std::optional<std::string_view> retry_after_header);

// Map an OpenAI error object ({"message","type","code",...}) found inside a 2xx body or a
// stream chunk. `status_hint` is the HTTP status when known, else 0 (the status is then
// derived from a numeric `code` or from the type).
MappedError error_from_openai_object(const json& error, int status_hint = 0);

// The error a choice's finish_reason reports instead of ending the answer: "error" (mapped
// from the choice's `error` object, `choice_error`) and DeepSeek's
// "insufficient_system_resource" (529 overloaded_error); nullopt for every other reason.
std::optional<MappedError> finish_reason_error(std::string_view reason, const json& choice_error);

// What an upstream's refusal of a too-large max_tokens says it would accept.
struct OutputLimit {
    int64_t max_tokens = 0;
    // True for a cap of the model itself; false for what this request's input leaves of the
    // context window (another request has another limit).
    bool model_wide = true;
};

// For a 400 or 422 whose message says max_tokens (or max_completion_tokens) is too large: the
// largest value the upstream would take. Model-wide: "at most N" (OpenAI), "less than or equal
// to `N`" (Groq), "the valid range of max_tokens is [1, N]" (DeepSeek). Per request: "maximum
// context length is C tokens ... (I in the messages, O in the completion)" or "... and your
// request has I input tokens" (vLLM) leaves C - I.
// nullopt for any other error.
std::optional<OutputLimit> output_limit_from_error(int status, std::string_view body);

// A top-level request parameter an upstream refuses as unsupported or unknown, and the one to
// send instead when the refusal names it.
struct RefusedParameter {
    std::string name;
    std::string
        use_instead;  // "max_completion_tokens" for "... Use 'max_completion_tokens' instead."
};

// For a 400 or 422 that refuses a parameter: OpenAI's code "unsupported_parameter" with its
// `param` (or the message "Unsupported parameter: 'X'"), "Unrecognized request argument
// supplied: X", and a validation error {"detail":[{"type":"extra_forbidden","loc":["body","X"]}]}
// (Mistral and other FastAPI servers). nullopt for any other error, and for a refused *value*.
std::optional<RefusedParameter> refused_parameter(int status, std::string_view body);

// `event: error\ndata: {"type":"error","error":{"type":T,"message":M}}\n\n`
std::string anthropic_error_event(std::string_view type, std::string_view message);

}  // namespace otari::translate
