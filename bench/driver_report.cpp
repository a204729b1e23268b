#include "driver_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace otari::bench {
namespace {

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
        } else if (c < 0x20) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04x", c);
            out += esc;
        } else {
            out += char(c);
        }
    }
    return out + "\"";
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

double mean_ms(const std::vector<uint32_t>& samples) {
    if (samples.empty()) return 0;
    double sum = 0;
    for (uint32_t s : samples) sum += s;
    return sum / double(samples.size()) / 1000.0;
}

}  // namespace

double percentile_ms(std::vector<uint32_t>& samples, double p) {
    if (samples.empty()) return 0;
    if (!std::is_sorted(samples.begin(), samples.end())) std::sort(samples.begin(), samples.end());
    size_t rank = size_t(std::ceil(p / 100.0 * double(samples.size())));
    rank = std::clamp<size_t>(rank, 1, samples.size());
    return samples[rank - 1] / 1000.0;
}

void print_human(RunResult& r) {
    std::printf("%s  %s  c=%d\n", r.label.c_str(), r.url.c_str(), r.concurrency);
    std::printf("  %llu responses in %.2f s: %.1f req/s; non-2xx %llu, transport errors %llu\n",
                (unsigned long long)r.responses, r.window_s, r.rps, (unsigned long long)r.non_2xx,
                (unsigned long long)r.transport_errors);
    std::printf("  latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f  mean %.3f\n",
                percentile_ms(r.latency_us, 50), percentile_ms(r.latency_us, 90),
                percentile_ms(r.latency_us, 99), percentile_ms(r.latency_us, 100),
                mean_ms(r.latency_us));
    std::printf("  first byte ms: p50 %.3f  p99 %.3f   first token ms: p50 %.3f  p99 %.3f\n",
                percentile_ms(r.ttfb_us, 50), percentile_ms(r.ttfb_us, 99),
                percentile_ms(r.ttft_us, 50), percentile_ms(r.ttft_us, 99));
    std::printf("  bytes in %.1f MB, out %.1f MB\n", double(r.bytes_in) / 1e6,
                double(r.bytes_out) / 1e6);
    if (!r.first_error.empty()) std::printf("  first error: %s\n", r.first_error.c_str());
}

std::string json_line(RunResult& r) {
    std::string statuses = "{";
    for (const auto& [code, count] : r.statuses) {
        if (statuses.size() > 1) statuses += ",";
        statuses += '"';
        statuses += std::to_string(code);
        statuses += "\":";
        statuses += std::to_string(count);
    }
    statuses += "}";
    std::string out = "{";
    auto field = [&out](const char* name, const std::string& value) {
        if (out.size() > 1) out += ",";
        out += "\"";
        out += name;
        out += "\":";
        out += value;
    };
    field("label", json_string(r.label));
    field("url", json_string(r.url));
    field("concurrency", std::to_string(r.concurrency));
    field("window_s", num(r.window_s));
    field("rps", num(r.rps));
    field("responses", std::to_string(r.responses));
    field("non_2xx", std::to_string(r.non_2xx));
    field("transport_errors", std::to_string(r.transport_errors));
    field("errors", std::to_string(r.non_2xx + r.transport_errors));
    field("lat_p50_ms", num(percentile_ms(r.latency_us, 50)));
    field("lat_p90_ms", num(percentile_ms(r.latency_us, 90)));
    field("lat_p99_ms", num(percentile_ms(r.latency_us, 99)));
    field("lat_max_ms", num(percentile_ms(r.latency_us, 100)));
    field("lat_mean_ms", num(mean_ms(r.latency_us)));
    field("ttfb_p50_ms", num(percentile_ms(r.ttfb_us, 50)));
    field("ttfb_p99_ms", num(percentile_ms(r.ttfb_us, 99)));
    field("ttft_p50_ms", num(percentile_ms(r.ttft_us, 50)));
    field("ttft_p99_ms", num(percentile_ms(r.ttft_us, 99)));
    field("bytes_in", std::to_string(r.bytes_in));
    field("bytes_out", std::to_string(r.bytes_out));
    field("status", statuses);
    field("first_error", json_string(r.first_error));  // stays last: run.sh reads it so
    return out + "}";
}

}  // namespace otari::bench
