#include "util/tcp_connect.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace otari::util {
namespace {

// A non-blocking connect to `ai`, waited for until `deadline`: the socket, made blocking, or -1.
int connect_before(const addrinfo& ai, std::chrono::steady_clock::time_point deadline) {
    int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai.ai_protocol);
    if (fd < 0) return -1;
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
    if (!connected || ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

bool with_tcp_connection(const std::string& host, const std::string& port,
                         std::chrono::steady_clock::time_point deadline,
                         const std::function<bool(int fd)>& use) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return false;
    bool done = false;
    for (addrinfo* ai = found; ai && !done && std::chrono::steady_clock::now() < deadline;
         ai = ai->ai_next) {
        int fd = connect_before(*ai, deadline);
        if (fd < 0) continue;
        done = use(fd);
        ::close(fd);
    }
    ::freeaddrinfo(found);
    return done;
}

}  // namespace otari::util
