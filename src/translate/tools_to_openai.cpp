#include "translate/tools_to_openai.hpp"

#include <string_view>

#include "translate/common.hpp"
#include "translate/tool_ids.hpp"

namespace otari::translate {
namespace {

// Keywords whose value is a map of name -> schema.
bool is_schema_map_keyword(std::string_view key) {
    return key == "properties" || key == "patternProperties" || key == "$defs" ||
           key == "definitions" || key == "dependentSchemas";
}

// Keywords whose value is a schema (or, for items, possibly an array of schemas).
bool is_schema_keyword(std::string_view key) {
    return key == "items" || key == "additionalProperties" || key == "not" || key == "if" ||
           key == "then" || key == "else" || key == "contains" || key == "propertyNames" ||
           key == "unevaluatedProperties" || key == "unevaluatedItems" || key == "additionalItems";
}

bool is_schema_list_keyword(std::string_view key) {
    return key == "anyOf" || key == "allOf" || key == "oneOf" || key == "prefixItems";
}

bool needs_sanitizing(const Profile& profile) {
    return !profile.strip_schema_keys.empty() || profile.const_to_enum;
}

void sanitize_node(json& schema, const Profile& profile) {
    if (!schema.is_object()) return;
    for (const auto& key : profile.strip_schema_keys) schema.erase(key);
    if (profile.const_to_enum) {
        if (auto it = schema.find("const"); it != schema.end()) {
            if (!schema.contains("enum")) schema["enum"] = json::array({*it});
            schema.erase("const");
        }
    }
    for (auto& [key, value] : schema.items()) {
        if (is_schema_map_keyword(key)) {
            if (value.is_object()) {
                for (auto& [name, sub] : value.items()) sanitize_node(sub, profile);
            }
        } else if (is_schema_keyword(key)) {
            if (value.is_array()) {
                for (auto& sub : value) sanitize_node(sub, profile);
            } else {
                sanitize_node(value, profile);
            }
        } else if (is_schema_list_keyword(key) && value.is_array()) {
            for (auto& sub : value) sanitize_node(sub, profile);
        }
    }
}

bool is_custom_tool(const json& tool) {
    auto type = tool.find("type");
    return type == tool.end() || type->is_null() || *type == "custom";
}

// The description and input_schema are moved out of `steal_from` (the same tool, mutable)
// when given, else copied from `tool`.
json function_tool(const json& tool, json* steal_from, const Profile& profile) {
    auto name = tool.find("name");
    if (name == tool.end() || !name->is_string()) throw TranslateError("tools: a tool has no name");
    auto take = [&](const char* key) -> json {
        if (steal_from) {
            auto it = steal_from->find(key);
            return it == steal_from->end() ? json() : std::move(*it);
        }
        auto it = tool.find(key);
        return it == tool.end() ? json() : *it;
    };
    json function = object_with_room(4);
    function["name"] =
        upstream_tool_name(name->get_ref<const std::string&>(), profile.max_tool_name_length);
    if (json description = take("description");
        description.is_string() && !description.get_ref<const std::string&>().empty()) {
        function["description"] = std::move(description);
    }
    if (json schema = take("input_schema"); schema.is_object()) {
        if (!schema.contains("type")) schema["type"] = "object";
        if (needs_sanitizing(profile)) sanitize_node(schema, profile);
        function["parameters"] = std::move(schema);
    } else {
        function["parameters"] = {{"type", "object"}, {"properties", json::object()}};
    }
    if (profile.supports_strict && tool.value("strict", false) == true) function["strict"] = true;
    return object_of("type", "function", "function", std::move(function));
}

std::string tool_label(const json& tool) {
    if (tool.contains("name") && tool["name"].is_string()) return tool["name"].get<std::string>();
    if (tool.contains("type") && tool["type"].is_string()) return tool["type"].get<std::string>();
    return "unknown";
}

}  // namespace

void sanitize_schema(json& schema, const Profile& profile) {
    if (needs_sanitizing(profile)) sanitize_node(schema, profile);
}

bool is_strict_compatible(const json& schema) {
    if (schema.is_array()) {
        for (const auto& sub : schema) {
            if (!is_strict_compatible(sub)) return false;
        }
        return true;
    }
    if (!schema.is_object()) return true;
    if (auto props = schema.find("properties"); props != schema.end() && props->is_object()) {
        if (schema.value("additionalProperties", json(true)) != false) return false;
        auto required = schema.find("required");
        if (required == schema.end() || !required->is_array()) return props->empty();
        for (const auto& [name, sub] : props->items()) {
            bool listed = false;
            for (const auto& r : *required) listed = listed || r == name;
            if (!listed || !is_strict_compatible(sub)) return false;
        }
    }
    for (const auto& [key, value] : schema.items()) {
        if (key == "properties") continue;
        if (is_schema_map_keyword(key) && value.is_object()) {
            for (const auto& [name, sub] : value.items()) {
                if (!is_strict_compatible(sub)) return false;
            }
        } else if ((is_schema_keyword(key) || is_schema_list_keyword(key)) &&
                   !is_strict_compatible(value)) {
            return false;
        }
    }
    return true;
}

namespace {

void convert_tools(const json& anthropic_request, json* stealable_request, const Profile& profile,
                   json& out, std::vector<std::string>& dropped_tools) {
    json tools = json::array();
    if (auto it = anthropic_request.find("tools");
        it != anthropic_request.end() && it->is_array()) {
        for (size_t i = 0; i < it->size(); ++i) {
            const json& tool = (*it)[i];
            if (!tool.is_object()) throw TranslateError("tools: each tool must be an object");
            if (!is_custom_tool(tool)) {
                if (profile.server_tools == ServerTools::reject) {
                    throw TranslateError("tool type " + tool.value("type", std::string("?")) +
                                         " is not supported by the selected model");
                }
                dropped_tools.push_back(tool_label(tool));
                continue;
            }
            json* steal_from = stealable_request ? &(*stealable_request)["tools"][i] : nullptr;
            tools.push_back(function_tool(tool, steal_from, profile));
        }
    }
    if (tools.empty()) return;

    const json& choice = member(anthropic_request, "tool_choice");
    json openai_choice;
    bool parallel_disabled = false;
    if (choice.is_object()) {
        const std::string type = choice.value("type", std::string());
        parallel_disabled = choice.value("disable_parallel_tool_use", false) == true;
        if (type == "auto") {
            openai_choice = "auto";
        } else if (type == "any") {
            openai_choice = profile.supports_tool_choice_required ? "required" : "auto";
        } else if (type == "tool") {
            auto name = choice.find("name");
            if (name == choice.end() || !name->is_string()) {
                throw TranslateError("tool_choice.name: field required for type \"tool\"");
            }
            openai_choice = {{"type", "function"},
                             {"function",
                              {{"name", upstream_tool_name(name->get_ref<const std::string&>(),
                                                           profile.max_tool_name_length)}}}};
        } else if (type == "none") {
            if (!profile.supports_tool_choice_none) return;  // no tools: nothing callable
            openai_choice = "none";
            parallel_disabled = false;
        } else {
            throw TranslateError("tool_choice.type: unsupported value \"" + type + "\"");
        }
    } else if (!choice.is_null()) {
        throw TranslateError("tool_choice: expected an object");
    }

    out["tools"] = std::move(tools);
    if (!openai_choice.is_null()) out["tool_choice"] = std::move(openai_choice);
    if (parallel_disabled && profile.supports_parallel_tool_calls_param) {
        out["parallel_tool_calls"] = false;
    }
}

}  // namespace

void tools_to_openai(const json& anthropic_request, const Profile& profile, json& out,
                     std::vector<std::string>& dropped_tools) {
    convert_tools(anthropic_request, nullptr, profile, out, dropped_tools);
}

void move_tools_to_openai(json& anthropic_request, const Profile& profile, json& out,
                          std::vector<std::string>& dropped_tools) {
    convert_tools(anthropic_request, &anthropic_request, profile, out, dropped_tools);
}

}  // namespace otari::translate
