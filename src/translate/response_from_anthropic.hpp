#pragma once
// Anthropic Messages response -> OpenAI `chat.completion` (spec §5.2). Pure: no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "translate/common.hpp"
#include "util/json.hpp"

namespace otari::translate {

// Translates an Anthropic `message` object into a `chat.completion`:
// - id "chatcmpl-" + message.id, object, created (`created` or now), model = `client_model`;
// - choices[0].message: role assistant; content = the text blocks joined, or null when there is
//   no text; tool_calls [{id, type function, function {name, arguments = compact JSON of
//   input}}] when there are tool_use blocks; reasoning_content = the thinking blocks joined,
//   when any; thinking_blocks = the signed thinking and redacted_thinking blocks verbatim, so a
//   client that sends the message back gets them replayed (see request_to_anthropic).
//   Server-tool blocks and unknown blocks are dropped.
// - choices[0].finish_reason per openai_finish_reason; usage per openai_usage_json.
// Throws UpstreamFormatError (-> 502) when `message` has no content array or a tool_use block
// lacks its id or name.
json response_from_anthropic(const json& message, const std::string& client_model,
                             std::optional<int64_t> created = std::nullopt);

// Anthropic stop_reason -> OpenAI finish_reason: end_turn, stop_sequence, pause_turn -> stop;
// max_tokens, model_context_window_exceeded -> length; tool_use -> tool_calls; refusal ->
// content_filter; anything else (including "") -> stop.
std::string openai_finish_reason(std::string_view anthropic_stop_reason);

// Bytes of generated text in an Anthropic `message`: its text and thinking blocks, and the
// compact JSON of its tool_use inputs. Output tokens are estimated from it when the upstream
// reports no usage.
size_t generated_bytes_of_message(const json& message);

// Reads an Anthropic `usage` object into `usage` field by field: present integer fields
// overwrite, absent ones are kept (message_delta usage is cumulative, never summed). Marks the
// usage reported when it carried any known field.
void merge_anthropic_usage(const json& anthropic_usage, TokenUsage& usage);

// OpenAI `usage`: prompt_tokens = input + cache read + cache write, completion_tokens =
// output, total_tokens, prompt_tokens_details.cached_tokens = cache read.
json openai_usage_json(const TokenUsage& usage);

// Seconds since the epoch, for `created`.
int64_t unix_time_now();

}  // namespace otari::translate
