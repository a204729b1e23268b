#pragma once
// The client connection as cpp-httplib's request code sees it, in place of the library's own
// SocketStream: reads are buffered for the whole connection (pipelined bytes survive), and
// writes are collected until flush(), so a response goes out in as few segments as it can
// (headers, body and the chunked terminator together) and without the two polls the library
// makes before every send. See ListeningServer in server.cpp for the connection loop.
#include <httplib.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <string>

namespace otari::server {

class ClientStream final : public httplib::Stream {
  public:
    ClientStream(socket_t sock, time_t read_timeout_sec, time_t read_timeout_usec,
                 time_t write_timeout_sec, time_t write_timeout_usec);

    // Input is waiting or arrives within the read timeout.
    bool is_readable() const override;
    // The client has not closed the connection (output is collected, so there is always room).
    bool is_writable() const override;
    // Buffered input first; otherwise sends what is pending (a "100 Continue" must reach the
    // client before its body is awaited), then waits up to the read timeout. -1 on timeout or
    // error, 0 at end of stream.
    ssize_t read(char* ptr, size_t size) override;
    // Collects `ptr` for the next flush() (large writes go out at once); -1 when a send failed.
    ssize_t write(const char* ptr, size_t size) override;
    void get_remote_ip_and_port(std::string& ip, int& port) const override;
    void get_local_ip_and_port(std::string& ip, int& port) const override;
    socket_t socket() const override { return m_sock; }

    // Wait up to `timeout_sec` for the first byte of the next request; false when none came or
    // the client closed the connection.
    bool wait_request(time_t timeout_sec);
    // Send everything collected, unless the client has closed the connection (false then, or
    // when a send fails or times out).
    bool flush();

  private:
    bool fill(int timeout_ms, bool wait_first = false);
    bool send_all(const char* head, size_t head_size, const char* tail, size_t tail_size);
    bool alive() const;

    socket_t m_sock;
    int m_read_timeout_ms;
    int m_write_timeout_ms;
    std::unique_ptr<char[]> m_in;  // input read ahead of the parser: [m_in_pos, m_in_len)
    size_t m_in_len = 0;
    size_t m_in_pos = 0;
    std::string m_out;
    bool m_failed = false;
    bool m_served = false;  // wait_request was called before: a response went out since
    mutable std::chrono::steady_clock::time_point
        m_alive_checked_at;  // when alive() last peeked open
    std::string m_remote_ip;
    int m_remote_port = 0;
    std::string m_local_ip;
    int m_local_port = 0;
};

// The stream of the connection the calling thread serves, or nullptr outside the loop.
ClientStream* current_client_stream();
void set_current_client_stream(ClientStream* stream);

}  // namespace otari::server
