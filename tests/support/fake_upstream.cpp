#include "support/fake_upstream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <stdexcept>

#include "support/loopback.hpp"

namespace otari::test {
namespace {

const char* reason_for(int status) {
    switch (status) {
        case 200: return "OK";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 529: return "Overloaded";
        default: return "Status";
    }
}

std::string lower(std::string s) {
    for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Reads one request (head and Content-Length or chunked body) from a connection.
class RequestReader {
public:
    explicit RequestReader(int fd) : m_fd(fd) {}

    // False when the peer closed (or broke) the connection before a whole request.
    bool read(ReceivedRequest& out) {
        size_t head_end;
        while ((head_end = m_buf.find("\r\n\r\n")) == std::string::npos) {
            if (!fill()) return false;
        }
        std::string head = m_buf.substr(0, head_end);
        m_buf.erase(0, head_end + 4);
        size_t line_end = head.find("\r\n");
        std::string request_line = head.substr(0, line_end);
        size_t sp1 = request_line.find(' ');
        size_t sp2 = request_line.find(' ', sp1 + 1);
        out.method = request_line.substr(0, sp1);
        out.path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
        size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
        while (pos < head.size()) {
            size_t eol = head.find("\r\n", pos);
            if (eol == std::string::npos) eol = head.size();
            std::string line = head.substr(pos, eol - pos);
            pos = eol + 2;
            size_t colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string name = lower(line.substr(0, colon));
            std::string value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            auto [it, inserted] = out.headers.emplace(name, value);
            if (!inserted) it->second += "," + value;
        }
        if (auto it = out.headers.find("transfer-encoding"); it != out.headers.end() && lower(it->second) == "chunked") {
            return read_chunked(out.body);
        }
        size_t length = 0;
        if (auto it = out.headers.find("content-length"); it != out.headers.end()) length = std::stoul(it->second);
        while (m_buf.size() < length) {
            if (!fill()) return false;
        }
        out.body = m_buf.substr(0, length);
        m_buf.erase(0, length);
        return true;
    }

private:
    bool fill() {
        char tmp[65536];
        ssize_t n = ::recv(m_fd, tmp, sizeof tmp, 0);
        if (n < 0 && errno == EINTR) return fill();
        if (n <= 0) return false;
        m_buf.append(tmp, size_t(n));
        return true;
    }

    bool read_chunked(std::string& body) {
        for (;;) {
            size_t eol;
            while ((eol = m_buf.find("\r\n")) == std::string::npos) {
                if (!fill()) return false;
            }
            size_t size = std::stoul(m_buf.substr(0, eol), nullptr, 16);
            m_buf.erase(0, eol + 2);
            while (m_buf.size() < size + 2) {
                if (!fill()) return false;
            }
            body.append(m_buf, 0, size);
            m_buf.erase(0, size + 2);
            if (size == 0) return true;
        }
    }

    int m_fd;
    std::string m_buf;
};

}  // namespace

FakeUpstream::FakeUpstream() {
    m_listen_fd = listen_on_loopback(512, m_port, "fake upstream");
    m_acceptor = std::thread([this] { accept_loop(); });
}

FakeUpstream::~FakeUpstream() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        for (int fd : m_connection_fds) ::shutdown(fd, SHUT_RDWR);
    }
    m_changed.notify_all();
    ::shutdown(m_listen_fd, SHUT_RDWR);
    if (m_acceptor.joinable()) m_acceptor.join();
    ::close(m_listen_fd);
    for (auto& t : m_connections) {
        if (t.joinable()) t.join();
    }
}

std::string FakeUpstream::url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

void FakeUpstream::set_script(Script script) {
    std::lock_guard lock(m_mutex);
    m_default = std::move(script);
}

void FakeUpstream::queue_script(Script script) {
    std::lock_guard lock(m_mutex);
    m_queue.push_back(std::move(script));
}

void FakeUpstream::set_script_for(const std::string& path_prefix, Script script) {
    std::lock_guard lock(m_mutex);
    m_path_scripts[path_prefix].fallback = std::move(script);
}

void FakeUpstream::queue_script_for(const std::string& path_prefix, Script script) {
    std::lock_guard lock(m_mutex);
    m_path_scripts[path_prefix].queue.push_back(std::move(script));
}

std::vector<ReceivedRequest> FakeUpstream::requests_to(const std::string& path_prefix) const {
    std::lock_guard lock(m_mutex);
    std::vector<ReceivedRequest> out;
    for (const auto& r : m_requests) {
        if (r.path.rfind(path_prefix, 0) == 0) out.push_back(r);
    }
    return out;
}

bool FakeUpstream::wait_requests_to(const std::string& path_prefix, size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] {
        size_t count = 0;
        for (const auto& r : m_requests) count += r.path.rfind(path_prefix, 0) == 0;
        return count >= n;
    });
}

std::vector<ReceivedRequest> FakeUpstream::requests() const {
    std::lock_guard lock(m_mutex);
    return m_requests;
}

size_t FakeUpstream::request_count() const {
    std::lock_guard lock(m_mutex);
    return m_requests.size();
}

bool FakeUpstream::wait_requests(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return m_requests.size() >= n; });
}

bool FakeUpstream::wait_at_gate(int gate, std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return m_waiting_gates.count(gate) > 0; });
}

void FakeUpstream::open_gate(int gate) {
    std::lock_guard lock(m_mutex);
    m_open_gates.insert(gate);
    m_changed.notify_all();
}

bool FakeUpstream::wait_stream_closed(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return m_streams_ended > 0 && !m_stream_open; });
}

bool FakeUpstream::client_went_away() const {
    std::lock_guard lock(m_mutex);
    return m_peer_gone;
}

std::chrono::steady_clock::time_point FakeUpstream::client_gone_at() const {
    std::lock_guard lock(m_mutex);
    return m_peer_gone_at;
}

void FakeUpstream::accept_loop() {
    for (;;) {
        sockaddr_in peer{};
        socklen_t len = sizeof peer;
        int fd = ::accept4(m_listen_fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR) continue;
            return;
        }
        int yes = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        std::lock_guard lock(m_mutex);
        if (m_stopping) {
            ::close(fd);
            return;
        }
        m_connection_fds.insert(fd);
        int remote_port = ntohs(peer.sin_port);
        m_connections.emplace_back([this, fd, remote_port] { serve_connection(fd, remote_port); });
    }
}

void FakeUpstream::serve_connection(int fd, int remote_port) {
    RequestReader reader(fd);
    for (;;) {
        ReceivedRequest request;
        if (!reader.read(request)) break;
        request.remote_port = remote_port;
        Script script;
        {
            std::lock_guard lock(m_mutex);
            m_requests.push_back(request);
            PathScripts* routed = nullptr;  // the longest matching prefix wins
            size_t routed_length = 0;
            for (auto& [prefix, scripts] : m_path_scripts) {
                if (request.path.rfind(prefix, 0) == 0 && (!routed || prefix.size() > routed_length)) {
                    routed = &scripts;
                    routed_length = prefix.size();
                }
            }
            if (routed) {
                if (!routed->queue.empty()) {
                    script = std::move(routed->queue.front());
                    routed->queue.erase(routed->queue.begin());
                } else {
                    script = routed->fallback;
                }
            } else if (!m_queue.empty()) {
                script = std::move(m_queue.front());
                m_queue.erase(m_queue.begin());
            } else {
                script = m_default;
            }
        }
        m_changed.notify_all();
        if (!answer(fd, script)) break;
    }
    std::lock_guard lock(m_mutex);
    m_connection_fds.erase(fd);
    ::close(fd);
}

bool FakeUpstream::answer(int fd, const Script& script) {
    if (script.delay.count() > 0) {
        std::unique_lock lock(m_mutex);
        m_changed.wait_for(lock, script.delay, [&] { return m_stopping; });
    }
    std::string head = "HTTP/1.1 " + std::to_string(script.status) + " " + reason_for(script.status) + "\r\n";
    head += "Content-Type: " + script.content_type + "\r\n";
    for (const auto& [name, value] : script.headers) head += name + ": " + value + "\r\n";
    if (script.steps.empty()) {
        head += "Content-Length: " + std::to_string(script.body.size()) + "\r\n\r\n";
        return send_all(fd, head + script.body);
    }
    head += "Transfer-Encoding: chunked\r\n\r\n";
    {
        std::lock_guard lock(m_mutex);
        m_stream_open = true;
        m_peer_gone = false;
    }
    bool ok = send_all(fd, head);
    for (const auto& step : script.steps) {
        if (!ok) break;
        if (step.gate >= 0 && !wait_gate_open(fd, step.gate)) {
            ok = false;
            break;
        }
        if (step.drop) {
            ::shutdown(fd, SHUT_RDWR);
            note_stream_end(false);
            return false;
        }
        if (!step.data.empty()) {
            char size_line[32];
            std::snprintf(size_line, sizeof size_line, "%zx\r\n", step.data.size());
            ok = send_all(fd, std::string(size_line) + step.data + "\r\n");
        }
    }
    if (ok) ok = send_all(fd, "0\r\n\r\n");
    note_stream_end(!ok);
    return ok;
}

bool FakeUpstream::wait_gate_open(int fd, int gate) {
    std::unique_lock lock(m_mutex);
    m_waiting_gates.insert(gate);
    m_changed.notify_all();
    while (!m_open_gates.count(gate) && !m_stopping) {
        lock.unlock();
        // Watch the connection while waiting: the gateway hanging up shows as readable + EOF.
        pollfd p{fd, POLLIN | POLLRDHUP, 0};
        int rc = ::poll(&p, 1, 20);
        bool gone = false;
        if (rc > 0) {
            char byte;
            ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
            gone = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
        }
        lock.lock();
        if (gone) {
            m_waiting_gates.erase(gate);
            m_peer_gone = true;
            m_peer_gone_at = std::chrono::steady_clock::now();
            return false;
        }
    }
    m_waiting_gates.erase(gate);
    return !m_stopping;
}

void FakeUpstream::note_stream_end(bool peer_gone) {
    std::lock_guard lock(m_mutex);
    if (peer_gone && !m_peer_gone) {
        m_peer_gone = true;
        m_peer_gone_at = std::chrono::steady_clock::now();
    }
    m_stream_open = false;
    ++m_streams_ended;
    m_changed.notify_all();
}

}  // namespace otari::test
