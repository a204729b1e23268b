#pragma once
// Anthropic upstream errors -> OpenAI error envelopes, for Chat Completions clients served by
// an Anthropic upstream (spec §5.3 error event, §5.4). Pure: no I/O.
//
// The type/code vocabulary is the one api::openai_error_json uses for the gateway's own
// errors (same output for the same Anthropic type and status), with two additions: OpenAI
// types are accepted as input and kept (so a MappedError's type can be fed back in), and a 400
// whose message starts "prompt is too long" gets code "context_length_exceeded".
#include <optional>
#include <string>
#include <string_view>

#include "translate/common.hpp"
#include "util/json.hpp"

namespace otari::translate {

// {"error":{"message","type","param":null,"code"}}. `type` is an Anthropic error type
// (invalid_request_error, rate_limit_error, overloaded_error, ...) or already an OpenAI one.
// Types: invalid_request_error / not_found_error / request_too_large -> invalid_request_error,
// authentication_error, permission_error, rate_limit_error -> rate_limit_exceeded (429),
// billing_error -> insufficient_quota, timeout_error -> timeout, everything else ->
// server_error. Codes: 401 invalid_api_key, 404 model_not_found, 429 rate_limit_exceeded,
// context overflow context_length_exceeded, otherwise null.
std::string openai_error_body(int status, const std::string& anthropic_type,
                              const std::string& message);

// The same body for an already mapped error.
std::string openai_error_body(const MappedError& error);

// The status an OpenAI client gets for an Anthropic upstream status: 529 -> 503 (some OpenAI
// clients do not retry 529), a non-error status -> 502, anything else unchanged.
int openai_status_for_anthropic_status(int anthropic_status);

// The HTTP status Anthropic uses for an error type (for errors that arrive without one, like
// the SSE `error` event): overloaded_error 529, rate_limit_error 429, api_error 500, ...;
// unknown types 500.
int anthropic_status_for_error_type(std::string_view anthropic_type);

// The Anthropic error type for a status, for bodies that do not name one.
std::string anthropic_error_type_for_status(int status);

// Maps a non-2xx Anthropic answer. `body` is normally {"type":"error","error":{"type",
// "message"}}; other JSON with a message, plain text (truncated to 1000 bytes on a UTF-8
// boundary) and empty bodies are handled too. status per openai_status_for_anthropic_status,
// type the OpenAI type, retry_after the Retry-After header rounded up to whole seconds (absent
// when the header is missing, negative or not a number of seconds).
// A Retry-After header as whole seconds, rounded up ("2.5" -> "3"); nullopt when absent or
// not a non-negative number of seconds (an HTTP date is not converted). Shared by both
// directions' error mapping.
std::optional<std::string> retry_after_seconds(std::optional<std::string_view> header);

MappedError error_from_anthropic(int status, std::string_view body,
                                 std::optional<std::string_view> retry_after_header);

// Maps the data of an Anthropic SSE `error` event ({"type":"error","error":{type,message}}),
// e.g. to answer an HTTP error when the first event of a stream is an error. The status comes
// from the type (overloaded_error -> 503 for OpenAI clients, rate_limit_error -> 429).
MappedError error_from_anthropic_event(const json& event_data);

}  // namespace otari::translate
