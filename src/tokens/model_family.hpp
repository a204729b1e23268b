#pragma once
#include <string_view>

namespace otari::tokens {

// Whose tokenizer a model's prompt is counted against.
enum class TokenizerFamily {
    openai,     // gpt-*, chatgpt-*, o1/o3/o4*: o200k_base, counted exactly
    anthropic,  // claude*: o200k_base scaled (see request_tokens.hpp)
    other,      // everything else: o200k_base scaled
};

// Classifies a model id as clients send it: case-insensitive, with or without a provider
// selector ("openai:gpt-4o", "openrouter:anthropic/claude-sonnet-4"); the last path segment is
// the model. A bare provider name decides when the model name is not recognised
// ("anthropic:my-alias" -> anthropic).
TokenizerFamily tokenizer_family(std::string_view model);

}  // namespace otari::tokens
