#pragma once
// An Anthropic Messages request -> an OpenAI Chat Completions request (spec §1).
#include <string>
#include <vector>

#include "translate/profile.hpp"
#include "util/json.hpp"

namespace otari::translate {

// What the translation left out, for logs and the x-gateway-dropped-tools header.
struct RequestNotes {
    std::vector<std::string> dropped_tools;   // server / Anthropic-defined tools
    std::vector<std::string> dropped_fields;  // top-level fields with no upstream equivalent
};

// Builds the upstream body for `upstream_model`:
//   messages / tools / tool_choice: see messages_to_openai.hpp and tools_to_openai.hpp;
//   max_tokens -> max_tokens or max_completion_tokens (profile, reasoning models), clamped to
//     the profile's output cap; temperature / top_p unless the model fixes sampling; top_k
//     where supported; stop_sequences -> stop (at most profile.max_stop_sequences);
//   stream -> stream + stream_options.include_usage (when supported);
//   metadata.user_id -> SHA-256 hex (64 chars) as user / safety_identifier (profile);
//   thinking / output_config.effort -> the profile's reasoning style (effort_for_thinking);
//   output_config.format (or legacy output_format) json_schema -> response_format json_schema
//     (name from the schema title, strict only where supported and already strict-shaped);
//   service_tier where supported. cache_control, context_management, betas, signatures and
//   unknown fields are dropped (listed in `notes`).
// Throws TranslateError when the request cannot be expressed (no messages, no max_tokens,
// mcp_servers, container, Files API sources, unsupported documents, bad tool_choice).
json request_to_openai(const json& anthropic_request, const std::string& upstream_model,
                       const Profile& profile, RequestNotes* notes = nullptr);
// The same, faster for big requests: tool schemas and descriptions are moved out of
// `anthropic_request` rather than copied. Tool names stay, so a ToolNameMap can be built from
// the request afterwards.
json request_to_openai(json&& anthropic_request, const std::string& upstream_model,
                       const Profile& profile, RequestNotes* notes = nullptr);

// The reasoning level asked for: "none" when thinking is disabled; output_config.effort when
// given ("max" reads as "xhigh"); else from budget_tokens (<=1024 minimal, <=2048 low, <=8192
// medium, <=24576 high, else xhigh); adaptive without effort -> "medium"; "" when the request
// asks nothing.
std::string effort_for_thinking(const json& anthropic_request);

// `level` clamped into `allowed` (weakest first): the strongest allowed level not above it,
// else the weakest allowed one.
std::string clamp_effort(const std::string& level, const std::vector<std::string>& allowed);

}  // namespace otari::translate
