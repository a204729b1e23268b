#pragma once
// The one place that talks libcurl. An UpstreamCall is a pull-style HTTP exchange driven on the
// calling thread: the gateway learns the upstream status before it commits its own, then pulls
// body bytes as they arrive. Connections are kept alive and reused by later calls on the same
// thread (each thread owns one curl multi handle and its connection cache). A call made on a
// fiber (see loop/loop.hpp) is driven by the fiber's event loop, which shares one multi handle
// among its fibers; its waits yield to the loop.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace otari::upstream {

struct Request {
    std::string method = "POST";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    long connect_timeout_ms = 10000;
    // The transfer fails when fewer than 1 byte arrives during this many seconds (a stalled
    // upstream). Not a total timeout: long generations are fine while bytes flow.
    long stall_timeout_s = 600;
    // The whole exchange must end within this (0: no limit). For short control calls.
    long total_timeout_ms = 0;
    // The status and headers must arrive within this (0: no limit), else the call fails with
    // Failure::timeout: a gate for attempts that have a fallback after them.
    long headers_timeout_ms = 0;
    // PEM certificates to verify the server with instead of the system's (empty: the system's).
    std::string ca_file;
};

// When an exchange reached each stage, and how many bytes moved: shared, so a caller can keep
// reading it after the Call is gone. Unset time points are the epoch (default-constructed).
struct TransferStats {
    std::chrono::steady_clock::time_point started;
    std::chrono::steady_clock::time_point connected;  // TCP (and TLS) up; == started when reused
    std::chrono::steady_clock::time_point headers;
    std::chrono::steady_clock::time_point first_byte;
    std::chrono::steady_clock::time_point last_byte;
    int status = 0;             // the final status line's
    size_t bytes_sent = 0;      // request body
    size_t bytes_received = 0;  // response body
    bool reused_connection = false;
};

enum class Failure {
    none,
    connect,    // could not connect (refused, DNS, TLS)
    timeout,    // connect timeout or stall
    transport,  // the connection broke mid-transfer
    cancelled,  // the client went away
};

class Call {
  public:
    // Start the transfer (returns at once; nothing is sent until a wait/read call pumps).
    explicit Call(Request request);
    ~Call();
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;

    // Block until the status and headers are in (true), or the transfer failed or the client
    // went away (false; see failure()). `client_alive` is polled about every 250 ms.
    // `meanwhile`, when given, runs exactly once: once curl has written the whole request, before
    // the next wait for the answer (or at the end, when the answer or a failure came first). For
    // work that should not delay sending (freeing what built the request).
    bool wait_headers(const http::ClientProbe& client_alive,
                      const std::function<void()>& meanwhile = {});

    enum class Read { data, idle, end, failed };
    // Move buffered body bytes into `out` (appending). Waits up to `max_wait` for bytes:
    // data = bytes appended; idle = none arrived in time; end = body complete (out may hold the
    // last bytes); failed = see failure().
    Read read(std::string& out, std::chrono::milliseconds max_wait,
              const http::ClientProbe& client_alive);

    // The rest of the body (for error and non-stream responses), up to `limit` bytes.
    bool read_all(std::string& out, size_t limit, const http::ClientProbe& client_alive);

    // The request body, to send it again corrected after a refusal. Empty once an accepted
    // (2xx) answer has shown the upstream took it (it is freed then).
    std::string take_request_body();

    int status() const { return m_status; }
    const http::Headers& headers() const { return m_headers; }
    Failure failure() const { return m_failure; }
    const std::string& error_message() const { return m_error; }
    // The TLS handshake failed because the server's certificate could not be verified (a
    // connect failure); error_message() says why, in curl's words.
    bool certificate_rejected() const { return m_certificate_rejected; }
    // Seconds from start to the first body byte (negative until then), and to the headers.
    double seconds_to_first_byte() const { return m_first_byte_s; }
    double seconds_to_headers() const { return m_headers_s; }
    size_t bytes_received() const { return m_bytes_received; }
    std::shared_ptr<const TransferStats> stats() const { return m_stats; }

    // The loop's multi handle reports the transfer done (a CURLcode).
    static void finished_on_loop(Call* self, int curl_code);

  private:
    struct Impl;
    void pump_on_loop(std::chrono::milliseconds max_wait, const http::ClientProbe& client_alive,
                      const std::function<bool()>& done, std::function<void()>* before_wait);
    // The transfer ended with this CURLcode: finished, and failed unless CURLE_OK.
    void end_with(int curl_code);
    // Takes the easy handle out of its multi handle, if it is still in.
    void detach();
    // Runs `*work` (then cleared) once curl has sent the whole request; true when it ran.
    bool run_once_sent(std::function<void()>* work);
    // Asks `client_alive` once `next_probe` has come (and sets the next): true, with the call
    // ended as cancelled, when the client has gone.
    bool cancelled_by_client(std::chrono::steady_clock::time_point now,
                             std::chrono::steady_clock::time_point& next_probe,
                             const http::ClientProbe& client_alive);
    // Lets a paused transfer deliver again once the buffer is below its bound.
    void resume_paused();
    static int on_progress(void* self, int64_t, int64_t, int64_t, int64_t uploaded);
    static size_t on_header(char* data, size_t size, size_t count, void* self);
    static size_t on_body(char* data, size_t size, size_t count, void* self);
    // curl has written the request line, the headers and the whole body.
    bool request_sent() const;
    // Run curl until `done()` or the wait expires; false when the transfer ended or failed.
    // `before_wait`, when set, runs before the first wait that follows the whole request going
    // out, and is then cleared.
    void pump(std::chrono::milliseconds max_wait, const http::ClientProbe& client_alive,
              const std::function<bool()>& done, std::function<void()>* before_wait = nullptr);
    // Frees the request body once curl has sent all of it and the upstream accepted it: a
    // stream stays open long after, and a Claude-Code-sized body is tens of KB per stream.
    void release_sent_body();

    std::unique_ptr<Impl> m_impl;
    Request m_request;
    int m_status = 0;
    bool m_headers_done = false;
    bool m_finished = false;
    bool m_plain_http = false;  // http://, no TLS layer between curl and the socket
    bool m_drained = false;     // the last pump's final transfer step read the socket dry
    http::Headers m_headers;
    std::string m_buffer;
    Failure m_failure = Failure::none;
    std::string m_error;
    bool m_certificate_rejected = false;
    double m_first_byte_s = -1;
    double m_headers_s = -1;
    size_t m_bytes_received = 0;
    std::chrono::steady_clock::time_point m_started;
    std::shared_ptr<TransferStats> m_stats = std::make_shared<TransferStats>();
};

}  // namespace otari::upstream
