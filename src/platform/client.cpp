#include "platform/client.hpp"

#include <algorithm>

#include "api/error.hpp"
#include "upstream/client.hpp"
#include "util/log.hpp"

namespace otari::platform {
namespace {

constexpr size_t k_max_answer_bytes = 4u << 20;

api::ApiError unavailable(const std::string& why) {
    api::ApiError error(502, "api_error", std::string(k_platform_unavailable) + " (" + why + ")");
    error.headers.set("x-should-retry", "true");
    return error;
}

ReporterSettings reporter_settings(const config::PlatformSettings& s,
                                   const std::filesystem::path& spool_dir) {
    ReporterSettings r;
    r.url = s.base_url + "/gateway/usage";
    r.gateway_token = s.token;
    r.timeout_ms = s.usage_timeout_ms;
    r.max_retries = s.usage_max_retries;
    if (!spool_dir.empty()) r.spool_file = spool_dir / "platform-usage-pending.jsonl";
    return r;
}

}  // namespace

Platform::Platform(const config::PlatformSettings& settings, const std::filesystem::path& spool_dir)
    : m_settings(settings),
      m_reporter(std::make_unique<UsageReporter>(reporter_settings(settings, spool_dir))) {}

// POST {base}{path} with the caller's token; the 200 answer's JSON. Refusals and failures as
// api::ApiError (see resolve()).
json Platform::post_for_caller(const std::string& path, const json& body, const std::string& user_token,
                               const http::ClientProbe& client_alive) {
    upstream::Request request;
    request.url = m_settings.base_url + path;
    request.headers = {{"content-type", "application/json"},
                       {"accept", "application/json"},
                       {"x-gateway-token", m_settings.token},
                       {"x-user-token", user_token}};
    request.body = dump_json(body);
    request.connect_timeout_ms = std::min<long>(m_settings.resolve_timeout_ms, 5000);
    request.total_timeout_ms = m_settings.resolve_timeout_ms;
    upstream::Call call(std::move(request));
    std::string answer;
    if (!call.wait_headers(client_alive) || !call.read_all(answer, k_max_answer_bytes, client_alive)) {
        if (call.failure() == upstream::Failure::cancelled) {
            throw api::ApiError(499, "api_error", "client disconnected while the platform authorized the call");
        }
        std::string why = call.failure() == upstream::Failure::timeout
                              ? "the platform did not answer within " + std::to_string(m_settings.resolve_timeout_ms) + " ms"
                              : "cannot reach the platform at " + m_settings.base_url + ": " + call.error_message();
        LOG_WARN("platform %s failed: %s", path.c_str(), why.c_str());
        throw unavailable(why);
    }
    if (call.status() != 200) {
        Refusal refusal = refusal_for(call.status(), answer, call.headers().get("retry-after"));
        if (refusal.status == 502) {
            LOG_WARN("platform %s answered HTTP %d", path.c_str(), call.status());
            throw unavailable("the platform answered HTTP " + std::to_string(call.status()));
        }
        api::ApiError error(refusal.status, api::anthropic_type_for_status(refusal.status), refusal.message);
        if (refusal.retry_after) error.headers.set("retry-after", *refusal.retry_after);
        throw error;
    }
    json payload = json::parse(answer, nullptr, false);
    if (payload.is_discarded()) throw unavailable("the platform's answer is not JSON");
    return payload;
}

Plan Platform::resolve(const std::string& user_token, std::string_view model_selector,
                       const http::ClientProbe& client_alive) {
    json payload =
        post_for_caller("/gateway/provider-keys/resolve", resolve_request(model_selector), user_token, client_alive);
    Plan plan;
    try {
        plan = parse_plan(payload);
    } catch (const FormatError& e) {
        LOG_WARN("platform resolve answer cannot be used: %s", e.what());
        throw unavailable(std::string("the platform's answer cannot be used: ") + e.what());
    }
    if (plan.attempts.empty()) throw unavailable("the platform listed no provider to try");
    return plan;
}

std::vector<json> Platform::list_models(const std::string& user_token, const http::ClientProbe& client_alive) {
    json payload = post_for_caller("/gateway/models/resolve", json::object(), user_token, client_alive);
    auto models = payload.find("models");
    if (!payload.is_object() || models == payload.end() || !models->is_array()) {
        throw unavailable("the platform's model list has no \"models\" list");
    }
    std::vector<json> out;
    for (const auto& m : *models) {
        if (!m.is_object() || !m.contains("id") || !m["id"].is_string()) {
            throw unavailable("the platform's model list has an entry without a string id");
        }
        std::string id = m["id"].get<std::string>();
        int64_t created = m.contains("created") && m["created"].is_number_integer() ? m["created"].get<int64_t>() : 0;
        std::string owner = m.contains("owned_by") && m["owned_by"].is_string() ? m["owned_by"].get<std::string>()
                                                                                : id.substr(0, id.find(':'));
        out.push_back({{"id", id}, {"created", created}, {"owned_by", owner}});
    }
    std::sort(out.begin(), out.end(), [](const json& a, const json& b) { return a["id"] < b["id"]; });
    return out;
}

bool Platform::reachable() {
    upstream::Request request;
    request.method = "GET";
    request.url = m_settings.health_url;
    request.headers = {{"x-gateway-token", m_settings.token}};
    request.connect_timeout_ms = 1000;
    request.total_timeout_ms = 2000;
    upstream::Call call(std::move(request));
    std::string answer;
    if (!call.wait_headers({}) || !call.read_all(answer, 1u << 16, {})) return false;
    return call.status() > 0 && call.status() < 500;
}

}  // namespace otari::platform
