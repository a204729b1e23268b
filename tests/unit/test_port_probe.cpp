#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "upstream/port_probe.hpp"
#include "util/tcp_connect.hpp"

using namespace otari;
using namespace std::chrono_literals;

namespace {

// A TCP socket bound to 127.0.0.1 on a port of the kernel's choosing; listening when asked.
struct LoopbackSocket {
    int fd = -1;
    int port = 0;
    explicit LoopbackSocket(bool listening) {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        socklen_t len = sizeof addr;
        REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        port = ntohs(addr.sin_port);
        if (listening) REQUIRE(::listen(fd, 4) == 0);
    }
    ~LoopbackSocket() { ::close(fd); }
};

}  // namespace

TEST_CASE("a base URL's host and port: the scheme's default port when none is written") {
    auto plain = upstream::url_host_port("http://localhost/v1");
    REQUIRE(plain);
    CHECK(plain->host == "localhost");
    CHECK(plain->port == "80");
    auto tls = upstream::url_host_port("https://api.example.com");
    REQUIRE(tls);
    CHECK(tls->host == "api.example.com");
    CHECK(tls->port == "443");
    auto explicit_port = upstream::url_host_port("http://127.0.0.1:11434/v1?x=1");
    REQUIRE(explicit_port);
    CHECK(explicit_port->host == "127.0.0.1");
    CHECK(explicit_port->port == "11434");
}

TEST_CASE("a base URL's IPv6 host loses its brackets, and user information is skipped") {
    auto v6 = upstream::url_host_port("http://[::1]:8080/v1");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == "8080");
    auto v6_default = upstream::url_host_port("https://[fe80::1]/");
    REQUIRE(v6_default);
    CHECK(v6_default->host == "fe80::1");
    CHECK(v6_default->port == "443");
    auto user = upstream::url_host_port("http://user:secret@lab.local:9000/v1");
    REQUIRE(user);
    CHECK(user->host == "lab.local");
    CHECK(user->port == "9000");
}

TEST_CASE("a URL of another scheme, without a host or with a port that is not a number has none") {
    CHECK_FALSE(upstream::url_host_port("ftp://example.com/"));
    CHECK_FALSE(upstream::url_host_port("localhost:8080"));
    CHECK_FALSE(upstream::url_host_port("http:///v1"));
    CHECK_FALSE(upstream::url_host_port("http://:8080/v1"));
    CHECK_FALSE(upstream::url_host_port("http://host:80a/"));
    CHECK_FALSE(upstream::url_host_port("http://[::1/"));
    CHECK_FALSE(upstream::url_host_port("http://[::1]x/"));
}

TEST_CASE("a port that listens accepts connections; a closed one does not, at once") {
    LoopbackSocket listening(true);
    CHECK(upstream::accepts_connections(
        "http://127.0.0.1:" + std::to_string(listening.port) + "/v1", 300ms));
    CHECK(
        upstream::accepts_connections("http://localhost:" + std::to_string(listening.port), 300ms));

    LoopbackSocket bound_only(false);  // the port is taken, nothing accepts on it
    auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(upstream::accepts_connections(
        "http://127.0.0.1:" + std::to_string(bound_only.port) + "/v1", 2000ms));
    // Refused, not timed out.
    CHECK(std::chrono::steady_clock::now() - started < 1000ms);
    CHECK_FALSE(upstream::accepts_connections("not a url", 300ms));
}

TEST_CASE("a TCP connection is handed over connected, and closed once used") {
    LoopbackSocket listening(true);
    bool used = util::with_tcp_connection(
        "127.0.0.1", std::to_string(listening.port), std::chrono::steady_clock::now() + 1000ms,
        [](int fd) { return ::send(fd, "ping", 4, MSG_NOSIGNAL) == 4; });
    CHECK(used);
    int peer = ::accept(listening.fd, nullptr, nullptr);
    REQUIRE(peer >= 0);
    char buf[8] = {};
    CHECK(::recv(peer, buf, sizeof buf, MSG_WAITALL) == 4);  // 4 bytes, then end of stream
    CHECK(std::string(buf, 4) == "ping");
    ::close(peer);
}

TEST_CASE("a TCP connection its user declines, a refused one or a deadline already past: false") {
    LoopbackSocket listening(true);
    const std::string port = std::to_string(listening.port);
    int calls = 0;
    auto decline = [&calls](int) {
        ++calls;
        return false;
    };
    CHECK_FALSE(util::with_tcp_connection("127.0.0.1", port,
                                          std::chrono::steady_clock::now() + 1000ms, decline));
    CHECK(calls == 1);
    CHECK_FALSE(
        util::with_tcp_connection("127.0.0.1", port, std::chrono::steady_clock::now(), decline));
    CHECK(calls == 1);
    LoopbackSocket bound_only(false);
    CHECK_FALSE(util::with_tcp_connection("127.0.0.1", std::to_string(bound_only.port),
                                          std::chrono::steady_clock::now() + 1000ms, decline));
    CHECK(calls == 1);
}
