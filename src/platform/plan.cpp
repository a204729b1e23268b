#include "platform/plan.hpp"

#include <cmath>
#include <cstdlib>

#include "config/builtin_providers.hpp"
#include "translate/anthropic_errors.hpp"

namespace otari::platform {
namespace {

constexpr long long k_max_retry_after_s = 86400;

// Providers the platform may name that are not in the standalone table.
struct ExtraProvider {
    std::string_view name;
    std::string_view base_url;
};
constexpr ExtraProvider k_extra_providers[] = {
    {"mzai", "https://platform-api.any-llm.ai/api/v1"},
};

// `id_like`: an integer is taken as its decimal text (ids); otherwise only a string will do.
std::string required_string(const json& object, const char* field, const std::string& where,
                            bool id_like = false) {
    auto it = object.find(field);
    if (it == object.end() || it->is_null()) throw FormatError(where + " has no \"" + field + "\"");
    if (it->is_string()) return it->get<std::string>();
    if (id_like && it->is_number_integer()) return std::to_string(it->get<int64_t>());
    throw FormatError(where + ": \"" + field + "\" is not a string");
}

std::string optional_string(const json& object, const char* field) {
    auto it = object.find(field);
    if (it == object.end() || it->is_null()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
    return {};
}

bool optional_bool(const json& object, const char* field, bool fallback) {
    auto it = object.find(field);
    return it != object.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

Attempt read_attempt(const json& a, const std::string& where, const char* id_field) {
    if (!a.is_object()) throw FormatError(where + " is not an object");
    Attempt attempt;
    attempt.attempt_id = required_string(a, id_field, where, true);
    attempt.provider = required_string(a, "provider", where);
    attempt.model = required_string(a, "model", where);
    attempt.api_key = optional_string(a, "api_key");
    attempt.api_base = optional_string(a, "api_base");
    attempt.managed = optional_bool(a, "managed", false);
    if (auto p = a.find("position"); p != a.end() && p->is_number_integer())
        attempt.position = p->get<int>();
    if (attempt.provider.empty()) throw FormatError(where + ": \"provider\" is empty");
    if (attempt.model.empty()) throw FormatError(where + ": \"model\" is empty");
    return attempt;
}

std::string detail_of(std::string_view body) {
    json parsed = json::parse(body.begin(), body.end(), nullptr, false);
    if (!parsed.is_object()) return {};
    if (auto d = parsed.find("detail"); d != parsed.end()) {
        if (d->is_string()) return d->get<std::string>();
        if (d->is_object()) {
            if (auto m = d->find("message"); m != d->end() && m->is_string())
                return m->get<std::string>();
            if (auto e = d->find("error"); e != d->end() && e->is_object() &&
                                           e->contains("message") && (*e)["message"].is_string()) {
                return (*e)["message"].get<std::string>();
            }
        }
    }
    if (auto e = parsed.find("error"); e != parsed.end()) {
        if (e->is_string()) return e->get<std::string>();
        if (e->is_object() && e->contains("message") && (*e)["message"].is_string())
            return (*e)["message"].get<std::string>();
    }
    if (auto m = parsed.find("message"); m != parsed.end() && m->is_string())
        return m->get<std::string>();
    return {};
}

}  // namespace

json resolve_request(std::string_view selector) {
    size_t colon = selector.find(':');
    size_t slash = selector.find('/');
    size_t cut = std::min(colon, slash);
    if (cut == std::string_view::npos || cut == 0 || cut + 1 >= selector.size()) {
        return {{"model", std::string(selector)}};
    }
    return {{"model", std::string(selector.substr(cut + 1))},
            {"provider", std::string(selector.substr(0, cut))}};
}

Plan parse_plan(const json& payload) {
    if (!payload.is_object()) throw FormatError("the resolve answer is not a JSON object");
    Plan plan;
    plan.workspace_id = optional_string(payload, "workspace_id");
    plan.organization_id = optional_string(payload, "organization_id");
    auto attempts = payload.find("attempts");
    if (attempts != payload.end() && !attempts->is_null()) {
        if (!attempts->is_array()) throw FormatError("\"attempts\" is not a list");
        plan.request_id = optional_string(payload, "request_id");
        plan.fallback_enabled = optional_bool(payload, "fallback_enabled", attempts->size() > 1);
        plan.user_id = optional_string(payload, "user_id");
        for (size_t i = 0; i < attempts->size(); ++i) {
            Attempt a =
                read_attempt((*attempts)[i], "attempts[" + std::to_string(i) + "]", "attempt_id");
            if (!(*attempts)[i].contains("position")) a.position = int(i);
            plan.attempts.push_back(std::move(a));
        }
        return plan;
    }
    // The flat single-attempt shape: its correlation_id is the attempt id.
    Attempt a = read_attempt(payload, "the resolve answer", "correlation_id");
    plan.request_id = optional_string(payload, "request_id");
    if (plan.request_id.empty()) plan.request_id = a.attempt_id;
    plan.attempts.push_back(std::move(a));
    return plan;
}

Refusal refusal_for(int status, std::string_view body,
                    std::optional<std::string_view> retry_after) {
    Refusal r;
    switch (status) {
        case 400:
        case 401:
        case 402:
        case 403:
        case 404:
        case 421:
        case 429: {
            r.status = status;
            r.message = detail_of(body);
            if (r.message.empty()) r.message = "authorization request rejected";
            if (status == 429) {
                if (auto seconds = translate::retry_after_seconds(retry_after)) {
                    long long s = std::atoll(seconds->c_str());
                    r.retry_after = std::to_string(std::min(s, k_max_retry_after_s));
                }
            }
            return r;
        }
        default:
            r.status = 502;
            r.message = std::string(k_platform_unavailable) + " (the platform answered HTTP " +
                        std::to_string(status) + ")";
            return r;
    }
}

config::Provider provider_for_attempt(const Attempt& attempt) {
    config::Provider p;
    p.name = attempt.provider;
    p.profile = attempt.provider;
    p.api_key = attempt.api_key;
    p.needs_key = false;  // the platform decides; a keyless local server is fine
    p.type = attempt.provider == "anthropic" ? config::ProviderType::anthropic
                                             : config::ProviderType::openai;
    if (!attempt.api_base.empty()) {
        p.base_url = attempt.api_base;
        while (!p.base_url.empty() && p.base_url.back() == '/') p.base_url.pop_back();
        // otari appends /v1/messages to an Anthropic root; a base that already ends in /v1
        // (the SDKs' convention) must not get it twice.
        if (p.type == config::ProviderType::anthropic && p.base_url.size() >= 3 &&
            p.base_url.compare(p.base_url.size() - 3, 3, "/v1") == 0) {
            p.base_url.resize(p.base_url.size() - 3);
        }
        if (p.base_url.rfind("http://", 0) != 0 && p.base_url.rfind("https://", 0) != 0) {
            throw FormatError("attempt " + attempt.attempt_id + ": api_base \"" + attempt.api_base +
                              "\" is not an http(s) URL");
        }
        return p;
    }
    if (const auto* builtin = config::find_builtin(attempt.provider)) {
        p.type = builtin->type;
        p.base_url = std::string(builtin->base_url);
        return p;
    }
    for (const auto& extra : k_extra_providers) {
        if (extra.name == attempt.provider) {
            p.base_url = std::string(extra.base_url);
            return p;
        }
    }
    throw FormatError("attempt " + attempt.attempt_id + " names provider '" + attempt.provider +
                      "', which otari does not know, without an api_base");
}

}  // namespace otari::platform
