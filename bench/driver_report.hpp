#pragma once
// What one driver run measured, and how it is printed: a human-readable block and one JSON line.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace otari::bench {

struct RunResult {
    std::string label;
    std::string url;
    int concurrency = 0;
    double window_s = 0;            // measured time, warm-up excluded
    double rps = 0;                 // completed responses per second (all statuses)
    uint64_t responses = 0;         // completed responses counted in the figures
    uint64_t non_2xx = 0;           // of those, status outside 200..299
    uint64_t transport_errors = 0;  // connect/reset/framing failures and timeouts
    uint64_t bytes_in = 0;          // response bytes, headers included
    uint64_t bytes_out = 0;         // request bytes
    std::map<int, uint64_t> statuses;
    std::string first_error;  // status and start of the body of the first failure
    // Per-request samples in microseconds (measured requests only).
    std::vector<uint32_t> latency_us;  // request sent -> last response byte
    std::vector<uint32_t> ttfb_us;     // request sent -> first body byte
    std::vector<uint32_t> ttft_us;     // request sent -> first token marker (else first byte)
};

// Sorts the samples in place; value at percentile p (0..100, nearest rank) in milliseconds.
double percentile_ms(std::vector<uint32_t>& samples, double p);

void print_human(RunResult& r);
// One line of JSON, no newline at the end. Sorts the samples.
std::string json_line(RunResult& r);

}  // namespace otari::bench
