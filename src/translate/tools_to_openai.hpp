#pragma once
// Anthropic `tools` / `tool_choice` and JSON schemas -> OpenAI Chat Completions (spec §1.3,
// §1.4). Part of request_to_openai().
#include <string>
#include <vector>

#include "translate/profile.hpp"
#include "util/json.hpp"

namespace otari::translate {

// Sets out["tools"], out["tool_choice"] and out["parallel_tool_calls"] from the request.
// Custom tools become functions (names shortened per tool_ids.hpp, schemas through
// sanitize_schema, `strict` kept when the profile supports it, cache_control and
// eager_input_streaming dropped). Server and Anthropic-defined tools (any `type` other than
// "custom") are dropped and their names added to `dropped_tools`, or rejected with
// TranslateError under ServerTools::reject. No tools left (including `tools: []`): none of the
// three keys is set. tool_choice: auto -> "auto", any -> "required" (or "auto"), tool ->
// {type:function,function:{name}}, none -> "none" (or no tools at all); an unknown type throws
// TranslateError. disable_parallel_tool_use -> parallel_tool_calls:false where supported.
void tools_to_openai(const json& anthropic_request, const Profile& profile, json& out,
                     std::vector<std::string>& dropped_tools);
// The same, moving each custom tool's description and input_schema out of the request instead
// of copying them (tool names stay, so a ToolNameMap can still be built from it).
void move_tools_to_openai(json& anthropic_request, const Profile& profile, json& out,
                          std::vector<std::string>& dropped_tools);

// Removes profile.strip_schema_keys at every schema position (never inside `properties`
// name maps) and rewrites `const` as a one-value `enum` when profile.const_to_enum.
void sanitize_schema(json& schema, const Profile& profile);

// True when the schema already meets OpenAI strict mode: every object schema with
// properties sets additionalProperties:false and requires all of them.
bool is_strict_compatible(const json& schema);

}  // namespace otari::translate
