#include "upstream/port_probe.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace otari::upstream {

std::optional<HostPort> url_host_port(std::string_view url) {
    std::string_view default_port;
    if (url.substr(0, 7) == "http://") {
        url.remove_prefix(7);
        default_port = "80";
    } else if (url.substr(0, 8) == "https://") {
        url.remove_prefix(8);
        default_port = "443";
    } else {
        return std::nullopt;
    }
    std::string_view authority = url.substr(0, url.find_first_of("/?#"));
    if (size_t at = authority.rfind('@'); at != std::string_view::npos)
        authority.remove_prefix(at + 1);
    HostPort out;
    std::string_view rest;
    if (!authority.empty() && authority.front() == '[') {
        size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        out.host = std::string(authority.substr(1, close - 1));
        rest = authority.substr(close + 1);
    } else {
        size_t colon = authority.find(':');
        out.host = std::string(authority.substr(0, colon));
        rest = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
    }
    if (!rest.empty()) {
        if (rest.front() != ':') return std::nullopt;
        rest.remove_prefix(1);
    }
    if (rest.empty()) rest = default_port;
    if (out.host.empty() || rest.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    out.port = std::string(rest);
    return out;
}

namespace {

// A non-blocking connect to `ai`, waited for until `deadline`.
bool connect_before(const addrinfo& ai, std::chrono::steady_clock::time_point deadline) {
    int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai.ai_protocol);
    if (fd < 0) return false;
    bool connected = ::connect(fd, ai.ai_addr, ai.ai_addrlen) == 0;
    if (!connected && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            int n = ::poll(&p, 1, int(left.count()));
            if (n < 0 && errno == EINTR) continue;
            if (n == 1) {
                int error = 0;
                socklen_t len = sizeof error;
                connected = ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0;
            }
            break;
        }
    }
    ::close(fd);
    return connected;
}

}  // namespace

bool accepts_connections(std::string_view url, std::chrono::milliseconds timeout) {
    auto target = url_host_port(url);
    if (!target) return false;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(target->host.c_str(), target->port.c_str(), &hints, &found) != 0)
        return false;
    bool ok = false;
    for (addrinfo* ai = found; ai && !ok && std::chrono::steady_clock::now() < deadline;
         ai = ai->ai_next) {
        ok = connect_before(*ai, deadline);
    }
    ::freeaddrinfo(found);
    return ok;
}

}  // namespace otari::upstream
