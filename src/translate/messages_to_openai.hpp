#pragma once
// Anthropic `system` + `messages` -> the OpenAI `messages` array (spec §1.1 system rows, §1.2
// and its post-pass). Part of request_to_openai().
#include "translate/profile.hpp"
#include "util/json.hpp"

namespace otari::translate {

// Per Anthropic message, in order:
//   * system (string or text blocks, joined with "\n\n", cache_control dropped) first; a
//     `role:"system"` message inside `messages` is hoisted into it or kept in place (profile);
//   * user: every tool_result becomes one `tool` message (before the rest of the turn; content
//     text joined with "\n", is_error prefixed "Error: ", no content -> ""), then one user
//     message with tool-result images (unless the profile takes them as tool content parts),
//     text, image_url and file parts; empty text blocks are dropped;
//   * assistant: text joined with "", tool_use -> tool_calls (ids and names per tool_ids.hpp,
//     input as compact JSON), thinking -> reasoning field when the profile replays reasoning;
//     redacted_thinking and server-tool blocks dropped; content null or "" beside tool calls.
// Post-pass: adjacent same-role messages merge (never tool messages); every tool call is
// answered by exactly one tool message right after its assistant message ("[no result]" when
// the client sent none; stray results are dropped); a bridge assistant message follows tool
// messages when the profile requires it; text-only user content becomes one string when the
// profile prefers it. Throws TranslateError for content the upstream cannot take (Files API
// sources, document URLs, PDFs where unsupported, malformed blocks).
json messages_to_openai(const json& anthropic_request, const Profile& profile);

}  // namespace otari::translate
