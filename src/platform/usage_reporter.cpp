#include "platform/usage_reporter.hpp"

#include <algorithm>
#include <fstream>

#include "upstream/client.hpp"
#include "util/log.hpp"

namespace otari::platform {
namespace {

constexpr auto k_drain_time = std::chrono::seconds(3);
constexpr long k_drain_timeout_ms = 1000;
constexpr auto k_tried_while_draining = std::chrono::steady_clock::time_point::max();

}  // namespace

UsageReporter::UsageReporter(ReporterSettings settings) : m_settings(std::move(settings)) {
    load_spool();
    for (int i = 0; i < std::max(1, m_settings.threads); ++i)
        m_threads.emplace_back([this] { run(); });
}

UsageReporter::~UsageReporter() { shutdown(); }

void UsageReporter::shutdown() {
    {
        std::lock_guard lock(m_mutex);
        if (m_shut_down) return;
        m_shut_down = true;
        m_stopping = true;
        m_drain_deadline = std::chrono::steady_clock::now() + k_drain_time;
    }
    m_wake.notify_all();
    for (auto& t : m_threads) {
        if (t.joinable()) t.join();
    }
    write_spool();
}

void UsageReporter::submit(json report) {
    {
        std::lock_guard lock(m_mutex);
        if (m_queue.size() >= m_settings.max_queue) {
            m_queue.pop_front();
            ++m_stats.dropped;
            LOG_WARN("platform usage queue is full (%zu): the oldest report was dropped",
                     m_settings.max_queue);
        }
        m_queue.push_back(Item{dump_json(report), 0, std::chrono::steady_clock::now()});
        if (m_shut_down) {
            m_queue.back().not_before = k_tried_while_draining;
            return;  // written to the spool by write_spool below or at exit
        }
    }
    m_wake.notify_one();
}

UsageReporter::Stats UsageReporter::stats() const {
    std::lock_guard lock(m_mutex);
    Stats s = m_stats;
    s.pending = m_queue.size() + size_t(m_in_flight);
    return s;
}

void UsageReporter::run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        auto now = std::chrono::steady_clock::now();
        if (m_stopping && (m_queue.empty() || now >= m_drain_deadline)) return;
        // While draining, every report gets one more try (now), except those that just failed.
        auto ready = std::find_if(m_queue.begin(), m_queue.end(), [&](const Item& item) {
            return m_stopping ? item.not_before != k_tried_while_draining : item.not_before <= now;
        });
        if (ready == m_queue.end()) {
            if (m_stopping) return;
            if (m_queue.empty()) {
                m_wake.wait(lock);
            } else {
                auto next = std::min_element(m_queue.begin(), m_queue.end(),
                                             [](const Item& a, const Item& b) {
                                                 return a.not_before < b.not_before;
                                             })
                                ->not_before;
                m_wake.wait_until(lock, next);
            }
            continue;
        }
        Item item = std::move(*ready);
        m_queue.erase(ready);
        ++m_in_flight;
        const bool draining = m_stopping;
        lock.unlock();
        Outcome outcome = deliver(item.body);
        lock.lock();
        --m_in_flight;
        if (outcome == Outcome::delivered) {
            ++m_stats.delivered;
        } else if (outcome == Outcome::refused) {
            ++m_stats.refused;
        } else if (draining) {
            item.not_before = k_tried_while_draining;
            m_queue.push_back(std::move(item));
        } else {
            ++m_stats.retries;
            ++item.failures;
            auto when = std::chrono::steady_clock::now();
            if (item.failures <= m_settings.max_retries) {
                when += m_settings.first_backoff * (1 << std::min(item.failures - 1, 10));
            } else {
                when += m_settings.park_for;
                item.failures = 0;
                LOG_WARN(
                    "platform usage report not delivered after %d retries; trying again in %lld s",
                    m_settings.max_retries,
                    (long long)std::chrono::duration_cast<std::chrono::seconds>(m_settings.park_for)
                        .count());
            }
            item.not_before = when;
            m_queue.push_back(std::move(item));
        }
        m_wake.notify_all();
    }
}

UsageReporter::Outcome UsageReporter::deliver(const std::string& body) {
    bool draining;
    {
        std::lock_guard lock(m_mutex);
        draining = m_stopping;
    }
    long timeout =
        draining ? std::min(m_settings.timeout_ms, k_drain_timeout_ms) : m_settings.timeout_ms;
    upstream::Request request;
    request.url = m_settings.url;
    request.headers = {{"content-type", "application/json"},
                       {"x-gateway-token", m_settings.gateway_token}};
    request.body = body;
    request.connect_timeout_ms = std::min(timeout, 2000L);
    request.total_timeout_ms = timeout;
    upstream::Call call(std::move(request));
    std::string answer;
    if (!call.wait_headers({}) || !call.read_all(answer, 1u << 16, {})) return Outcome::retry;
    int status = call.status();
    if (status >= 200 && status < 300) return Outcome::delivered;
    if (status == 408 || status == 425 || status == 429 || status >= 500) return Outcome::retry;
    LOG_WARN("platform refused a usage report with HTTP %d: %s", status,
             answer.substr(0, 200).c_str());
    return Outcome::refused;
}

void UsageReporter::load_spool() {
    if (m_settings.spool_file.empty()) return;
    std::ifstream in(m_settings.spool_file);
    if (!in) return;
    std::string line;
    size_t loaded = 0;
    auto now = std::chrono::steady_clock::now();
    while (std::getline(in, line)) {
        if (line.empty() || !json::accept(line)) continue;
        m_queue.push_back(Item{line, 0, now});
        ++loaded;
    }
    in.close();
    std::error_code ec;
    std::filesystem::remove(m_settings.spool_file, ec);
    if (loaded)
        LOG_INFO("platform: %zu usage report(s) left from the last run will be sent", loaded);
}

void UsageReporter::write_spool() {
    std::lock_guard lock(m_mutex);
    if (m_queue.empty()) return;
    if (m_settings.spool_file.empty()) {
        LOG_WARN("platform: %zu usage report(s) could not be delivered before shutdown",
                 m_queue.size());
        return;
    }
    std::ofstream out(m_settings.spool_file, std::ios::app);
    for (const auto& item : m_queue) out << item.body << '\n';
    out.flush();
    size_t written = m_queue.size();
    m_queue.clear();
    if (out) {
        LOG_WARN(
            "platform: %zu usage report(s) not delivered yet were saved to %s and will be sent at "
            "the next start",
            written, m_settings.spool_file.c_str());
    } else {
        LOG_WARN("platform: %zu usage report(s) could not be delivered nor saved to %s", written,
                 m_settings.spool_file.c_str());
    }
}

}  // namespace otari::platform
