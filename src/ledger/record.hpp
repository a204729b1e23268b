#pragma once
// One line of the usage ledger (`data_dir/ledger.jsonl`): what one call through the gateway
// did and cost. Format version 1; the JSON field names are the on-disk contract:
//
//   {"ts":"2026-11-01T09:30:00.123Z","request_id":"...","key":"ci","user":"alice",
//    "endpoint":"/v1/messages","provider":"anthropic","model":"sonnet",
//    "model_sent":"claude-sonnet-4-6","stream":true,"status":"ok","http_status":200,
//    "input_tokens":12,"output_tokens":34,"cache_read_tokens":0,"cache_write_tokens":0,
//    "cost_usd":0.000546,"latency_ms":812,"ttft_ms":301,"usage":"upstream",
//    "client_disconnected":false,"upstream_failed":false,"error":null,"v":1}
//
// "platform_request_id" is written only when set. Readers ignore fields they do not know,
// so later v1 writers may add fields; an incompatible change bumps "v".
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "util/utc_time.hpp"

namespace otari::ledger {

inline constexpr int k_ledger_version = 1;

// `data_dir/ledger.jsonl`.
std::filesystem::path ledger_path(const std::filesystem::path& data_dir);

enum class CallStatus { ok, error };
// Where the token counts came from.
enum class UsageSource { upstream, estimated, none };

std::string_view usage_source_name(UsageSource source);

struct LedgerRecord {
    int v = k_ledger_version;
    util::TimePoint ts;  // when the request was received (budgets attribute spend to its period)
    std::string request_id;
    std::string key;   // gateway key name; empty when unauthenticated
    std::string user;  // user the key's spend is bound to
    std::string endpoint;
    std::string provider;
    std::string model_requested;  // JSON "model"
    std::string model_sent;
    bool stream = false;
    CallStatus status = CallStatus::ok;
    int http_status = 0;
    // Anthropic convention: input_tokens excludes cache reads and writes.
    int64_t input_tokens = 0;
    int64_t output_tokens = 0;
    int64_t cache_read_tokens = 0;
    int64_t cache_write_tokens = 0;
    std::optional<int64_t> cost_micro_usd;  // JSON "cost_usd"; nullopt: unpriced
    int64_t latency_ms = 0;
    std::optional<int64_t> ttft_ms;
    UsageSource usage_source = UsageSource::none;  // JSON "usage"
    bool client_disconnected = false;
    bool upstream_failed = false;
    std::optional<std::string> error;
    std::optional<std::string> platform_request_id;

    bool operator==(const LedgerRecord&) const = default;
};

// The record as one JSON line, terminated by "\n". cost_usd is written with exactly six
// decimals ("0.000546"), never in exponent form.
std::string to_json_line(const LedgerRecord& record);

enum class LineKind {
    record,     // a version-1 record, parsed into `out`
    blank,      // empty or whitespace only
    malformed,  // not JSON, or a version-1 object with a missing ts or a wrongly typed field
    foreign,    // JSON, but not a version-1 record (another "v", no "v", not an object)
};

// Parse one line (without its "\n"). `out` is meaningful only for LineKind::record.
// cost_usd is read from the number's text, so "0.000546" gives exactly 546 micro-dollars.
LineKind parse_ledger_line(std::string_view line, LedgerRecord& out);

}  // namespace otari::ledger
