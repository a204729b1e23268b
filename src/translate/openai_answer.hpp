#pragma once
// Reading an OpenAI Chat Completions answer the same way, streamed or not: usage, stop
// reasons, reasoning text and tool-call arguments.
#include <optional>
#include <string>
#include <string_view>

#include "translate/common.hpp"
#include "translate/profile.hpp"
#include "util/json.hpp"

namespace otari::translate {

// OpenAI usage -> Anthropic convention (spec §2.4): cache reads from
// prompt_tokens_details.cached_tokens (or DeepSeek prompt_cache_hit_tokens, or an explicit
// cache_read_input_tokens), cache writes from prompt_tokens_details.cache_write_tokens /
// cache_creation_tokens; both clamped into prompt_tokens and subtracted from it. Negative or
// absurd counts read as 0. `reported` is true.
TokenUsage usage_from_openai(const json& usage);

// Anthropic stop_reason for an OpenAI finish_reason (null when absent): length -> max_tokens,
// tool_calls/function_call -> tool_use, content_filter -> refusal, stop -> stop_sequence when
// `matched_stop` names the stop string, else end_turn. A tool_use block overrides stop, null
// and unknown reasons (some providers report "stop" for tool calls).
std::string stop_reason_from_openai(const json& finish_reason, bool tool_use_emitted,
                                    bool stop_string_matched);

// The stop string that ended generation, from the profile's stop_match_field of a choice.
std::optional<std::string> matched_stop_string(const json& choice, const Profile& profile);

// Reasoning text of a message or delta: the first non-empty of reasoning_content, reasoning,
// reasoning_details[*].text|summary, thinking.content. Empty when none.
std::string reasoning_text(const json& message);

// Text of a `content` that is a string or an array of text parts.
std::string content_text(const json& content);

// Bytes of generated text in a Chat Completions message (or a stream delta): content,
// reasoning, refusal and tool-call arguments. Output tokens are estimated from it when the
// upstream reports no usage.
size_t generated_bytes(const json& message);

// Tool-call `arguments` -> Anthropic `input` (always an object). An object is used as is;
// null, "" or whitespace mean {}; a JSON scalar or array becomes {"value": X}; single-quoted
// strings and trailing commas are repaired. Anything else throws UpstreamFormatError naming
// the tool.
json parse_tool_arguments(const json& arguments, std::string_view tool_name);

}  // namespace otari::translate
