#include "translate/profile.hpp"

#include <unordered_map>

namespace otari::translate {
namespace {

bool starts_with_any(std::string_view model, const std::vector<std::string>& prefixes) {
    for (const auto& prefix : prefixes) {
        if (model.substr(0, prefix.size()) == prefix) return true;
    }
    return false;
}

Profile make_generic() { return Profile{}; }

Profile make_openai() {
    Profile p;
    p.name = "openai";
    p.max_tokens_field = MaxTokensField::max_completion_tokens;
    p.reasoning_model_prefixes = {"o1", "o3", "o4", "gpt-5"};
    p.reasoning_models_fix_sampling = true;
    p.max_stop_sequences = 4;
    p.max_tool_id_length = 40;
    p.reasoning_style = ReasoningStyle::openai_effort;
    p.user_id_field = UserIdField::safety_identifier;
    p.supports_service_tier = true;
    p.mid_conversation_system = MidConversationSystem::keep_in_place;
    return p;
}

Profile make_mistral() {
    Profile p;
    p.name = "mistral";
    p.tool_id_codec = ToolIdCodec::mistral9;
    p.requires_assistant_after_tool = true;
    p.supports_stream_options = false;
    p.reasoning_style = ReasoningStyle::openai_effort;
    p.reasoning_model_prefixes = {"magistral"};
    p.reasoning_effort_values = {"high"};
    p.effort_none_allowed = true;
    p.user_id_field = UserIdField::drop;
    p.pdf_input = PdfInput::unsupported;
    return p;
}

Profile make_moonshot() {
    Profile p;
    p.name = "moonshot";
    p.reasoning_replay = ReasoningReplay::reasoning_content;
    p.reasoning_style = ReasoningStyle::thinking_type;
    p.reasoning_model_prefixes = {"kimi-k2.5", "kimi-k2.6"};
    p.fixed_sampling_model_prefixes = {"kimi-k2.5", "kimi-k2.6", "kimi-k2-thinking"};
    p.user_id_field = UserIdField::drop;
    p.pdf_input = PdfInput::unsupported;
    p.supports_strict = false;
    return p;
}

Profile make_deepseek() {
    Profile p;
    p.name = "deepseek";
    p.reasoning_replay = ReasoningReplay::reasoning_content;
    p.reasoning_style = ReasoningStyle::thinking_type;
    p.output_token_caps = {{"deepseek-reasoner", 65536}, {"", 8192}};
    p.user_id_field = UserIdField::drop;
    p.pdf_input = PdfInput::unsupported;
    p.json_schema_output = false;
    return p;
}

Profile make_groq() {
    Profile p;
    p.name = "groq";
    p.strip_schema_keys = {"$schema"};
    p.reasoning_style = ReasoningStyle::openai_effort;
    p.reasoning_model_prefixes = {"openai/gpt-oss"};
    p.pdf_input = PdfInput::unsupported;
    p.supports_strict = false;
    return p;
}

Profile make_openrouter() {
    Profile p;
    p.name = "openrouter";
    p.reasoning_style = ReasoningStyle::openrouter;
    return p;
}

Profile make_together() {
    Profile p;
    p.name = "together";
    p.pdf_input = PdfInput::unsupported;
    p.supports_strict = false;
    return p;
}

Profile make_xai() {
    Profile p;
    p.name = "xai";
    p.reasoning_style = ReasoningStyle::openai_effort;
    p.reasoning_model_prefixes = {"grok-3-mini"};
    p.reasoning_effort_values = {"low", "high"};
    p.pdf_input = PdfInput::unsupported;
    return p;
}

Profile make_gemini() {
    Profile p;
    p.name = "gemini";
    p.strip_schema_keys = {"$schema",         "$id",
                           "$comment",        "additionalProperties",
                           "propertyNames",   "exclusiveMinimum",
                           "exclusiveMaximum"};
    p.const_to_enum = true;
    p.supports_parallel_tool_calls_param = false;
    p.supports_strict = false;
    p.reasoning_style = ReasoningStyle::openai_effort;
    p.reasoning_model_prefixes = {"gemini-2.5", "gemini-3"};
    p.user_id_field = UserIdField::drop;
    p.pdf_input = PdfInput::image_url_data;
    return p;
}

// Local servers: no key, lenient about [DONE], strict about unknown shapes.
Profile make_local(std::string name) {
    Profile p;
    p.name = std::move(name);
    p.lenient_eof = true;
    p.null_content_with_tool_calls = false;
    p.user_id_field = UserIdField::drop;
    p.pdf_input = PdfInput::unsupported;
    p.supports_strict = false;
    return p;
}

Profile make_ollama() {
    Profile p = make_local("ollama");
    return p;
}

Profile make_llamafile() {
    Profile p = make_local("llamafile");
    p.supports_stream_options = false;
    p.supports_top_k = true;
    return p;
}

Profile make_llamacpp() {
    Profile p = make_local("llamacpp");
    p.supports_top_k = true;
    p.reasoning_replay = ReasoningReplay::reasoning_content;
    return p;
}

Profile make_lmstudio() {
    Profile p = make_local("lmstudio");
    p.supports_top_k = true;
    return p;
}

Profile make_vllm() {
    Profile p = make_local("vllm");
    p.lenient_eof = false;
    p.supports_top_k = true;
    p.user_id_field = UserIdField::user;
    p.stop_match_field = StopMatchField::stop_reason;
    return p;
}

const std::unordered_map<std::string_view, Profile>& builtin_profiles() {
    static const std::unordered_map<std::string_view, Profile> profiles = [] {
        std::unordered_map<std::string_view, Profile> m;
        m.emplace("openai", make_openai());
        m.emplace("mistral", make_mistral());
        m.emplace("moonshot", make_moonshot());
        m.emplace("deepseek", make_deepseek());
        m.emplace("groq", make_groq());
        m.emplace("openrouter", make_openrouter());
        m.emplace("together", make_together());
        m.emplace("xai", make_xai());
        m.emplace("gemini", make_gemini());
        m.emplace("ollama", make_ollama());
        m.emplace("llamafile", make_llamafile());
        m.emplace("llamacpp", make_llamacpp());
        m.emplace("lmstudio", make_lmstudio());
        m.emplace("vllm", make_vllm());
        return m;
    }();
    return profiles;
}

}  // namespace

bool Profile::is_reasoning_model(std::string_view model) const {
    return starts_with_any(model, reasoning_model_prefixes);
}

bool Profile::fixes_sampling(std::string_view model) const {
    if (reasoning_models_fix_sampling && is_reasoning_model(model)) return true;
    return starts_with_any(model, fixed_sampling_model_prefixes);
}

bool Profile::takes_reasoning_controls(std::string_view model) const {
    if (reasoning_style == ReasoningStyle::none) return false;
    return reasoning_model_prefixes.empty() || is_reasoning_model(model);
}

int64_t Profile::output_cap(std::string_view model) const {
    for (const auto& [prefix, cap] : output_token_caps) {
        if (model.substr(0, prefix.size()) == prefix) return cap;
    }
    return 0;
}

const Profile& profile_for(std::string_view provider_name) {
    static const Profile generic = make_generic();
    const auto& profiles = builtin_profiles();
    auto it = profiles.find(provider_name);
    return it == profiles.end() ? generic : it->second;
}

}  // namespace otari::translate
