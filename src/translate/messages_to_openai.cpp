#include "translate/messages_to_openai.hpp"

#include <string>
#include <unordered_set>
#include <vector>

#include "translate/common.hpp"
#include "translate/tool_ids.hpp"

namespace otari::translate {
namespace {

constexpr std::string_view kBillingHeaderPrefix = "x-anthropic-billing-header:";

const std::string& string_member(const json& object, const char* key) {
    static const std::string empty;
    if (!object.is_object()) return empty;
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get_ref<const std::string&>() : empty;
}

void append_joined(std::string& to, const std::string& text, std::string_view separator) {
    if (text.empty()) return;
    if (!to.empty()) to += separator;
    to += text;
}

// Claude Code's `cch=` stamp changes on every request and would defeat prefix caching.
std::string normalized_billing_header(std::string text) {
    if (text.rfind(kBillingHeaderPrefix, 0) != 0) return text;
    size_t pos = text.find("cch=");
    if (pos == std::string::npos) return text;
    for (pos += 4; pos < text.size() && text[pos] != ';'; ++pos) text[pos] = '0';
    return text;
}

// Text of a system prompt (string or text blocks).
std::string system_text(const json& system, bool normalize_billing_header) {
    if (system.is_string()) return system.get<std::string>();
    std::string text;
    if (!system.is_array()) return text;
    bool first = true;
    for (const auto& block : system) {
        if (!block.is_object() || string_member(block, "type") != "text") continue;
        const std::string& part = string_member(block, "text");
        if (first && normalize_billing_header) {
            append_joined(text, normalized_billing_header(part), "\n\n");
        } else {
            append_joined(text, part, "\n\n");
        }
        first = false;
    }
    return text;
}

json text_part(std::string text) { return object_of("type", "text", "text", std::move(text)); }

std::string data_url(const json& source, std::string_view default_media_type) {
    const std::string& data = string_member(source, "data");
    if (data.rfind("data:", 0) == 0) return data;
    std::string media = string_member(source, "media_type");
    if (media.empty()) media = default_media_type;
    std::string url;
    url.reserve(media.size() + data.size() + 13);
    url += "data:";
    url += media;
    url += ";base64,";
    url += data;
    return url;
}

const json& source_of(const json& block, const char* what) {
    auto it = block.find("source");
    if (it == block.end() || !it->is_object()) {
        throw TranslateError(std::string(what) + " block without a source");
    }
    return *it;
}

json image_part(const json& block) {
    const json& source = source_of(block, "image");
    const std::string& type = string_member(source, "type");
    std::string url;
    if (type == "base64") {
        url = data_url(source, "image/jpeg");
    } else if (type == "url") {
        url = string_member(source, "url");
    } else {
        throw TranslateError("image source type \"" + type +
                             "\" is not supported by the selected model");
    }
    return json{{"type", "image_url"}, {"image_url", {{"url", std::move(url)}}}};
}

class Converter {
  public:
    explicit Converter(const Profile& profile) : m_profile(profile) {}

    void set_system(const json& system) {
        m_system = system_text(system, m_profile.normalize_cc_billing_header);
    }

    void convert(const json& message) {
        if (!message.is_object()) throw TranslateError("messages: each message must be an object");
        const std::string& role = string_member(message, "role");
        const json& content = member(message, "content");
        if (role == "user") {
            convert_user(content);
        } else if (role == "assistant") {
            convert_assistant(content);
        } else if (role == "system") {
            std::string text = system_text(content, false);
            if (text.empty()) return;
            if (m_profile.mid_conversation_system == MidConversationSystem::hoist_to_top) {
                append_joined(m_system, text, "\n\n");
            } else {
                m_messages.push_back(object_of("role", "system", "content", std::move(text)));
            }
        } else {
            throw TranslateError("messages: unsupported role \"" + role + "\"");
        }
    }

    json finish() {
        std::vector<json> merged = merge_adjacent();
        std::vector<json> paired = pair_tool_results(merged);
        json out = json::array();
        for (auto& message : paired) {
            if (message["role"] == "user" && !finish_user_content(message)) continue;
            out.push_back(std::move(message));
        }
        return out;
    }

  private:
    void convert_user(const json& content) {
        json parts = json::array();
        if (content.is_string()) {
            if (!content.get_ref<const std::string&>().empty()) parts.push_back(text_part(content));
        } else if (content.is_array()) {
            json tool_images = json::array();
            for (const auto& block : content) {
                if (!block.is_object()) continue;
                const std::string& type = string_member(block, "type");
                if (type == "text") {
                    const std::string& text = string_member(block, "text");
                    if (!text.empty()) parts.push_back(text_part(text));
                } else if (type == "image") {
                    parts.push_back(image_part(block));
                } else if (type == "document") {
                    append_document(block, parts);
                } else if (type == "search_result") {
                    parts.push_back(text_part(search_result_text(block)));
                } else if (type == "tool_result") {
                    m_messages.push_back(tool_message(block, tool_images));
                }
                // Other blocks (thinking echoed in a user turn, container uploads, ...) have
                // no Chat Completions form and carry nothing the model needs.
            }
            if (!tool_images.empty()) {
                for (auto& part : parts) tool_images.push_back(std::move(part));
                parts = std::move(tool_images);
            }
        }
        if (!parts.empty())
            m_messages.push_back(object_of("role", "user", "content", std::move(parts)));
    }

    void convert_assistant(const json& content) {
        if (content.is_string()) {
            if (!content.get_ref<const std::string&>().empty()) {
                m_messages.push_back(object_of("role", "assistant", "content", content));
            }
            return;
        }
        if (!content.is_array()) return;
        std::string text;
        std::string reasoning;
        json tool_calls = json::array();
        for (const auto& block : content) {
            if (!block.is_object()) continue;
            const std::string& type = string_member(block, "type");
            if (type == "text") {
                text += string_member(block, "text");
            } else if (type == "tool_use") {
                tool_calls.push_back(tool_call(block));
            } else if (type == "thinking" && m_profile.reasoning_replay != ReasoningReplay::drop) {
                append_joined(reasoning, string_member(block, "thinking"), "\n\n");
            }
            // redacted_thinking, server_tool_use and *_tool_result blocks are dropped whole.
        }
        if (text.empty() && tool_calls.empty()) return;
        json message = object_with_room(4);
        message["role"] = "assistant";
        if (!text.empty()) {
            message["content"] = std::move(text);
        } else {
            message["content"] = m_profile.null_content_with_tool_calls ? json() : json("");
        }
        if (!tool_calls.empty()) message["tool_calls"] = std::move(tool_calls);
        if (!reasoning.empty()) message[reasoning_key()] = std::move(reasoning);
        m_messages.push_back(std::move(message));
    }

    const char* reasoning_key() const {
        return m_profile.reasoning_replay == ReasoningReplay::reasoning ? "reasoning"
                                                                        : "reasoning_content";
    }

    json tool_call(const json& block) const {
        const std::string& id = string_member(block, "id");
        if (id.empty()) throw TranslateError("tool_use block without an id");
        auto input = block.find("input");
        std::string arguments =
            input != block.end() && !input->is_null() ? dump_json(*input) : "{}";
        json call = object_with_room(3);
        call["id"] = upstream_tool_id(id, m_profile);
        call["type"] = "function";
        call["function"] = object_of(
            "name",
            upstream_tool_name(string_member(block, "name"), m_profile.max_tool_name_length),
            "arguments", std::move(arguments));
        return call;
    }

    json tool_message(const json& block, json& follow_up_images) const {
        const std::string& id = string_member(block, "tool_use_id");
        if (id.empty()) throw TranslateError("tool_result block without a tool_use_id");
        std::string text;
        json images = json::array();
        const json& content = member(block, "content");
        if (content.is_string()) {
            text = content.get<std::string>();
        } else if (content.is_array()) {
            for (const auto& part : content) {
                if (!part.is_object()) continue;
                const std::string& type = string_member(part, "type");
                if (type == "text") {
                    append_joined(text, string_member(part, "text"), "\n");
                } else if (type == "image") {
                    images.push_back(image_part(part));
                } else if (type == "search_result") {
                    append_joined(text, search_result_text(part), "\n");
                } else if (type == "document") {
                    json parts = json::array();
                    append_document(part, parts);
                    for (auto& p : parts) {
                        if (p["type"] == "text") {
                            append_joined(text, p["text"].get<std::string>(), "\n");
                        } else {
                            images.push_back(std::move(p));
                        }
                    }
                } else if (type == "tool_reference") {
                    append_joined(
                        text, "[tool_reference: " + string_member(part, "tool_name") + "]", "\n");
                } else if (!type.empty()) {
                    append_joined(text, "[" + type + "]", "\n");
                }
            }
        }
        if (block.value("is_error", false) == true)
            text = text.empty() ? "Error" : "Error: " + text;
        json message = object_with_room(3);
        message["role"] = "tool";
        message["tool_call_id"] = upstream_tool_id(id, m_profile);
        if (!images.empty() && m_profile.tool_content_parts) {
            json parts = json::array();
            if (!text.empty()) parts.push_back(text_part(std::move(text)));
            for (auto& image : images) parts.push_back(std::move(image));
            message["content"] = std::move(parts);
        } else {
            message["content"] = std::move(text);
            for (auto& image : images) follow_up_images.push_back(std::move(image));
        }
        return message;
    }

    void append_document(const json& block, json& parts) const {
        const json& source = source_of(block, "document");
        const std::string& type = string_member(source, "type");
        const std::string& title = string_member(block, "title");
        if (type == "base64") {
            const std::string& media = string_member(source, "media_type");
            if (!media.empty() && media != "application/pdf") {
                throw TranslateError("document media_type \"" + media + "\" is not supported");
            }
            switch (m_profile.pdf_input) {
                case PdfInput::file_part:
                    parts.push_back(
                        {{"type", "file"},
                         {"file",
                          {{"filename", title.empty() ? std::string("document.pdf") : title},
                           {"file_data", data_url(source, "application/pdf")}}}});
                    return;
                case PdfInput::image_url_data:
                    parts.push_back(
                        {{"type", "image_url"},
                         {"image_url", {{"url", data_url(source, "application/pdf")}}}});
                    return;
                case PdfInput::unsupported:
                    throw TranslateError("PDF documents are not supported by the selected model");
            }
        } else if (type == "text") {
            std::string text = title;
            append_joined(text, string_member(block, "context"), "\n\n");
            append_joined(text, string_member(source, "data"), "\n\n");
            if (!text.empty()) parts.push_back(text_part(std::move(text)));
        } else if (type == "content") {
            const json& inner = member(source, "content");
            if (inner.is_string()) {
                if (!inner.get_ref<const std::string&>().empty()) parts.push_back(text_part(inner));
            } else if (inner.is_array()) {
                for (const auto& sub : inner) {
                    const std::string& sub_type = string_member(sub, "type");
                    if (sub_type == "text" && !string_member(sub, "text").empty()) {
                        parts.push_back(text_part(string_member(sub, "text")));
                    } else if (sub_type == "image") {
                        parts.push_back(image_part(sub));
                    }
                }
            }
        } else {
            throw TranslateError("document source type \"" + type +
                                 "\" is not supported by the selected model");
        }
    }

    static std::string search_result_text(const json& block) {
        std::string text = string_member(block, "title");
        append_joined(text, string_member(block, "source"), "\n");
        if (block.contains("content") && block["content"].is_array()) {
            for (const auto& part : block["content"]) {
                append_joined(text, string_member(part, "text"), "\n\n");
            }
        }
        return text;
    }

    // Adjacent user/assistant/system messages become one; the leading system prompt first.
    std::vector<json> merge_adjacent() {
        std::vector<json> merged;
        merged.reserve(m_messages.size() + 1);
        if (!m_system.empty())
            merged.push_back(object_of("role", "system", "content", std::move(m_system)));
        for (auto& message : m_messages) {
            if (!merged.empty() && merged.back()["role"] == message["role"] &&
                message["role"] != "tool") {
                merge_into(merged.back(), message);
            } else {
                merged.push_back(std::move(message));
            }
        }
        return merged;
    }

    void merge_into(json& into, json& from) const {
        const std::string role = into["role"].get<std::string>();
        if (role == "user") {
            for (auto& part : from["content"]) into["content"].push_back(std::move(part));
            return;
        }
        std::string text = into["content"].is_string() ? into["content"].get<std::string>() : "";
        if (from["content"].is_string())
            append_joined(text, from["content"].get<std::string>(), "\n\n");
        if (role == "system") {
            into["content"] = std::move(text);
            return;
        }
        if (from.contains("tool_calls")) {
            if (!into.contains("tool_calls")) into["tool_calls"] = json::array();
            for (auto& call : from["tool_calls"]) into["tool_calls"].push_back(std::move(call));
        }
        const char* key = reasoning_key();
        if (from.contains(key)) {
            std::string reasoning = into.value(key, std::string());
            append_joined(reasoning, from[key].get<std::string>(), "\n\n");
            into[key] = std::move(reasoning);
        }
        if (!text.empty()) {
            into["content"] = std::move(text);
        } else {
            into["content"] = m_profile.null_content_with_tool_calls ? json() : json("");
        }
    }

    // Tool messages right after their assistant message, one per call.
    std::vector<json> pair_tool_results(std::vector<json>& merged) const {
        std::vector<json> out;
        out.reserve(merged.size() + 4);
        for (size_t i = 0; i < merged.size(); ++i) {
            json& message = merged[i];
            if (message["role"] == "tool") continue;  // not right after its call: stray
            const bool has_calls = message.contains("tool_calls");
            std::vector<std::string> ids;
            if (has_calls) {
                for (const auto& call : message["tool_calls"])
                    ids.push_back(call["id"].get<std::string>());
            }
            out.push_back(std::move(message));
            if (!has_calls) continue;
            std::unordered_set<std::string> answered;
            size_t j = i + 1;
            for (; j < merged.size() && merged[j]["role"] == "tool"; ++j) {
                const std::string id = merged[j]["tool_call_id"].get<std::string>();
                bool known = false;
                for (const auto& call_id : ids) known = known || call_id == id;
                if (known && answered.insert(id).second) out.push_back(std::move(merged[j]));
            }
            for (const auto& id : ids) {
                if (answered.count(id) == 0) {
                    out.push_back(
                        {{"role", "tool"}, {"tool_call_id", id}, {"content", "[no result]"}});
                }
            }
            if (m_profile.requires_assistant_after_tool && j < merged.size() &&
                merged[j]["role"] == "user") {
                out.push_back({{"role", "assistant"}, {"content", "OK."}});
            }
            i = j - 1;
        }
        return out;
    }

    // False when the user message has nothing left.
    bool finish_user_content(json& message) const {
        json& parts = message["content"];
        if (parts.empty()) return false;
        if (!m_profile.prefer_string_content) return true;
        for (const auto& part : parts) {
            if (part["type"] != "text") return true;
        }
        if (parts.size() == 1) {
            std::string text = std::move(parts[0]["text"].get_ref<std::string&>());
            message["content"] = std::move(text);
            return true;
        }
        std::string text;
        for (auto& part : parts)
            append_joined(text, part["text"].get_ref<const std::string&>(), "\n\n");
        message["content"] = std::move(text);
        return true;
    }

    const Profile& m_profile;
    std::string m_system;
    std::vector<json> m_messages;
};

}  // namespace

json messages_to_openai(const json& anthropic_request, const Profile& profile) {
    Converter converter(profile);
    if (auto system = anthropic_request.find("system"); system != anthropic_request.end()) {
        converter.set_system(*system);
    }
    auto messages = anthropic_request.find("messages");
    if (messages == anthropic_request.end() || !messages->is_array()) {
        throw TranslateError("messages: field required");
    }
    for (const auto& message : *messages) converter.convert(message);
    return converter.finish();
}

}  // namespace otari::translate
