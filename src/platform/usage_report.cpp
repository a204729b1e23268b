#include "platform/usage_report.hpp"

#include <algorithm>
#include <cctype>

namespace otari::platform {
namespace {

// Phrases that only an exhausted account produces, never a malformed request.
constexpr std::string_view k_billing_phrases[] = {
    "credit balance is too low",   "purchase credits",     "plans & billing",
    "billing hard limit",          "insufficient balance", "insufficient_quota",
    "exceeded your current quota", "insufficient credits",
};

bool mentions_billing(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    for (auto phrase : k_billing_phrases) {
        if (text.find(phrase) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

std::string error_class(const gateway::CallRecord& r) {
    if (r.ok) return {};
    if (!r.failure_class.empty()) return r.failure_class;
    int status = r.upstream_status;
    if (status == 0) {
        // Failed after the stream started (the client already has a 200), or never sent.
        if (r.http_status == 200 || r.http_status == 0 || r.http_status == 499) return {};
        status = r.http_status;
    }
    std::string tag = "http_" + std::to_string(status);
    if (status == 402 || ((status == 400 || status == 422) && mentions_billing(r.error)))
        tag += "_billing";
    return tag;
}

json usage_report(const gateway::CallRecord& r, config::ProviderType provider_type,
                  bool is_final_attempt) {
    json report = {{"correlation_id", r.attempt_id},
                   {"status", r.ok ? "success" : "error"},
                   {"is_final_attempt", is_final_attempt}};
    const auto& u = r.usage;
    bool any_tokens =
        u.input_tokens || u.output_tokens || u.cache_read_tokens || u.cache_write_tokens;
    if (r.usage_source != gateway::UsageSource::none && (r.ok || any_tokens)) {
        int64_t prompt = u.input_tokens;
        if (provider_type == config::ProviderType::openai)
            prompt += u.cache_read_tokens + u.cache_write_tokens;
        report["usage"] = {{"prompt_tokens", prompt},
                           {"completion_tokens", u.output_tokens},
                           {"total_tokens", prompt + u.output_tokens},
                           {"cache_read_tokens", u.cache_read_tokens},
                           {"cache_write_tokens", u.cache_write_tokens}};
    }
    if (!r.ok) {
        if (std::string tag = error_class(r); !tag.empty()) report["error_class"] = tag;
    }
    if (r.stream && r.ttft_ms) report["ttft_ms"] = int64_t(*r.ttft_ms + 0.5);
    return report;
}

}  // namespace otari::platform
