#pragma once
// A non-streaming OpenAI Chat Completion -> an Anthropic `message` object (spec §2).
#include <string>

#include "translate/profile.hpp"
#include "translate/tool_ids.hpp"
#include "util/json.hpp"

namespace otari::translate {

// Content order: thinking (reasoning_content / reasoning, signature ""), text (content, then
// refusal), tool_use (ids through client_tool_id, names through `names`, arguments through
// parse_tool_arguments). Nothing at all gives `content: []`. `model` is `client_model`; `id`
// is the upstream id prefixed "msg_" (a fresh one when absent). stop_reason per
// stop_reason_from_openai; `usage` always carries the four Anthropic counters: when the
// completion has no `usage` object, input_tokens is `estimated_input_tokens` and output_tokens
// is estimated from generated_bytes() of the message.
// Throws UpstreamReportedError for an error reported in the body (an `error` member,
// finish_reason "error" or "insufficient_system_resource") and UpstreamFormatError for a body
// that is not a completion or for tool arguments that are not JSON.
json response_from_openai(const json& chat_completion, const std::string& client_model,
                          const Profile& profile, const ToolNameMap* names = nullptr,
                          int64_t estimated_input_tokens = 0);

}  // namespace otari::translate
