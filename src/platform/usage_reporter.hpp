#pragma once
// Delivers usage reports to `POST {base}/gateway/usage` off the request path. submit() only
// queues; background threads send, retrying a timeout, a network error, a 429 or a 5xx with
// exponential backoff. A report still failing after its retries is parked and tried again
// later rather than dropped; a terminal 4xx (the platform refuses it) is logged and dropped.
// The queue is bounded (the oldest report gives way, with a warning). At shutdown what is
// left is written to a spool file and sent by the next start.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "util/json.hpp"

namespace otari::platform {

struct ReporterSettings {
    std::string url;            // {base}/gateway/usage
    std::string gateway_token;  // sent as X-Gateway-Token
    long timeout_ms = 5000;     // per delivery attempt
    int max_retries = 3;        // quick retries before a report is parked
    std::chrono::milliseconds first_backoff{250};
    std::chrono::milliseconds park_for{15000};
    size_t max_queue = 10000;
    std::filesystem::path spool_file;  // empty: no spool
    int threads = 2;
};

class UsageReporter {
  public:
    explicit UsageReporter(ReporterSettings settings);
    // Tries what is queued for a short while, then spools the rest.
    ~UsageReporter();
    UsageReporter(const UsageReporter&) = delete;
    UsageReporter& operator=(const UsageReporter&) = delete;

    // Never blocks on the network.
    void submit(json report);

    // Give every queued report one more try for up to 3 s, then spool what is left. Reports
    // submitted afterwards go straight to the spool. Idempotent; the destructor calls it.
    void shutdown();

    struct Stats {
        uint64_t delivered = 0;
        uint64_t refused = 0;  // terminal 4xx
        uint64_t dropped = 0;  // the queue was full
        uint64_t retries = 0;
        size_t pending = 0;
    };
    Stats stats() const;

  private:
    struct Item {
        std::string body;
        int failures = 0;
        std::chrono::steady_clock::time_point not_before;
    };
    enum class Outcome { delivered, refused, retry };

    void run();
    Outcome deliver(const std::string& body);
    void load_spool();
    void write_spool();

    ReporterSettings m_settings;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Item> m_queue;
    bool m_stopping = false;
    bool m_shut_down = false;
    std::chrono::steady_clock::time_point m_drain_deadline;
    Stats m_stats;
    int m_in_flight = 0;
    std::vector<std::thread> m_threads;
};

}  // namespace otari::platform
