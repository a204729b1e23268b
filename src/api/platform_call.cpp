#include "api/platform_call.hpp"

#include <mutex>
#include <optional>

#include "api/record.hpp"
#include "gateway/authn.hpp"
#include "platform/client.hpp"
#include "platform/usage_report.hpp"
#include "util/log.hpp"

namespace otari::api {
namespace {

// One attempt's outcome, shared by its finisher (which may record long after the handler
// returned, when a stream ends) and the loop that decides whether the attempt was the last.
// The usage report goes out once both are known; the final attempt also goes to the ledger.
class AttemptSlot {
  public:
    AttemptSlot(platform::Platform& platform, gateway::Recorder ledger)
        : m_platform(platform), m_ledger(std::move(ledger)) {}

    std::shared_ptr<const config::Provider> provider;

    void on_record(const gateway::CallRecord& record) {
        std::lock_guard lock(m_mutex);
        m_record = record;
        if (m_decided) settle();
    }
    void decide(bool final_attempt) {
        std::lock_guard lock(m_mutex);
        m_decided = true;
        m_final = final_attempt;
        if (m_record) settle();
    }

  private:
    void settle() {
        auto type = provider ? provider->type : config::ProviderType::openai;
        m_platform.reporter().submit(platform::usage_report(*m_record, type, m_final));
        if (m_final && m_ledger) m_ledger(*m_record);
        m_record.reset();
    }

    platform::Platform& m_platform;
    gateway::Recorder m_ledger;
    std::mutex m_mutex;
    std::optional<gateway::CallRecord> m_record;
    bool m_decided = false;
    bool m_final = false;
};

std::string token_label(const std::string& token) {
    constexpr size_t shown = 11;
    return token.size() <= shown ? token : token.substr(0, shown) + "...";
}

}  // namespace

std::string platform_user_token(const http::Headers& headers, providers::CallFinisher& finisher) {
    if (auto token = gateway::bearer_token(headers)) {
        finisher.record().key = token_label(*token);
        return *token;
    }
    throw ApiError(401, "authentication_error",
                   "missing authentication token: this gateway runs in hybrid mode, send your "
                   "platform token as "
                   "\"Authorization: Bearer tk_...\" (x-api-key is not read; for Claude Code set "
                   "ANTHROPIC_AUTH_TOKEN, not ANTHROPIC_API_KEY)");
}

Caller identify_caller(Context& ctx, const http::Request& req, providers::CallFinisher& finisher) {
    Caller caller;
    if (ctx.platform) {
        caller.platform_token = platform_user_token(req.headers, finisher);
    } else {
        caller.key = gateway::authenticate(req.headers, ctx.keys);
        note_caller(finisher, *caller.key);
    }
    return caller;
}

gateway::Route route_and_admit(Context& ctx, gateway::CallRecord& record, const auth::Key& key,
                               const json& body) {
    auto route = gateway::resolve_model(ctx.config, record.model_requested);
    record.provider = route.provider->name;
    record.model_sent = route.upstream_model;
    record.alias = route.alias;
    if (ctx.accounting) ctx.accounting->admit(record, key, body, route.upstream_model);
    return route;
}

std::string platform_selector(const Context& ctx, gateway::CallRecord& record) {
    auto alias = ctx.config.aliases.find(record.model_requested);
    if (alias == ctx.config.aliases.end()) return record.model_requested;
    record.alias = alias->first;
    return alias->second;
}

http::Response run_platform_call(Context& ctx, const http::Request& req,
                                 providers::CallFinisher& base, const std::string& token,
                                 const std::string& model_selector, Flavor flavor,
                                 const http::ClientProbe& client_alive,
                                 const AttemptDispatch& dispatch) {
    platform::Plan plan = ctx.platform->resolve(token, model_selector, client_alive);
    auto& base_record = base.record();
    base_record.platform_request_id = plan.request_id;
    if (!plan.user_id.empty()) base_record.user = plan.user_id;
    const long gate_ms = ctx.platform->settings().first_chunk_timeout_ms;
    for (size_t i = 0; i < plan.attempts.size(); ++i) {
        const platform::Attempt& attempt = plan.attempts[i];
        const bool last = i + 1 == plan.attempts.size();
        auto slot = std::make_shared<AttemptSlot>(*ctx.platform, ctx.recorder);
        gateway::CallRecord record = base_record;
        record.provider = attempt.provider;
        record.model_sent = attempt.model;
        record.attempt_id = attempt.attempt_id;
        record.attempts = int(i + 1);
        auto finisher = std::make_shared<providers::CallFinisher>(
            std::move(record), [slot](const gateway::CallRecord& r) { slot->on_record(r); });
        http::Response res;
        try {
            slot->provider =
                std::make_shared<const config::Provider>(platform::provider_for_attempt(attempt));
            gateway::Route route{slot->provider.get(), attempt.model, base_record.model_requested,
                                 base_record.alias};
            providers::Exchange ex{&req, slot->provider.get(), finisher, client_alive, flavor};
            // A streamed attempt with a fallback behind it must start answering promptly.
            if (!last && base_record.stream) ex.first_byte_timeout_ms = gate_ms;
            res = dispatch(std::move(ex), route);
        } catch (const platform::FormatError& e) {
            finisher->record().failure_class = "unknown";
            finisher->fail(502, e.what());
            res = error_response(flavor, ApiError(502, "api_error", e.what()), req.request_id);
        } catch (const ApiError& e) {
            finisher->fail(e.status, e.what());
            res = error_response(flavor, e, req.request_id);
        }
        // The client has seen nothing of a failed attempt yet (streams are only returned once
        // they produced their first bytes), so the next attempt can still answer it.
        const bool falls_through = !last && !res.stream && res.status >= 400 && res.status != 499;
        slot->decide(!falls_through);
        if (falls_through) {
            LOG_INFO("%s attempt %zu/%zu (%s:%s) failed with HTTP %d; trying the next",
                     req.request_id.c_str(), i + 1, plan.attempts.size(), attempt.provider.c_str(),
                     attempt.model.c_str(), res.status);
            continue;
        }
        res.headers.set("x-correlation-id", attempt.attempt_id);
        if (!plan.request_id.empty()) res.headers.set("x-otari-request-id", plan.request_id);
        base.hand_over();
        return res;
    }
    throw ApiError(502, "api_error",
                   "no attempt could be made");  // unreachable: the plan is never empty
}

}  // namespace otari::api
