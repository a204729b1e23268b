#pragma once
// OpenAI Chat Completions request -> Anthropic Messages request (spec §5.1). Pure: no I/O.
#include <cstdint>
#include <string>
#include <string_view>

#include "translate/common.hpp"
#include "util/json.hpp"

namespace otari::translate {

// max_tokens sent upstream when the client gave neither max_tokens nor max_completion_tokens.
// Anthropic requires the field; 4096 is what llama.cpp uses.
inline constexpr int64_t k_default_anthropic_max_tokens = 4096;

// Translates a Chat Completions request body for an Anthropic upstream. The result carries
// `upstream_model` as `model`. Throws TranslateError (-> 400) for what Anthropic cannot do:
// n > 1, audio output, response_format json_object, legacy functions/function_call, the
// `function` role, unknown content part types, file ids, non-base64 data URLs, tool-call
// arguments that are not a JSON object, unknown tool types or tool_choice values.
//
// Rules (spec §5.1):
// - system/developer messages, wherever they are, become top-level `system` text blocks in
//   order; user/assistant/tool messages become `messages`, with consecutive same-role turns
//   merged. Tool messages become user `tool_result` blocks, kept ahead of other user content
//   in the same turn. Tool-call ids are sanitised to [A-Za-z0-9_-] on both sides.
// - Content parts: text -> text (cache_control kept, empty text dropped); image_url data URL ->
//   base64 image, http(s) -> url image; file with a PDF data URL -> base64 document.
//   A message whose content is one plain text block is sent as a string.
// - Assistant `thinking_blocks` (as returned by response_from_anthropic) are replayed first
//   when they carry a signature (or are redacted_thinking); bare reasoning_content is dropped.
// - max_completion_tokens, else max_tokens, else k_default_anthropic_max_tokens; when
//   thinking is enabled and the client set no limit, the default becomes budget + 4096.
// - temperature clamped to [0, 1]; top_p and top_k (an extension) pass through; stop (string
//   or array) -> stop_sequences without whitespace-only entries; safety_identifier (else
//   user) -> metadata.user_id;
//   response_format json_schema -> output_config.format; stream -> stream.
// - reasoning_effort -> thinking {enabled, budget_tokens} (see
//   anthropic_thinking_budget_for_effort), "none" -> thinking {disabled}. Thinking is left
//   off when tool_choice forces a tool, and when the last assistant turn with tool_use does not
//   start with a replayed thinking block (Anthropic would reject it). With thinking on,
//   temperature, top_p and top_k are dropped. With thinking off, thinking blocks are removed
//   from history.
// - tools (type function) -> {name, description, input_schema = parameters with
//   type:"object"}; tool_choice none/auto/required/{function} -> none/auto/any/tool;
//   parallel_tool_calls:false -> disable_parallel_tool_use:true. Empty tools omit both.
// - Dropped: frequency_penalty, presence_penalty, logprobs, top_logprobs, seed, logit_bias,
//   stream_options, store, prediction, service_tier, metadata, modalities ["text"] and any
//   other unknown field.
json request_to_anthropic(const json& chat_request, const std::string& upstream_model);

// The thinking budget for an OpenAI reasoning_effort: minimal/low 1024, medium 4096,
// high 16384, xhigh 32768. Throws TranslateError for unknown values ("none" is handled by the
// caller and is not accepted here).
int64_t anthropic_thinking_budget_for_effort(const std::string& effort);

// The id rewritten to Anthropic's ^[a-zA-Z0-9_-]+$: every other byte becomes '_'
// (Kimi's "functions.Read:3" -> "functions_Read_3"). Used for tool_use ids and tool_use_ids.
std::string anthropic_tool_id(std::string_view id);

// True when the client asked for a final usage chunk (stream_options.include_usage).
bool chat_request_wants_stream_usage(const json& chat_request);

}  // namespace otari::translate
