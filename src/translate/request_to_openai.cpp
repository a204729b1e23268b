#include "translate/request_to_openai.hpp"

#include <array>
#include <string_view>

#include "translate/common.hpp"
#include "translate/messages_to_openai.hpp"
#include "translate/tools_to_openai.hpp"
#include "util/sha256.hpp"

namespace otari::translate {
namespace {

constexpr std::array<std::string_view, 6> kEffortOrder = {"none",   "minimal", "low",
                                                          "medium", "high",    "xhigh"};

int effort_rank(std::string_view level) {
    for (size_t i = 0; i < kEffortOrder.size(); ++i) {
        if (kEffortOrder[i] == level) return static_cast<int>(i);
    }
    return -1;
}

// Top-level fields read by this translation (everything else is dropped and noted).
bool is_translated_field(std::string_view key) {
    static constexpr std::string_view fields[] = {
        "model",       "messages",       "system",        "tools",
        "tool_choice", "max_tokens",     "temperature",   "top_p",
        "top_k",       "stop_sequences", "stream",        "metadata",
        "thinking",    "output_config",  "output_format", "service_tier",
    };
    for (auto field : fields) {
        if (field == key) return true;
    }
    return false;
}

void reject_inexpressible(const json& request) {
    const json& mcp = member(request, "mcp_servers");
    if (mcp.is_array() ? !mcp.empty() : !mcp.is_null()) {
        throw TranslateError("mcp_servers is not supported by the selected model");
    }
    if (!member(request, "container").is_null()) {
        throw TranslateError("container is not supported by the selected model");
    }
}

void set_max_tokens(const json& request, const std::string& model, const Profile& profile,
                    json& out) {
    const json& max_tokens = member(request, "max_tokens");
    if (!max_tokens.is_number_integer() || max_tokens.get<int64_t>() < 1) {
        throw TranslateError("max_tokens: expected a positive integer");
    }
    int64_t value = max_tokens.get<int64_t>();
    if (const int64_t cap = profile.output_cap(model); cap > 0 && value > cap) value = cap;
    const bool completion_field =
        profile.max_tokens_field == MaxTokensField::max_completion_tokens ||
        (profile.reasoning_models_fix_sampling && profile.is_reasoning_model(model));
    out[completion_field ? "max_completion_tokens" : "max_tokens"] = value;
}

void set_sampling(const json& request, const std::string& model, const Profile& profile,
                  json& out) {
    if (!profile.fixes_sampling(model)) {
        for (const char* key : {"temperature", "top_p"}) {
            if (const json& v = member(request, key); v.is_number()) out[key] = v;
        }
    }
    if (profile.supports_top_k) {
        if (const json& v = member(request, "top_k"); v.is_number()) out["top_k"] = v;
    }
    const json& stops = member(request, "stop_sequences");
    if (stops.is_array()) {
        json stop = json::array();
        for (const auto& s : stops) {
            if (!s.is_string() || s.get_ref<const std::string&>().empty()) continue;
            if (profile.max_stop_sequences > 0 && stop.size() >= profile.max_stop_sequences) break;
            stop.push_back(s);
        }
        if (!stop.empty()) out["stop"] = std::move(stop);
    }
}

void set_stream(const json& request, const Profile& profile, json& out) {
    if (member(request, "stream") != true) return;
    out["stream"] = true;
    if (profile.supports_stream_options) out["stream_options"] = {{"include_usage", true}};
}

// Claude Code sends the same user_id with every turn of a session: each thread keeps its last
// hash. Pure computation, no wait in between, so fibers sharing the thread cannot interleave.
const std::string& hashed_user_id(const std::string& user_id) {
    thread_local std::string last_id;
    thread_local std::string last_hash;
    if (last_hash.empty() || last_id != user_id) {
        last_hash = util::sha256_hex(user_id);
        last_id = user_id;
    }
    return last_hash;
}

void set_user(const json& request, const Profile& profile, json& out) {
    const json& user_id = member(member(request, "metadata"), "user_id");
    if (!user_id.is_string() || user_id.get_ref<const std::string&>().empty()) return;
    switch (profile.user_id_field) {
        case UserIdField::drop:
            return;
        case UserIdField::user:
            out["user"] = hashed_user_id(user_id.get_ref<const std::string&>());
            return;
        case UserIdField::safety_identifier:
            out["safety_identifier"] = hashed_user_id(user_id.get_ref<const std::string&>());
            return;
    }
}

void set_reasoning(const json& request, const std::string& model, const Profile& profile,
                   json& out) {
    if (!profile.takes_reasoning_controls(model)) return;
    const std::string level = effort_for_thinking(request);
    if (level.empty()) return;
    const bool off = level == "none";
    const json& thinking = member(request, "thinking");
    switch (profile.reasoning_style) {
        case ReasoningStyle::none:
            return;
        case ReasoningStyle::openai_effort:
            if (!off) {
                out["reasoning_effort"] = clamp_effort(level, profile.reasoning_effort_values);
            } else if (profile.effort_none_allowed) {
                out["reasoning_effort"] = "none";
            }
            return;
        case ReasoningStyle::thinking_type:
            if (thinking.is_object()) {  // effort alone does not switch thinking on
                out["thinking"] = {{"type", off ? "disabled" : "enabled"}};
            }
            return;
        case ReasoningStyle::openrouter:
            if (off) return;
            if (const json& budget = member(thinking, "budget_tokens");
                member(thinking, "type") == "enabled" && budget.is_number_integer()) {
                out["reasoning"] = {{"max_tokens", budget}};
            } else {
                out["reasoning"] = {
                    {"effort", clamp_effort(level, profile.reasoning_effort_values)}};
            }
            return;
    }
}

std::string schema_name(const json& schema) {
    std::string name;
    for (char c : member(schema, "title").is_string() ? schema["title"].get<std::string>() : "") {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-';
        name.push_back(ok ? c : '_');
        if (name.size() == 64) break;
    }
    return name.empty() ? "structured_output" : name;
}

void set_response_format(const json& request, const Profile& profile, json& out) {
    const json* format = &member(member(request, "output_config"), "format");
    if (format->is_null()) format = &member(request, "output_format");
    if (!format->is_object() || !profile.json_schema_output) return;
    if (member(*format, "type") != "json_schema") {
        throw TranslateError("output_config.format.type: only \"json_schema\" is supported");
    }
    const json& schema = member(*format, "schema");
    if (!schema.is_object()) throw TranslateError("output_config.format.schema: field required");
    json sent = schema;
    sanitize_schema(sent, profile);
    const bool strict = profile.supports_strict && is_strict_compatible(sent);
    out["response_format"] = {
        {"type", "json_schema"},
        {"json_schema",
         {{"name", schema_name(schema)}, {"schema", std::move(sent)}, {"strict", strict}}}};
}

void set_service_tier(const json& request, const Profile& profile, json& out) {
    const json& tier = member(request, "service_tier");
    if (!profile.supports_service_tier || !tier.is_string()) return;
    if (tier == "auto") out["service_tier"] = "auto";
    if (tier == "standard_only") out["service_tier"] = "default";
}

}  // namespace

std::string effort_for_thinking(const json& request) {
    const json& thinking = member(request, "thinking");
    const std::string type =
        member(thinking, "type").is_string() ? thinking["type"].get<std::string>() : "";
    if (type == "disabled") return "none";
    const json& effort = member(member(request, "output_config"), "effort");
    if (effort.is_string() && !effort.get_ref<const std::string&>().empty()) {
        const std::string& e = effort.get_ref<const std::string&>();
        return e == "max" ? "xhigh" : e;
    }
    if (type == "enabled") {
        const json& budget = member(thinking, "budget_tokens");
        const int64_t b = budget.is_number_integer() ? budget.get<int64_t>() : 0;
        if (b <= 1024) return "minimal";
        if (b <= 2048) return "low";
        if (b <= 8192) return "medium";
        if (b <= 24576) return "high";
        return "xhigh";
    }
    if (type == "adaptive") return "medium";
    return "";
}

std::string clamp_effort(const std::string& level, const std::vector<std::string>& allowed) {
    if (allowed.empty()) return level;
    const int wanted = effort_rank(level);
    const std::string* best = nullptr;
    int best_rank = -1;
    for (const auto& candidate : allowed) {
        const int rank = effort_rank(candidate);
        if (rank <= wanted && rank > best_rank) {
            best = &candidate;
            best_rank = rank;
        }
    }
    return best ? *best : allowed.front();
}

namespace {

// `stealable` is `anthropic_request` itself when its tools may be moved from, else null.
json translate_request(const json& anthropic_request, json* stealable,
                       const std::string& upstream_model, const Profile& profile,
                       RequestNotes* notes) {
    if (!anthropic_request.is_object()) throw TranslateError("request body must be a JSON object");
    reject_inexpressible(anthropic_request);
    RequestNotes local_notes;
    RequestNotes& n = notes ? *notes : local_notes;

    json out = object_with_room(24);
    out["model"] = upstream_model;
    out["messages"] = messages_to_openai(anthropic_request, profile);
    if (stealable) {
        move_tools_to_openai(*stealable, profile, out, n.dropped_tools);
    } else {
        tools_to_openai(anthropic_request, profile, out, n.dropped_tools);
    }
    set_max_tokens(anthropic_request, upstream_model, profile, out);
    set_sampling(anthropic_request, upstream_model, profile, out);
    set_stream(anthropic_request, profile, out);
    set_user(anthropic_request, profile, out);
    set_reasoning(anthropic_request, upstream_model, profile, out);
    set_response_format(anthropic_request, profile, out);
    set_service_tier(anthropic_request, profile, out);
    if (notes) {
        for (const auto& [key, value] : anthropic_request.items()) {
            if (!is_translated_field(key)) n.dropped_fields.push_back(key);
        }
    }
    return out;
}

}  // namespace

json request_to_openai(const json& anthropic_request, const std::string& upstream_model,
                       const Profile& profile, RequestNotes* notes) {
    return translate_request(anthropic_request, nullptr, upstream_model, profile, notes);
}

json request_to_openai(json&& anthropic_request, const std::string& upstream_model,
                       const Profile& profile, RequestNotes* notes) {
    return translate_request(anthropic_request, &anthropic_request, upstream_model, profile, notes);
}

}  // namespace otari::translate
