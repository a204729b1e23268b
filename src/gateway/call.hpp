#pragma once
// What one call through the gateway did, gathered while it runs and handed to the recorder
// (ledger, traces, log line) exactly once when it ends.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "gateway/router.hpp"

namespace otari::budget {
class Reservation;
}

namespace otari::gateway {

// Token usage in Anthropic's convention: input_tokens excludes cache reads and writes.
struct Usage {
    int64_t input_tokens = 0;
    int64_t output_tokens = 0;
    int64_t cache_read_tokens = 0;
    int64_t cache_write_tokens = 0;
};

enum class UsageSource { upstream, estimated, none };

struct CallRecord {
    std::string request_id;
    std::string key;
    std::string user;
    std::string endpoint;  // "/v1/messages", ...
    std::string provider;
    std::string model_requested;
    std::string model_sent;
    std::string alias;  // the alias the model string matched, if any
    bool stream = false;
    std::chrono::steady_clock::time_point received;
    std::chrono::system_clock::time_point received_wall;

    // Filled in as the call goes.
    bool ok = false;
    int http_status = 0;
    Usage usage;
    UsageSource usage_source = UsageSource::none;
    std::string error;
    std::optional<double> ttft_ms;
    double latency_ms = 0;
    bool client_disconnected = false;
    bool upstream_failed = false;
    std::string stop_reason;
    std::string upstream_request_id;
    // Why the provider failed, for platform usage reports: the status it answered with, or
    // "timeout" / "conn_err" when it never answered.
    int upstream_status = 0;
    // The upstream exchange, in ms after `received` (nullopt: that stage was never reached),
    // and its bytes.
    struct UpstreamTimings {
        std::optional<double> start_ms, connected_ms, headers_ms, first_byte_ms, last_byte_ms;
        int64_t bytes_sent = 0;
        int64_t bytes_received = 0;
        bool reused_connection = false;
    };
    std::optional<UpstreamTimings> upstream;
    int64_t request_bytes = 0;   // the client's request body
    std::string request_body;    // kept only when trace_bodies is on
    std::string failure_class;
    // Hybrid mode: the platform's request id, the attempt that served (or was tried last), and
    // how many attempts were tried.
    std::string platform_request_id;
    std::string attempt_id;
    int attempts = 0;
    // Held while the call runs when a budget applies; settled when the call is recorded.
    std::shared_ptr<budget::Reservation> reservation;
};

// Receives each finished call. Must be thread-safe and quick (it runs on the request path,
// before the final event of a stream is written).
using Recorder = std::function<void(const CallRecord&)>;

double ms_since(std::chrono::steady_clock::time_point start);

}  // namespace otari::gateway
