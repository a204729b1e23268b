#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <stdexcept>

namespace otari::test {

int free_loopback_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::string HttpResult::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
}

HttpClient::HttpClient(int port, std::string host) : m_port(port), m_host(std::move(host)) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    inet_pton(AF_INET, m_host.c_str(), &addr.sin_addr);
    if (::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        throw std::runtime_error("connect to port " + std::to_string(port) + " failed");
    }
    int yes = 1;
    setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
}

HttpClient::~HttpClient() { close(); }

void HttpClient::close() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
}

void HttpClient::send_raw(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::send(m_fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n <= 0) throw std::runtime_error("send failed");
        off += size_t(n);
    }
    m_done = false;
}

void HttpClient::send(const std::string& method, const std::string& target, const std::string& body,
                      const std::vector<std::string>& headers) {
    std::string req = method + " " + target + " HTTP/1.1\r\n";
    bool has_host = false;
    for (const auto& h : headers) {
        if (h.size() >= 5 && (h.compare(0, 5, "Host:") == 0 || h.compare(0, 5, "host:") == 0)) has_host = true;
    }
    if (!has_host) req += "Host: 127.0.0.1:" + std::to_string(m_port) + "\r\n";
    for (const auto& h : headers) req += h + "\r\n";
    if (!body.empty() || method == "POST") {
        req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        bool has_type = false;
        for (const auto& h : headers) {
            if (h.rfind("Content-Type:", 0) == 0 || h.rfind("content-type:", 0) == 0) has_type = true;
        }
        if (!has_type) req += "Content-Type: application/json\r\n";
    }
    req += "\r\n";
    req += body;
    size_t off = 0;
    while (off < req.size()) {
        ssize_t n = ::send(m_fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
        if (n <= 0) throw std::runtime_error("send failed");
        off += size_t(n);
    }
    m_done = false;
    m_clean_end = false;
}

bool HttpClient::fill(std::chrono::milliseconds timeout) {
    pollfd p{m_fd, POLLIN, 0};
    if (::poll(&p, 1, int(timeout.count())) <= 0) return false;
    char tmp[65536];
    ssize_t n = ::recv(m_fd, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    m_buf.append(tmp, size_t(n));
    return true;
}

bool HttpClient::more_bytes_within(std::chrono::milliseconds timeout) {
    if (!m_buf.empty()) return true;
    pollfd p{m_fd, POLLIN, 0};
    return ::poll(&p, 1, int(timeout.count())) > 0;
}

bool HttpClient::read_line(std::string& line, std::chrono::milliseconds timeout) {
    for (;;) {
        size_t eol = m_buf.find("\r\n");
        if (eol != std::string::npos) {
            line = m_buf.substr(0, eol);
            m_buf.erase(0, eol + 2);
            return true;
        }
        if (!fill(timeout)) return false;
    }
}

bool HttpClient::read_head(HttpResult& out, std::chrono::milliseconds timeout) {
    m_done = false;
    m_clean_end = false;
    std::string line;
    if (!read_line(line, timeout)) return false;
    out.status = std::stoi(line.substr(9, 3));
    out.headers.clear();
    while (read_line(line, timeout) && !line.empty()) {
        size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        out.headers[name] = value;
    }
    m_chunked = out.header("transfer-encoding").find("chunked") != std::string::npos;
    m_remaining = out.headers.count("content-length") ? std::stoll(out.header("content-length")) : -1;
    if (!m_chunked && m_remaining == 0) {
        m_done = true;
        m_clean_end = true;
    }
    return true;
}

bool HttpClient::read_body_piece(std::string& out, std::chrono::milliseconds timeout) {
    out.clear();
    if (m_done) return false;
    if (m_chunked) {
        std::string size_line;
        if (!read_line(size_line, timeout)) {
            m_done = true;
            return false;
        }
        size_t size = std::stoul(size_line, nullptr, 16);
        while (m_buf.size() < size + 2) {
            if (!fill(timeout)) {
                m_done = true;
                return false;
            }
        }
        out = m_buf.substr(0, size);
        m_buf.erase(0, size + 2);
        if (size == 0) {
            m_done = true;
            m_clean_end = true;
            return false;
        }
        return true;
    }
    if (m_remaining >= 0) {
        while ((long long)m_buf.size() < m_remaining) {
            if (!fill(timeout)) break;
        }
        out = m_buf.substr(0, size_t(std::min<long long>(m_remaining, (long long)m_buf.size())));
        m_buf.erase(0, out.size());
        m_done = true;
        m_clean_end = (long long)out.size() == m_remaining;
        return !out.empty();
    }
    if (m_buf.empty() && !fill(timeout)) {
        m_done = true;
        return false;
    }
    out.swap(m_buf);
    return true;
}

HttpResult HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                               const std::vector<std::string>& headers) {
    send(method, target, body, headers);
    HttpResult result;
    if (!read_head(result)) throw std::runtime_error("no response head");
    std::string piece;
    while (read_body_piece(piece)) result.body += piece;
    return result;
}

}  // namespace otari::test
