#pragma once
// Input tokens of an Anthropic Messages request (POST /v1/messages/count_tokens, and the
// budget's up-front estimate), counted with the compiled-in o200k_base tokenizer.
//
// What is counted: `system` (string or text blocks); every message's content (text, thinking
// text, tool_use name + compact JSON input, tool_result content, document titles/context/text);
// `tools` (name, description, input_schema). Images and PDFs count by their own rules
// (media_tokens.hpp), never as text; other blocks count as their compact JSON.
//
// OpenAI-family models (gpt-*, chatgpt-*, o1/o3/o4*; tokenizer_family() in model_family.hpp)
// count as the request translated to Chat Completions would, by OpenAI's published formula
// (openai-cookbook "How to count tokens with tiktoken"): 3 tokens per message + the role + the
// content, + 3 for the reply priming; exact for text messages. Each tool_result is its own
// `tool` message; each tool call adds 3 + name + arguments JSON; tools use the cookbook's
// function formula for gpt-4o (7 per function + "name:description", 3 + 3 per property +
// "key:type:description", enums -3 + 3 per item + item, 12 at the end), with schema keys the
// formula does not cover (nested objects, items, ...) added as their compact JSON.
//
// Claude and all other models: there is no public tokenizer for Claude 3 and later, so the
// count is calibrated from o200k. Text and structure (3 per request, 4 per message, 8 per
// tool_use/tool_result block, 8 per tool) are scaled by k_claude_factor = 1.20 for Claude and
// k_other_factor = 1.10 for the rest, rounded up:
//   * Claude's tokenizer (smaller vocabulary) yields about 10-20% more tokens than o200k on
//     English prose and code; gateways using 1.15 were reported to under-count
//     (copilot-api#210). We take the top of the range because an over-count only makes a
//     client compact a little early and a budget reserve a little more, while an under-count
//     overflows the context window.
//   * Other models (Llama, Mistral, Qwen, DeepSeek, Gemini) use 128k-256k vocabularies close
//     to o200k's; 1.10 leaves headroom for their smaller non-English coverage.
// Claude requests with tools also pay Anthropic's tool-use system prompt, a fixed 346 tokens
// (313 when tool_choice is "any" or "tool"), as published for Claude 3.7 and 4 models.
// Media tokens are added unscaled.
#include <cstdint>
#include <string>

#include "util/json.hpp"

namespace otari::tokens {

inline constexpr double k_claude_factor = 1.20;
inline constexpr double k_other_factor = 1.10;

// Never throws on malformed or unexpected shapes (wrong types are skipped); at least 1.
int64_t count_request_tokens(const json& messages_request, const std::string& model);

}  // namespace otari::tokens
