#pragma once
// A deliberately plain HTTP/1.1 client over a blocking socket, for tests that need to see
// exactly what arrives and when: read the status and headers, then the body chunk by chunk as
// it arrives, and hang up at any point.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace otari::test {

// A loopback port nothing listens on right now (bound, then released).
int free_loopback_port();

struct HttpResult {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string header(const std::string& name) const;
};

class HttpClient {
public:
    explicit HttpClient(int port, std::string host = "127.0.0.1");
    ~HttpClient();

    // Send a request; extra headers as "Name: value" lines. Host defaults to 127.0.0.1:port.
    void send(const std::string& method, const std::string& target, const std::string& body,
              const std::vector<std::string>& headers);
    // Send `bytes` as they are (a request in pieces, or several requests at once).
    void send_raw(const std::string& bytes);
    // Read the status line and headers (false on a closed connection or timeout).
    bool read_head(HttpResult& out, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Read the next piece of the body (one chunk of a chunked body); false at the end.
    bool read_body_piece(std::string& out, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Whether more bytes have arrived, or arrive within `timeout`, without consuming them.
    bool more_bytes_within(std::chrono::milliseconds timeout);
    // Whole exchange in one call.
    HttpResult request(const std::string& method, const std::string& target, const std::string& body,
                       const std::vector<std::string>& headers = {});
    void close();
    bool ended_cleanly() const { return m_clean_end; }

private:
    bool fill(std::chrono::milliseconds timeout);
    bool read_line(std::string& line, std::chrono::milliseconds timeout);
    int m_fd = -1;
    int m_port;
    std::string m_host;
    std::string m_buf;
    bool m_chunked = false;
    long long m_remaining = -1;  // content-length left, -1 unknown
    bool m_done = false;
    bool m_clean_end = false;
};

}  // namespace otari::test
