#include "server/client_stream.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "loop/loop.hpp"

namespace otari::server {
namespace {

// Reads take up to this much at a time.
constexpr size_t k_read_chunk = 16 * 1024;
// Collected output beyond this is sent at once instead of being copied.
constexpr size_t k_write_collect = 64 * 1024;

int to_ms(time_t sec, time_t usec) { return int(sec * 1000 + usec / 1000); }

// As cpp-httplib reports addresses: numeric host, port in host order.
void ip_and_port(const sockaddr_storage& addr, socklen_t len, std::string& ip, int& port) {
    if (addr.ss_family == AF_INET) {
        port = ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
    } else if (addr.ss_family == AF_INET6) {
        port = ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
    } else {
        return;
    }
    char host[NI_MAXHOST] = {};
    if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof host, nullptr, 0,
                      NI_NUMERICHOST) == 0) {
        ip = host;
    }
}

}  // namespace

// Per fiber (per thread when the connection has a thread of its own).
ClientStream* current_client_stream() { return static_cast<ClientStream*>(loop::fiber_local()); }
void set_current_client_stream(ClientStream* stream) { loop::fiber_local() = stream; }

ClientStream::ClientStream(socket_t sock, time_t read_timeout_sec, time_t read_timeout_usec,
                           time_t write_timeout_sec, time_t write_timeout_usec)
    : m_sock(sock),
      m_read_timeout_ms(to_ms(read_timeout_sec, read_timeout_usec)),
      m_write_timeout_ms(to_ms(write_timeout_sec, write_timeout_usec)) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        ip_and_port(addr, len, m_remote_ip, m_remote_port);
    }
    addr = {};
    len = sizeof addr;
    if (::getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        ip_and_port(addr, len, m_local_ip, m_local_port);
    }
}

void ClientStream::get_remote_ip_and_port(std::string& ip, int& port) const {
    ip = m_remote_ip;
    port = m_remote_port;
}

void ClientStream::get_local_ip_and_port(std::string& ip, int& port) const {
    ip = m_local_ip;
    port = m_local_port;
}

bool ClientStream::is_readable() const {
    return m_in_pos < m_in_len || loop::wait_fd(m_sock, POLLIN, m_read_timeout_ms) > 0;
}

bool ClientStream::alive() const {
    // A client seen open this recently counts as open: a stream checks before every event,
    // and a gone client also shows as a failed send, so a peek per event buys nothing.
    constexpr auto k_fresh = std::chrono::milliseconds(50);
    auto now = std::chrono::steady_clock::now();
    if (now - m_alive_checked_at < k_fresh) return true;
    // One peek: a byte waiting (a pipelined request) or nothing yet means open; end of stream
    // or an error (reset) means the client is gone.
    char byte;
    ssize_t n = ::recv(m_sock, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    bool open = n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR));
    m_alive_checked_at = open ? now : std::chrono::steady_clock::time_point();
    return open;
}

bool ClientStream::is_writable() const {
    // Output is collected and sent without blocking (send_all waits for room itself), so
    // "writable" only asks whether the client is still there.
    return !m_failed && alive();
}

// Read what is available into the (drained) input buffer, waiting up to `timeout_ms` when
// nothing is; false at end of stream, on error or timeout. `wait_first` skips the first read
// when it would almost surely find nothing (right after a response, before the next request).
bool ClientStream::fill(int timeout_ms, bool wait_first) {
    m_in_pos = 0;
    m_in_len = 0;
    // Not zeroed: recv writes what is read, and only that much is ever read back.
    if (!m_in) m_in = std::make_unique_for_overwrite<char[]>(k_read_chunk);
    if (wait_first && loop::wait_fd(m_sock, POLLIN, timeout_ms) <= 0) return false;
    for (bool waited = wait_first;;) {
        ssize_t n = ::recv(m_sock, m_in.get(), k_read_chunk, MSG_DONTWAIT);
        if (n > 0) {
            m_in_len = size_t(n);
            return true;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && !waited) {
            waited = true;
            if (loop::wait_fd(m_sock, POLLIN, timeout_ms) > 0) continue;
        }
        return false;
    }
}

bool ClientStream::wait_request(time_t timeout_sec) {
    if (m_in_pos < m_in_len) return true;
    if (!flush()) return false;
    // A client sends its next request after reading the response: waiting first saves a read
    // that would fail. The first request of a connection is often already there.
    bool after_response = m_served;
    m_served = true;
    return fill(int(timeout_sec * 1000), after_response);
}

ssize_t ClientStream::read(char* ptr, size_t size) {
    // cpp-httplib reads request and header lines a byte at a time: ~190 calls per request.
    if (size == 1 && m_in_pos < m_in_len) {
        *ptr = m_in[m_in_pos++];
        return 1;
    }
    if (m_in_pos == m_in_len) {
        if (!m_out.empty() && !flush()) return -1;
        if (!fill(m_read_timeout_ms)) {
            // End of stream reads 0, as recv would; a timeout or an error -1.
            char byte;
            ssize_t n = ::recv(m_sock, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
            return n == 0 ? 0 : -1;
        }
    }
    size_t n = std::min(size, m_in_len - m_in_pos);
    std::memcpy(ptr, m_in.get() + m_in_pos, n);
    m_in_pos += n;
    return ssize_t(n);
}

ssize_t ClientStream::write(const char* ptr, size_t size) {
    if (m_failed) return -1;
    if (m_out.size() + size <= k_write_collect) {
        m_out.append(ptr, size);
        return ssize_t(size);
    }
    bool ok = alive() && send_all(m_out.data(), m_out.size(), ptr, size);
    m_out.clear();
    if (!ok) {
        m_failed = true;
        return -1;
    }
    return ssize_t(size);
}

bool ClientStream::flush() {
    if (m_failed) return false;
    if (m_out.empty()) return true;
    // Responses of one loop round leave together (see loop::join_send_batch).
    loop::join_send_batch();
    bool ok = alive() && send_all(m_out.data(), m_out.size(), nullptr, 0);
    m_out.clear();
    if (!ok) m_failed = true;
    return ok;
}

bool ClientStream::send_all(const char* head, size_t head_size, const char* tail,
                            size_t tail_size) {
    iovec iov[2] = {{const_cast<char*>(head), head_size}, {const_cast<char*>(tail), tail_size}};
    iovec* next = iov;
    int count = 2;
    while (count > 0) {
        if (next->iov_len == 0) {
            ++next;
            --count;
            continue;
        }
        msghdr msg{};
        msg.msg_iov = next;
        msg.msg_iovlen = size_t(count);
        ssize_t n = ::sendmsg(m_sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if ((errno == EAGAIN || errno == EWOULDBLOCK) &&
                loop::wait_fd(m_sock, POLLOUT, m_write_timeout_ms) > 0) {
                continue;
            }
            return false;
        }
        auto sent = size_t(n);
        while (count > 0 && sent >= next->iov_len) {
            sent -= next->iov_len;
            ++next;
            --count;
        }
        if (count > 0) {
            next->iov_base = static_cast<char*>(next->iov_base) + sent;
            next->iov_len -= sent;
        }
    }
    return true;
}

}  // namespace otari::server
