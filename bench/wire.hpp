#pragma once
// HTTP/1.1 wire helpers shared by the bench fake upstream and the load driver: loopback
// sockets, a monotonic clock, header lookup and an incremental chunked-body decoder.
// Nothing here allocates per byte; both tools run hot loops over these.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace otari::bench {

// Nanoseconds on CLOCK_MONOTONIC.
int64_t now_ns();

// A non-blocking listening socket on 127.0.0.1:port (port 0: ephemeral). `reuse_port` sets
// SO_REUSEPORT so several threads can each own one. Throws std::runtime_error.
int listen_loopback(int port, bool reuse_port);
// The port a bound socket listens on.
int bound_port(int fd);
// Starts a non-blocking connect to 127.0.0.1:port with TCP_NODELAY; -1 on immediate failure.
int connect_loopback(int port);
void set_nonblocking(int fd);
void set_nodelay(int fd);

// Value of header `name` (case-insensitive) in a raw header block "Name: value\r\n...";
// nullopt when absent. Leading and trailing blanks of the value are dropped.
std::optional<std::string_view> header_value(std::string_view head, std::string_view name);
bool iequals(std::string_view a, std::string_view b);
// True when `haystack` contains `needle`, ignoring ASCII case.
bool icontains(std::string_view haystack, std::string_view needle);

// True when the JSON text has a top-level-looking `"stream": true` (a "stream" key not inside
// an escaped string, followed by true). Good enough for bench bodies, not a JSON parser.
bool json_stream_true(std::string_view body);

// Incremental decoder of a chunked transfer-encoded body. feed() consumes bytes up to the end
// of the body (the terminating chunk and trailers) and hands each piece of chunk data to
// `on_data`; it returns how many bytes it consumed (less than `n` only once done(), or -1 on a
// framing error).
class ChunkedDecoder {
  public:
    template <class OnData>
    long feed(const char* p, size_t n, OnData&& on_data);
    bool done() const { return m_state == State::done; }
    void reset() { *this = ChunkedDecoder{}; }

  private:
    enum class State { size, size_ext, size_lf, data, data_cr, data_lf, trailer, trailer_lf, done };
    State m_state = State::size;
    uint64_t m_remaining = 0;
    bool m_size_digits = false;
    bool m_trailer_empty = true;  // the current trailer line has no characters yet
};

template <class OnData>
long ChunkedDecoder::feed(const char* p, size_t n, OnData&& on_data) {
    size_t i = 0;
    while (i < n && m_state != State::done) {
        char c = p[i];
        switch (m_state) {
            case State::size:
                if (c >= '0' && c <= '9') {
                    m_remaining = m_remaining * 16 + uint64_t(c - '0');
                } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
                    m_remaining = m_remaining * 16 + uint64_t((c | 0x20) - 'a' + 10);
                } else if (c == ';' || c == ' ' || c == '\t') {
                    m_state = State::size_ext;
                    ++i;
                    continue;
                } else if (c == '\r') {
                    m_state = State::size_lf;
                    ++i;
                    continue;
                } else {
                    return -1;
                }
                m_size_digits = true;
                ++i;
                break;
            case State::size_ext:
                if (c == '\r') m_state = State::size_lf;
                ++i;
                break;
            case State::size_lf:
                if (c != '\n' || !m_size_digits) return -1;
                ++i;
                m_size_digits = false;
                m_state = m_remaining == 0 ? State::trailer : State::data;
                m_trailer_empty = true;
                break;
            case State::data: {
                size_t take = n - i < m_remaining ? n - i : size_t(m_remaining);
                on_data(p + i, take);
                i += take;
                m_remaining -= take;
                if (m_remaining == 0) m_state = State::data_cr;
                break;
            }
            case State::data_cr:
                if (c != '\r') return -1;
                m_state = State::data_lf;
                ++i;
                break;
            case State::data_lf:
                if (c != '\n') return -1;
                m_state = State::size;
                ++i;
                break;
            case State::trailer:
                if (c == '\r') {
                    m_state = State::trailer_lf;
                } else {
                    m_trailer_empty = false;
                }
                ++i;
                break;
            case State::trailer_lf:
                if (c != '\n') return -1;
                ++i;
                if (m_trailer_empty) {
                    m_state = State::done;
                } else {
                    m_state = State::trailer;
                    m_trailer_empty = true;
                }
                break;
            case State::done:
                break;
        }
    }
    return long(i);
}

}  // namespace otari::bench
