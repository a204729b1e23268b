#pragma once
// The pieces every provider adapter shares: one call's inputs, exactly-once recording, and the
// mapping of transport failures to client errors.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "api/error.hpp"
#include "config/config.hpp"
#include "gateway/call.hpp"
#include "http/message.hpp"
#include "translate/common.hpp"
#include "upstream/client.hpp"

namespace otari::providers {

// Records the call once, whichever path ends it (normal end, upstream failure, client gone).
class CallFinisher {
  public:
    CallFinisher(gateway::CallRecord record, gateway::Recorder recorder)
        : m_record(std::move(record)), m_recorder(std::move(recorder)) {}
    gateway::CallRecord& record() { return m_record; }
    // The upstream exchange whose timings and bytes go into the record when it finishes.
    void watch(std::shared_ptr<const upstream::TransferStats> stats) {
        m_upstream = std::move(stats);
    }
    bool done() const { return m_done; }
    void finish() {
        if (m_done) return;
        m_done = true;
        m_record.latency_ms = gateway::ms_since(m_record.received);
        if (m_upstream) note_upstream(*m_upstream);
        if (m_recorder) m_recorder(m_record);
    }
    // Another finisher records this call (each hybrid attempt has its own): never record here.
    void hand_over() { m_done = true; }
    void fail(int status, std::string error) {
        m_record.ok = false;
        m_record.http_status = status;
        m_record.error = std::move(error);
        finish();
    }

  private:
    void note_upstream(const upstream::TransferStats& stats);

    gateway::CallRecord m_record;
    gateway::Recorder m_recorder;
    std::shared_ptr<const upstream::TransferStats> m_upstream;
    bool m_done = false;
};

// One call on its way to a provider.
struct Exchange {
    const http::Request* request = nullptr;
    const config::Provider* provider = nullptr;
    std::shared_ptr<CallFinisher> finisher;
    http::ClientProbe client_probe;  // valid while the handler runs (before the body streams)
    api::Flavor flavor = api::Flavor::anthropic;
    // When set, the provider must send its status and headers within this many ms, else the
    // call fails as a timeout (hybrid mode's gate before falling through to the next attempt).
    long first_byte_timeout_ms = 0;
};

// How long a stream may take to produce its first event before the client's response is
// committed anyway (a long prefill). With a fallback attempt behind it (first_byte_timeout_ms
// set), the wait is that gate and passing it fails the attempt instead.
struct FirstEventWait {
    std::chrono::milliseconds wait;
    bool fail_on_deadline = false;
};
FirstEventWait first_event_wait(const Exchange& ex);

// The response to a client that went away (nobody reads it; the call is already recorded).
http::Response client_gone_response();

// A mapped upstream error answered to an Anthropic client and recorded as the call's failure:
// the mapped status, type, message and retry-after, plus `passthrough` headers (from
// copy_passthrough_headers; their retry-after is ignored for the mapped one).
http::Response anthropic_error_response(Exchange& ex, const translate::MappedError& error,
                                        const http::Headers& passthrough = {});

// The client error for an upstream that could not be reached or timed out before answering
// (502 api_error or 504 timeout_error), recorded as failed. A client that went away gets a 499
// record and a response nobody reads.
http::Response transport_failure(Exchange& ex, const upstream::Call& call);

// Tokens the client's request is estimated at (its size, four bytes a token), for upstreams
// that report no usage.
int64_t estimated_input_tokens(const gateway::CallRecord& record);

// A redirect (3xx) from the provider, answered as a 502 api_error that names where it points:
// otari does not follow redirects (a POST would be replayed elsewhere with the provider's key),
// so the provider's base_url is wrong. Recorded as failed. nullopt for any other status.
std::optional<http::Response> redirect_refusal(Exchange& ex, upstream::Call& call);

// Headers worth passing from an upstream error or response to the client: retry-after (whole
// seconds), x-should-retry, anthropic-ratelimit-*, and the upstream request id as
// x-upstream-request-id.
void copy_passthrough_headers(const http::Headers& from, http::Headers& to);

// A provider configured without the key it needs: a clear 502 that says which variable to set.
void require_api_key(const config::Provider& provider);

// Point `request` at `path` under the provider's base_url, with the provider's own transport
// settings (its ca_file): every call to a provider is addressed here.
void address(upstream::Request& request, const config::Provider& provider, std::string_view path);

// The `event: error` frame for a stream that broke after it started.
std::string sse_error_frame(const std::string& type, const std::string& message);

}  // namespace otari::providers
