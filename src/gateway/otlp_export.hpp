#pragma once
// Exports one span per call to an OpenTelemetry collector over OTLP/HTTP JSON
// (POST {endpoint}/v1/traces), with the GenAI semantic-convention attribute names
// (gen_ai.*). Spans are queued and sent in batches by a background thread, so a slow or absent
// collector never slows a request; when the queue is full the oldest spans are dropped (and
// counted in a warning).
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/call.hpp"
#include "util/json.hpp"

namespace otari::gateway {

// The OTLP JSON span for one finished call (exposed for tests).
json otlp_span(const CallRecord& record);

class OtlpExporter {
public:
    // `endpoint` is the collector's root, e.g. "http://127.0.0.1:4318".
    explicit OtlpExporter(std::string endpoint);
    // Sends what is queued (one last batch, bounded by a short timeout), then stops.
    ~OtlpExporter();
    OtlpExporter(const OtlpExporter&) = delete;
    OtlpExporter& operator=(const OtlpExporter&) = delete;

    // Never blocks on the network.
    void enqueue(const CallRecord& record);

private:
    void run();
    void send(std::vector<json> spans);

    std::string m_url;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<json> m_queue;
    bool m_stopping = false;
    uint64_t m_dropped = 0;
    std::thread m_thread;
};

}  // namespace otari::gateway
