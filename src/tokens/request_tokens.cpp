#include "tokens/request_tokens.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "tokenize/o200k.hpp"
#include "tokens/media_tokens.hpp"
#include "tokens/model_family.hpp"

namespace otari::tokens {
namespace {

// OpenAI cookbook constants (chat messages, and functions for gpt-4o).
constexpr int64_t k_openai_per_message = 3;
constexpr int64_t k_openai_role = 1;  // "system", "user", "assistant", "tool": one token each
constexpr int64_t k_openai_reply_priming = 3;
constexpr int64_t k_openai_per_tool_call = 3;
constexpr int64_t k_openai_function_init = 7;
constexpr int64_t k_openai_properties_init = 3;
constexpr int64_t k_openai_property_key = 3;
constexpr int64_t k_openai_enum_init = -3;
constexpr int64_t k_openai_enum_item = 3;
constexpr int64_t k_openai_functions_end = 12;

// Calibrated overheads for Claude and other models, in o200k tokens before scaling.
constexpr int64_t k_request_overhead = 3;
constexpr int64_t k_message_overhead = 4;
constexpr int64_t k_tool_block_overhead = 8;
constexpr int64_t k_tool_definition_overhead = 8;
constexpr int64_t k_claude_tool_prompt_auto = 346;
constexpr int64_t k_claude_tool_prompt_forced = 313;

int64_t text_tokens(std::string_view text) {
    return static_cast<int64_t>(tokenize::count_o200k(text));
}

int64_t json_tokens(const json& value) { return text_tokens(dump_json(value)); }

std::string_view string_field(const json& object, const char* key) {
    if (!object.is_object()) return {};
    auto it = object.find(key);
    return it != object.end() && it->is_string()
               ? std::string_view(it->get_ref<const std::string&>())
               : std::string_view();
}

const json* field(const json& object, const char* key) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

std::string_view without_final_period(std::string_view text) {
    return text.ends_with('.') ? text.substr(0, text.size() - 1) : text;
}

// Tokens of one request, split into text (o200k, scaled for non-OpenAI models) and media.
struct Tally {
    int64_t text = 0;
    int64_t media = 0;
};

class Counter {
  public:
    explicit Counter(TokenizerFamily family) : family_(family) {}

    bool openai() const { return family_ == TokenizerFamily::openai; }

    // A `content` value: a string or an array of blocks.
    void content(const json& value, Tally& tally) const {
        if (value.is_string()) {
            tally.text += text_tokens(value.get_ref<const std::string&>());
        } else if (value.is_array()) {
            for (const json& block : value) this->block(block, tally);
        }
    }

    void block(const json& block, Tally& tally) const {
        if (!block.is_object()) return;
        std::string_view type = string_field(block, "type");
        if (type == "text") {
            tally.text += text_tokens(string_field(block, "text"));
        } else if (type == "thinking") {
            tally.text += text_tokens(string_field(block, "thinking"));
        } else if (type == "redacted_thinking") {
            if (!openai()) tally.text += json_tokens(block);  // dropped on the way to OpenAI
        } else if (type == "image") {
            tally.media += image_block_tokens(block, family_);
        } else if (type == "document") {
            document(block, tally);
        } else if (type == "tool_use" || type == "server_tool_use") {
            tally.text += tool_call(block);
        } else if (type == "tool_result" || type.ends_with("_tool_result")) {
            if (!openai()) tally.text += k_tool_block_overhead;
            if (const json* inner = field(block, "content")) content(*inner, tally);
        } else if (type == "search_result") {
            tally.text += text_tokens(string_field(block, "title")) +
                          text_tokens(string_field(block, "source"));
            if (const json* inner = field(block, "content")) content(*inner, tally);
        } else {
            tally.text += json_tokens(block);
        }
    }

    // A tool_use block: its name and input JSON, plus the call's overhead.
    int64_t tool_call(const json& block) const {
        int64_t tokens = openai() ? k_openai_per_tool_call : k_tool_block_overhead;
        tokens += text_tokens(string_field(block, "name"));
        if (const json* input = field(block, "input")) tokens += json_tokens(*input);
        return tokens;
    }

    void document(const json& block, Tally& tally) const {
        tally.text +=
            text_tokens(string_field(block, "title")) + text_tokens(string_field(block, "context"));
        const json* source = field(block, "source");
        std::string_view source_type = source ? string_field(*source, "type") : "";
        if (source_type == "text") {
            tally.text += text_tokens(string_field(*source, "data"));
        } else if (source_type == "content") {
            if (const json* inner = field(*source, "content")) content(*inner, tally);
        } else {
            tally.media += document_media_tokens(block);
        }
    }

    // Text of `system`: a string or text blocks (OpenAI joins them with "\n\n", about one
    // token per separator, which this sum of the blocks leaves out).
    int64_t system(const json& value) const {
        Tally tally;
        content(value, tally);
        return tally.text;
    }

    void message(const json& message, Tally& tally) const {
        const json* content_value = field(message, "content");
        if (!openai()) {
            tally.text += k_message_overhead;
            if (content_value) content(*content_value, tally);
            return;
        }
        // Chat Completions: each tool_result becomes a `tool` message; the rest stays one
        // message of the same role.
        bool has_other_content = !content_value || !content_value->is_array();
        if (content_value && content_value->is_array()) {
            for (const json& block : *content_value) {
                if (string_field(block, "type") == "tool_result") {
                    tally.text += k_openai_per_message + k_openai_role;
                    this->block(block, tally);
                } else {
                    has_other_content = true;
                    this->block(block, tally);
                }
            }
        } else if (content_value) {
            content(*content_value, tally);
        }
        if (has_other_content) tally.text += k_openai_per_message + k_openai_role;
    }

    int64_t tools(const json& tools) const {
        if (!tools.is_array() || tools.empty()) return 0;
        int64_t tokens = 0;
        for (const json& tool : tools)
            tokens += openai() ? openai_function(tool) : tool_definition(tool);
        return openai() ? tokens + k_openai_functions_end : tokens;
    }

  private:
    int64_t tool_definition(const json& tool) const {
        if (!tool.is_object()) return 0;
        const json* schema = field(tool, "input_schema");
        if (!schema) return k_tool_definition_overhead + json_tokens(tool);  // server tools
        return k_tool_definition_overhead + text_tokens(string_field(tool, "name")) +
               text_tokens(string_field(tool, "description")) + json_tokens(*schema);
    }

    // The cookbook's function formula, on an Anthropic tool (input_schema = parameters).
    int64_t openai_function(const json& tool) const {
        if (!tool.is_object()) return 0;
        std::string line(string_field(tool, "name"));
        line += ':';
        line += without_final_period(string_field(tool, "description"));
        int64_t tokens = k_openai_function_init + text_tokens(line);
        const json* schema = field(tool, "input_schema");
        const json* properties = schema ? field(*schema, "properties") : nullptr;
        if (!properties || !properties->is_object() || properties->empty()) return tokens;
        tokens += k_openai_properties_init;
        for (const auto& [key, property] : properties->items()) {
            tokens += k_openai_property_key;
            const json* type = field(property, "type");
            std::string type_text = !type               ? ""
                                    : type->is_string() ? type->get<std::string>()
                                                        : dump_json(*type);
            if (const json* values = field(property, "enum"); values && values->is_array()) {
                tokens += k_openai_enum_init;
                for (const json& item : *values) {
                    tokens += k_openai_enum_item +
                              (item.is_string() ? text_tokens(item.get_ref<const std::string&>())
                                                : json_tokens(item));
                }
            }
            tokens += text_tokens(
                key + ":" + type_text + ":" +
                std::string(without_final_period(string_field(property, "description"))));
            if (property.is_object()) {
                json rest = property;
                for (const char* covered : {"type", "description", "enum"}) rest.erase(covered);
                if (!rest.empty()) tokens += json_tokens(rest);
            }
        }
        return tokens;
    }

    TokenizerFamily family_;
};

// Anthropic's tool-use system prompt, in Claude tokens (added unscaled).
int64_t claude_tool_prompt(const json& request) {
    const json* tools = field(request, "tools");
    if (!tools || !tools->is_array() || tools->empty()) return 0;
    const json* tool_choice = field(request, "tool_choice");
    std::string_view choice = tool_choice ? string_field(*tool_choice, "type") : "";
    return choice == "any" || choice == "tool" ? k_claude_tool_prompt_forced
                                               : k_claude_tool_prompt_auto;
}

}  // namespace

int64_t count_request_tokens(const json& request, const std::string& model) {
    const TokenizerFamily family = tokenizer_family(model);
    const Counter counter(family);
    const bool openai = family == TokenizerFamily::openai;
    Tally tally;
    tally.text += openai ? k_openai_reply_priming : k_request_overhead;

    if (const json* system = field(request, "system")) {
        int64_t tokens = counter.system(*system);
        if (tokens > 0) {
            tally.text +=
                tokens + (openai ? k_openai_per_message + k_openai_role : k_message_overhead);
        }
    }
    if (const json* messages = field(request, "messages"); messages && messages->is_array()) {
        for (const json& message : *messages) counter.message(message, tally);
    }
    if (const json* tools = field(request, "tools")) tally.text += counter.tools(*tools);

    int64_t text = tally.text;
    if (!openai) {
        const double factor =
            family == TokenizerFamily::anthropic ? k_claude_factor : k_other_factor;
        text = static_cast<int64_t>(std::ceil(static_cast<double>(text) * factor - 1e-9));
    }
    if (family == TokenizerFamily::anthropic) text += claude_tool_prompt(request);
    return std::max<int64_t>(1, text + tally.media);
}

}  // namespace otari::tokens
