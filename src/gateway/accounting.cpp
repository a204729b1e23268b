#include "gateway/accounting.hpp"

#include <cmath>

#include "api/error.hpp"
#include "budget/limit.hpp"
#include "ledger/json_text.hpp"
#include "ledger/money.hpp"
#include "ledger/record.hpp"
#include "pricing/config_prices.hpp"
#include "tokens/estimate.hpp"
#include "util/log.hpp"
#include "util/utc_time.hpp"

namespace otari::gateway {
namespace {

pricing::UsageTokens usage_tokens(const Usage& u) {
    pricing::UsageTokens t;
    t.input = u.input_tokens;
    t.output = u.output_tokens;
    t.cache_read = u.cache_read_tokens;
    t.cache_write = u.cache_write_tokens;
    return t;
}

ledger::UsageSource ledger_source(UsageSource source) {
    switch (source) {
        case UsageSource::upstream:
            return ledger::UsageSource::upstream;
        case UsageSource::estimated:
            return ledger::UsageSource::estimated;
        case UsageSource::none:
            return ledger::UsageSource::none;
    }
    return ledger::UsageSource::none;
}

int64_t max_output_tokens(const json& body) {
    for (const char* field : {"max_tokens", "max_completion_tokens"}) {
        if (auto it = body.find(field); it != body.end() && it->is_number_integer())
            return it->get<int64_t>();
    }
    return 4096;  // what the translators send when the client names no limit
}

// One span per call for data_dir/traces.jsonl: identity, route, timings and outcome; never
// a secret or prompt text.
std::string trace_line(const CallRecord& r, const ledger::LedgerRecord& rec) {
    // Written as text, not through a json tree: this runs once per call.
    ledger::JsonObjectText route;
    route.add("model", r.model_requested)
        .add("provider", r.provider)
        .add("upstream_model", r.model_sent);
    if (!r.alias.empty()) route.add("alias", r.alias);
    // Milliseconds after `received`: the upstream exchange's stages, the first byte the client
    // got, and the end of the call (last byte).
    ledger::JsonObjectText timings;
    timings.add("received", util::format_rfc3339_ms(rec.ts)).add("latency_ms", r.latency_ms);
    if (r.ttft_ms) timings.add("first_byte_ms", *r.ttft_ms);
    ledger::JsonObjectText bytes;
    bytes.add("request", r.request_bytes);
    if (r.upstream) {
        const auto& u = *r.upstream;
        auto put = [&](const char* name, const std::optional<double>& ms) {
            if (ms) timings.add(name, std::round(*ms * 1000) / 1000);
        };
        put("upstream_start_ms", u.start_ms);
        put("upstream_connected_ms", u.connected_ms);
        put("upstream_headers_ms", u.headers_ms);
        put("upstream_first_byte_ms", u.first_byte_ms);
        put("upstream_last_byte_ms", u.last_byte_ms);
        bytes.add("upstream_sent", u.bytes_sent).add("upstream_received", u.bytes_received);
    }
    ledger::JsonObjectText span;
    span.add("v", 1)
        .add("request_id", r.request_id)
        .add("key", r.key)
        .add("user", r.user)
        .add("endpoint", r.endpoint)
        .add("stream", r.stream)
        .add_raw("route", route.finish())
        .add_raw("timings", timings.finish())
        .add_raw("bytes", bytes.finish())
        .add("retries", r.attempts > 1 ? r.attempts - 1 : 0)
        .add("http_status", r.http_status)
        .add("ok", r.ok)
        .add("stop_reason", r.stop_reason)
        .add("upstream_request_id", r.upstream_request_id)
        .add("client_disconnected", r.client_disconnected)
        .add("upstream_failed", r.upstream_failed);
    if (!r.ok) span.add("error", r.error);
    if (r.upstream_status) span.add("upstream_status", r.upstream_status);
    if (r.upstream) span.add("upstream_connection_reused", r.upstream->reused_connection);
    if (!r.request_body.empty()) {
        json body = parse_json_or_discarded(r.request_body);
        if (body.is_discarded()) {
            span.add("request_body", r.request_body);
        } else {
            span.add_raw("request_body", dump_json(body));
        }
    }
    if (!r.platform_request_id.empty()) {
        ledger::JsonObjectText platform;
        platform.add("request_id", r.platform_request_id)
            .add("attempt_id", r.attempt_id)
            .add("attempts", r.attempts);
        span.add_raw("platform", platform.finish());
    }
    return span.finish() + "\n";
}

}  // namespace

Accounting::Accounting(const config::Config& config)
    : m_config(config),
      m_catalog(pricing::with_config_overrides(pricing::builtin_catalog(), config.pricing)),
      m_ledger(ledger::ledger_path(config.data_dir)),
      m_traces(config.data_dir / "traces.jsonl") {
    for (const auto& [user, settings] : config.users) {
        budget::BudgetSettings s;
        if (settings.budget_usd) s.usd_micro = ledger::usd_micro_from_double(*settings.budget_usd);
        s.period = settings.period;
        s.max_tokens = settings.max_tokens;
        s.max_requests = settings.max_requests;
        if (auto limit = budget::make_limit(budget::user_scope(user), s))
            m_user_limits.emplace(user, *limit);
    }
    if (!config.otlp_endpoint.empty())
        m_otlp = std::make_unique<OtlpExporter>(config.otlp_endpoint);
    auto stats = m_book.load_from_ledger(m_ledger.path(), util::Clock::now());
    if (stats.malformed || stats.foreign) {
        LOG_WARN("%s: skipped %zu malformed and %zu foreign line(s)", m_ledger.path().c_str(),
                 stats.malformed, stats.foreign);
    }
}

std::optional<pricing::PriceMatch> Accounting::price(const std::string& provider,
                                                     const std::string& model) {
    auto match = m_catalog.lookup(provider, model);
    if (!match) {
        std::lock_guard lock(m_warn_mutex);
        if (m_warned_unpriced.insert(provider + ":" + model).second) {
            LOG_WARN(
                "no price known for %s:%s: its calls are recorded with cost_usd null (add "
                "[pricing.\"%s:%s\"] to the config)",
                provider.c_str(), model.c_str(), provider.c_str(), model.c_str());
        }
    }
    return match;
}

std::optional<int64_t> Accounting::cost_micro_usd(const std::string& provider,
                                                  const std::string& model, const Usage& usage) {
    auto match = price(provider, model);
    if (!match) return std::nullopt;
    return pricing::cost_micro_usd(match->prices, usage_tokens(usage));
}

std::vector<budget::BudgetLimit> Accounting::limits_for(const auth::Key& key) const {
    std::vector<budget::BudgetLimit> limits;
    if (auto limit = budget::limit_from_key_extra(key.name, key.extra)) limits.push_back(*limit);
    if (auto it = m_user_limits.find(key.user); it != m_user_limits.end())
        limits.push_back(it->second);
    return limits;
}

void Accounting::admit(CallRecord& record, const auth::Key& key, const json& body,
                       const std::string& model_sent) {
    auto match = price(record.provider, model_sent);
    if (!match && m_config.require_pricing) {
        throw api::invalid_request("no price is known for " + record.provider + ":" + model_sent +
                                   " and require_pricing = true; add [pricing.\"" +
                                   record.provider + ":" + model_sent + "\"] to the config");
    }
    std::vector<budget::BudgetLimit> limits;
    try {
        limits = limits_for(key);
    } catch (const std::exception& e) {
        throw api::ApiError(500, "api_error",
                            "the budget of key '" + key.name + "' cannot be read: " + e.what());
    }
    if (limits.empty()) return;
    Usage estimate;
    estimate.input_tokens = tokens::estimate_request_tokens(body, model_sent);
    estimate.output_tokens = max_output_tokens(body);
    int64_t cost = match ? pricing::cost_micro_usd(match->prices, usage_tokens(estimate)) : 0;
    std::vector<const budget::BudgetLimit*> applicable;
    for (const auto& limit : limits) applicable.push_back(&limit);
    try {
        auto reservation =
            m_book.reserve(budget::Charge{key.name, key.user}, applicable,
                           budget::one_call(cost, estimate.input_tokens + estimate.output_tokens),
                           util::Clock::now());
        record.reservation = std::make_shared<budget::Reservation>(std::move(reservation));
    } catch (const budget::BudgetExceeded& e) {
        throw api::ApiError(403, "permission_error", e.what());
    }
}

std::optional<int64_t> Accounting::finish(const CallRecord& r) {
    ledger::LedgerRecord rec;
    rec.ts = std::chrono::time_point_cast<util::Clock::duration>(r.received_wall);
    rec.request_id = r.request_id;
    rec.key = r.key;
    rec.user = r.user;
    rec.endpoint = r.endpoint;
    rec.provider = r.provider;
    rec.model_requested = r.model_requested;
    rec.model_sent = r.model_sent;
    rec.stream = r.stream;
    rec.status = r.ok ? ledger::CallStatus::ok : ledger::CallStatus::error;
    rec.http_status = r.http_status;
    rec.input_tokens = r.usage.input_tokens;
    rec.output_tokens = r.usage.output_tokens;
    rec.cache_read_tokens = r.usage.cache_read_tokens;
    rec.cache_write_tokens = r.usage.cache_write_tokens;
    if (!r.provider.empty() && !r.model_sent.empty()) {
        bool used_tokens = r.usage.input_tokens || r.usage.output_tokens ||
                           r.usage.cache_read_tokens || r.usage.cache_write_tokens;
        rec.cost_micro_usd = used_tokens ? cost_micro_usd(r.provider, r.model_sent, r.usage)
                                         : std::optional<int64_t>(0);
    }
    rec.latency_ms = int64_t(r.latency_ms + 0.5);
    if (r.ttft_ms) rec.ttft_ms = int64_t(*r.ttft_ms + 0.5);
    rec.usage_source = ledger_source(r.usage_source);
    rec.client_disconnected = r.client_disconnected;
    rec.upstream_failed = r.upstream_failed;
    if (!r.ok && !r.error.empty()) rec.error = r.error;
    if (!r.platform_request_id.empty()) rec.platform_request_id = r.platform_request_id;
    m_ledger.append(rec);
    m_traces.append_line(trace_line(r, rec));
    if (m_otlp) m_otlp->enqueue(r);
    if (r.reservation && r.reservation->active())
        m_book.settle(*r.reservation, budget::actual_from_record(rec));
    return rec.cost_micro_usd;
}

}  // namespace otari::gateway
