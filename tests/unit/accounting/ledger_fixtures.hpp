#pragma once
// Records and files shared by the accounting tests.
#include <fstream>
#include <string>

#include "ledger/record.hpp"
#include "util/utc_time.hpp"

namespace otari::test {

inline util::TimePoint at(const char* rfc3339) { return *util::parse_rfc3339(rfc3339); }

inline ledger::LedgerRecord sample_record(const char* ts = "2026-11-01T09:30:00.123Z") {
    ledger::LedgerRecord r;
    r.ts = at(ts);
    r.request_id = "req_1";
    r.key = "ci";
    r.user = "alice";
    r.endpoint = "/v1/messages";
    r.provider = "anthropic";
    r.model_requested = "sonnet";
    r.model_sent = "claude-sonnet-4-6";
    r.stream = true;
    r.http_status = 200;
    r.input_tokens = 12;
    r.output_tokens = 34;
    r.cost_micro_usd = 546;
    r.latency_ms = 812;
    r.ttft_ms = 301;
    r.usage_source = ledger::UsageSource::upstream;
    return r;
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

}  // namespace otari::test
