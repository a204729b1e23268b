#pragma once
#include <string>
#include <string_view>

namespace otari::http {

// One server-sent event: the `event:` name (empty when absent) and the joined `data:` lines.
struct SseEvent {
    std::string event;
    std::string data;
};

// Incremental SSE parser: feed bytes as they arrive (any split, LF or CRLF line ends); whole
// events come out. Comment lines (":") are skipped. An event larger than `max_event_bytes` is
// an error (the upstream is broken); see overflowed().
class SseParser {
public:
    explicit SseParser(size_t max_event_bytes = 16u << 20) : m_max(max_event_bytes) {}

    // Append bytes; returns false once the size cap was exceeded.
    bool feed(std::string_view bytes);
    // Take the next complete event, if one is buffered.
    bool next(SseEvent& out);
    // Bytes buffered that do not yet form a complete event.
    bool has_partial() const;
    bool overflowed() const { return m_overflow; }

private:
    std::string m_buffer;
    size_t m_pos = 0;
    size_t m_max;
    bool m_overflow = false;
};

// `event: NAME\ndata: DATA\n\n` (DATA must be one line, as JSON is).
void append_sse(std::string& out, std::string_view event, std::string_view data);

}  // namespace otari::http
