#pragma once
// Per-provider quirks of OpenAI-compatible upstreams (translation spec §9), as data. The
// translators read only these fields; no translator compares provider names.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace otari::translate {

// Which field carries the output-token limit.
enum class MaxTokensField { max_tokens, max_completion_tokens };

// How tool-call ids of the client's history are rewritten for the upstream (see tool_ids.hpp).
enum class ToolIdCodec {
    preserve,  // send the id as the client holds it (decoding our own escapes)
    mistral9,  // the upstream demands exactly 9 characters of [A-Za-z0-9]
};

// Where earlier reasoning (Anthropic `thinking` blocks in history) goes on an assistant message.
enum class ReasoningReplay { drop, reasoning_content, reasoning };

// How thinking / effort requests are expressed upstream.
enum class ReasoningStyle {
    none,           // send nothing (the upstream has no reasoning control or rejects unknown ones)
    openai_effort,  // reasoning_effort: "<level>"
    thinking_type,  // thinking: {type: "enabled" | "disabled"}  (DeepSeek, Kimi)
    openrouter,     // reasoning: {max_tokens: N} | {effort: "<level>"} | {enabled: false}
};

// How an Anthropic base64 PDF `document` block is sent.
enum class PdfInput { file_part, image_url_data, unsupported };

// Where `metadata.user_id` goes (always as a SHA-256 hex, never the raw value).
enum class UserIdField { drop, user, safety_identifier };

// What happens to Anthropic server tools (web_search_*, code_execution_*, bash_*, ...).
enum class ServerTools { drop, reject };

// Where `role:"system"` messages found inside `messages` go.
enum class MidConversationSystem {
    keep_in_place,  // a system message at the same position
    hoist_to_top,   // appended to the leading system message
};

// Which non-standard per-choice field names the stop string that ended generation.
enum class StopMatchField { none, stop_reason, matched_stop };

struct Profile {
    std::string name = "generic";

    // --- output limit and sampling ---
    MaxTokensField max_tokens_field = MaxTokensField::max_tokens;
    // Output caps by model-id prefix, first match wins ("" matches every model); 0 = no cap.
    std::vector<std::pair<std::string, int64_t>> output_token_caps;
    // Models that take reasoning controls, need max_completion_tokens and reject sampling
    // parameters (OpenAI o-series / gpt-5). Empty: reasoning controls go to every model and
    // sampling is never dropped for this reason.
    std::vector<std::string> reasoning_model_prefixes;
    // Whether reasoning models (above) reject temperature / top_p.
    bool reasoning_models_fix_sampling = false;
    // Models whose sampling the platform fixes (temperature/top_p are dropped), by prefix.
    std::vector<std::string> fixed_sampling_model_prefixes;
    bool supports_top_k = false;
    size_t max_stop_sequences = 0;  // 0 = no limit

    // --- streaming ---
    bool supports_stream_options = true;
    // Tool calls are streamed one after another (a fragment of a new index ends the previous
    // call). False: calls are announced first and interleave; calls after the first are
    // buffered and emitted whole at the end.
    bool sequential_tool_streams = true;
    // EOF without finish_reason and without [DONE] ends the message normally (end_turn)
    // instead of with an error event.
    bool lenient_eof = false;

    // --- tools ---
    ToolIdCodec tool_id_codec = ToolIdCodec::preserve;
    size_t max_tool_id_length = 0;  // 0 = no limit; longer ids are replaced by a stable hash
    size_t max_tool_name_length = 64;
    bool supports_tool_choice_required = true;
    bool supports_tool_choice_none = true;  // false: tool_choice none omits `tools` entirely
    bool supports_parallel_tool_calls_param = true;
    bool supports_strict = true;     // response_format strict:true
    bool json_schema_output = true;  // output_config.format -> response_format; false: dropped
    std::vector<std::string> strip_schema_keys;  // removed at every schema position
    bool const_to_enum = false;                  // {"const":x} -> {"enum":[x]}
    ServerTools server_tools = ServerTools::drop;
    bool tool_content_parts = false;           // tool message content may be an array with images
    bool null_content_with_tool_calls = true;  // assistant with only tool calls: null, else ""

    // --- messages ---
    MidConversationSystem mid_conversation_system = MidConversationSystem::hoist_to_top;
    bool requires_assistant_after_tool = false;
    bool prefer_string_content = true;  // text-only user content is sent as one string
    PdfInput pdf_input = PdfInput::file_part;
    bool normalize_cc_billing_header = true;  // constant `cch=` in Claude Code's system[0]

    // --- reasoning ---
    ReasoningStyle reasoning_style = ReasoningStyle::none;
    // Allowed reasoning_effort values, weakest first; requests are clamped into this list.
    std::vector<std::string> reasoning_effort_values = {"low", "medium", "high"};
    bool effort_none_allowed = false;  // thinking disabled -> reasoning_effort "none"
    ReasoningReplay reasoning_replay = ReasoningReplay::drop;

    // --- other request fields ---
    UserIdField user_id_field = UserIdField::user;
    bool supports_service_tier = false;

    // --- response ---
    StopMatchField stop_match_field = StopMatchField::none;

    // True when `model` starts with one of reasoning_model_prefixes.
    bool is_reasoning_model(std::string_view model) const;
    // True when temperature/top_p must not be sent for `model`.
    bool fixes_sampling(std::string_view model) const;
    // True when reasoning controls may be sent for `model`.
    bool takes_reasoning_controls(std::string_view model) const;
    // The output cap for `model`, 0 when none.
    int64_t output_cap(std::string_view model) const;
};

// The built-in profile for a provider name (openai, mistral, moonshot, deepseek, groq,
// openrouter, together, xai, gemini, ollama, llamafile, llamacpp, lmstudio, vllm); any other
// name gets a conservative generic profile. The reference stays valid for the process.
const Profile& profile_for(std::string_view provider_name);

}  // namespace otari::translate
