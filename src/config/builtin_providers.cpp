#include "config/builtin_providers.hpp"

namespace otari::config {

const std::vector<BuiltinProvider>& builtin_providers() {
    static const std::vector<BuiltinProvider> table = {
        {"anthropic", ProviderType::anthropic, "https://api.anthropic.com", "ANTHROPIC_API_KEY"},
        {"openai", ProviderType::openai, "https://api.openai.com/v1", "OPENAI_API_KEY"},
        {"mistral", ProviderType::openai, "https://api.mistral.ai/v1", "MISTRAL_API_KEY"},
        {"moonshot", ProviderType::openai, "https://api.moonshot.ai/v1", "MOONSHOT_API_KEY"},
        {"deepseek", ProviderType::openai, "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"},
        {"groq", ProviderType::openai, "https://api.groq.com/openai/v1", "GROQ_API_KEY"},
        {"openrouter", ProviderType::openai, "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"},
        {"together", ProviderType::openai, "https://api.together.xyz/v1", "TOGETHER_API_KEY"},
        {"xai", ProviderType::openai, "https://api.x.ai/v1", "XAI_API_KEY"},
        {"gemini", ProviderType::openai, "https://generativelanguage.googleapis.com/v1beta/openai",
         "GEMINI_API_KEY"},
        // Local servers at their usual ports; no key needed.
        {"ollama", ProviderType::openai, "http://127.0.0.1:11434/v1", ""},
        {"llamafile", ProviderType::openai, "http://127.0.0.1:8080/v1", ""},
        {"llamacpp", ProviderType::openai, "http://127.0.0.1:8080/v1", ""},
        {"lmstudio", ProviderType::openai, "http://127.0.0.1:1234/v1", ""},
        {"vllm", ProviderType::openai, "http://127.0.0.1:8000/v1", ""},
    };
    return table;
}

const BuiltinProvider* find_builtin(std::string_view name) {
    for (const auto& p : builtin_providers()) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

}  // namespace otari::config
