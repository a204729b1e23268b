#include "tokens/model_family.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace otari::tokens {
namespace {

// "gpt-4o", "gpt4", "chatgpt-4o-latest", and the reasoning models "o1", "o3-mini", "o4-mini".
bool is_openai_model_name(std::string_view name) {
    if (name.starts_with("gpt") || name.starts_with("chatgpt-")) return true;
    return name.size() >= 2 && name[0] == 'o' &&
           (name[1] == '1' || name[1] == '3' || name[1] == '4') &&
           (name.size() == 2 || name[2] == '-');
}

}  // namespace

TokenizerFamily tokenizer_family(std::string_view model) {
    std::string id(model);
    std::transform(id.begin(), id.end(), id.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    // "claude" anywhere covers Bedrock ("anthropic.claude-3-5-sonnet-20240620-v1:0"), Vertex
    // ("claude-sonnet-4@20250514") and router paths.
    if (id.find("claude") != std::string::npos) return TokenizerFamily::anthropic;

    // The segments between ':' and '/' ("openrouter:openai/gpt-4o" -> openrouter, openai, gpt-4o).
    std::string_view rest = id;
    std::string_view first_segment;
    bool first = true;
    while (true) {
        std::size_t end = rest.find_first_of(":/");
        std::string_view segment = rest.substr(0, end);
        if (first) first_segment = segment;
        first = false;
        if (is_openai_model_name(segment)) return TokenizerFamily::openai;
        if (end == std::string_view::npos) break;
        rest.remove_prefix(end + 1);
    }
    if (first_segment == "anthropic") return TokenizerFamily::anthropic;
    if (first_segment == "openai" && id.size() > first_segment.size())
        return TokenizerFamily::openai;
    return TokenizerFamily::other;
}

}  // namespace otari::tokens
