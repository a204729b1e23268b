#include "gateway/otlp_export.hpp"

#include "upstream/client.hpp"
#include "util/log.hpp"
#include "util/random.hpp"

namespace otari::gateway {
namespace {

constexpr size_t k_max_queue = 4096;
constexpr size_t k_batch = 256;
constexpr auto k_flush_interval = std::chrono::milliseconds(500);

std::string random_hex(size_t bytes) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string seed = util::random_id_base62(bytes * 2);
    std::string out;
    for (char c : seed) out.push_back(k_digits[static_cast<unsigned char>(c) % 16]);
    return out;
}

json attribute(const std::string& key, json value) {
    json typed;
    if (value.is_string()) {
        typed = {{"stringValue", value}};
    } else if (value.is_boolean()) {
        typed = {{"boolValue", value}};
    } else if (value.is_number_integer()) {
        typed = {
            {"intValue", std::to_string(value.get<int64_t>())}};  // OTLP JSON: int64 as a string
    } else if (value.is_array()) {
        json values = json::array();
        for (const auto& v : value) values.push_back({{"stringValue", v}});
        typed = {{"arrayValue", {{"values", values}}}};
    } else {
        typed = {{"doubleValue", value}};
    }
    return {{"key", key}, {"value", typed}};
}

std::string unix_nanos(std::chrono::system_clock::time_point t) {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

}  // namespace

json otlp_span(const CallRecord& r) {
    auto start = r.received_wall;
    auto end = start + std::chrono::microseconds(int64_t(r.latency_ms * 1000));
    json attributes = json::array({
        attribute("gen_ai.operation.name", "chat"),
        attribute("gen_ai.provider.name", r.provider),
        attribute("gen_ai.system", r.provider),
        attribute("gen_ai.request.model", r.model_requested),
        attribute("gen_ai.response.model", r.model_sent),
        attribute("gen_ai.usage.input_tokens",
                  r.usage.input_tokens + r.usage.cache_read_tokens + r.usage.cache_write_tokens),
        attribute("gen_ai.usage.output_tokens", r.usage.output_tokens),
        attribute("http.response.status_code", int64_t(r.http_status)),
        attribute("otari.request_id", r.request_id),
        attribute("otari.key", r.key),
        attribute("otari.user", r.user),
        attribute("otari.endpoint", r.endpoint),
        attribute("otari.stream", r.stream),
    });
    if (!r.stop_reason.empty())
        attributes.push_back(
            attribute("gen_ai.response.finish_reasons", json::array({r.stop_reason})));
    if (r.ttft_ms)
        attributes.push_back(attribute("otari.time_to_first_byte_ms", int64_t(*r.ttft_ms)));
    if (!r.ok) attributes.push_back(attribute("error.type", std::to_string(r.http_status)));
    json span = {{"traceId", random_hex(16)},
                 {"spanId", random_hex(8)},
                 {"name", "chat " + r.model_requested},
                 {"kind", 3},  // SPAN_KIND_CLIENT: otari calls the provider
                 {"startTimeUnixNano", unix_nanos(start)},
                 {"endTimeUnixNano", unix_nanos(end)},
                 {"attributes", std::move(attributes)},
                 {"status", r.ok ? json{{"code", 1}} : json{{"code", 2}, {"message", r.error}}}};
    return span;
}

OtlpExporter::OtlpExporter(std::string endpoint) : m_url(std::move(endpoint)) {
    while (!m_url.empty() && m_url.back() == '/') m_url.pop_back();
    m_url += "/v1/traces";
    m_thread = std::thread([this] { run(); });
}

OtlpExporter::~OtlpExporter() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

void OtlpExporter::enqueue(const CallRecord& record) {
    json span = otlp_span(record);
    {
        std::lock_guard lock(m_mutex);
        if (m_queue.size() >= k_max_queue) {
            m_queue.pop_front();
            ++m_dropped;
        }
        m_queue.push_back(std::move(span));
    }
    m_wake.notify_one();
}

void OtlpExporter::run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait_for(lock, k_flush_interval,
                        [&] { return m_stopping || m_queue.size() >= k_batch; });
        if (m_dropped) {
            LOG_WARN("OTLP export: %llu span(s) dropped, the collector at %s is not keeping up",
                     (unsigned long long)m_dropped, m_url.c_str());
            m_dropped = 0;
        }
        if (!m_queue.empty()) {
            std::vector<json> batch;
            while (!m_queue.empty() && batch.size() < k_batch) {
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
            lock.unlock();
            send(std::move(batch));
            lock.lock();
            continue;
        }
        if (m_stopping) return;
    }
}

void OtlpExporter::send(std::vector<json> spans) {
    json body = {
        {"resourceSpans",
         json::array(
             {{{"resource", {{"attributes", json::array({attribute("service.name", "otari")})}}},
               {"scopeSpans",
                json::array({{{"scope", {{"name", "otari"}}}, {"spans", std::move(spans)}}})}}})}};
    upstream::Request request;
    request.url = m_url;
    request.headers = {{"content-type", "application/json"}};
    request.body = dump_json(body);
    request.connect_timeout_ms = 2000;
    request.stall_timeout_s = 5;
    upstream::Call call(std::move(request));
    std::string answer;
    if (!call.wait_headers({}) || !call.read_all(answer, 1u << 16, {})) {
        LOG_WARN("OTLP export to %s failed: %s", m_url.c_str(), call.error_message().c_str());
        return;
    }
    if (call.status() < 200 || call.status() >= 300) {
        LOG_WARN("OTLP export to %s: the collector answered HTTP %d", m_url.c_str(), call.status());
    }
}

}  // namespace otari::gateway
