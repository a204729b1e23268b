// How a client addresses a gateway from its configured host: wildcards become loopback, IPv6
// literals are bracketed (cli/daemon.hpp; used by the banner, claude-setup and the daemon).
#include <doctest/doctest.h>

#include "cli/daemon.hpp"
#include "upstream/port_probe.hpp"

using namespace otari;

TEST_CASE("a wildcard bind address is reached on the matching loopback address") {
    CHECK(cli::reachable_host("") == "127.0.0.1");
    CHECK(cli::reachable_host("0.0.0.0") == "127.0.0.1");
    CHECK(cli::reachable_host("::") == "::1");
    CHECK(cli::reachable_host("[::]") == "::1");
    CHECK(cli::reachable_host("127.0.0.2") == "127.0.0.2");
    CHECK(cli::reachable_host("::1") == "::1");
    CHECK(cli::reachable_host("localhost") == "localhost");
}

TEST_CASE("an IPv6 host is bracketed before its port; other hosts are not") {
    CHECK(cli::host_and_port("127.0.0.1", 8000) == "127.0.0.1:8000");
    CHECK(cli::host_and_port("localhost", 80) == "localhost:80");
    CHECK(cli::host_and_port("::1", 8000) == "[::1]:8000");
    CHECK(cli::gateway_url("::1", 8123) == "http://[::1]:8123");
    CHECK(cli::gateway_url("127.0.0.1", 8000) == "http://127.0.0.1:8000");
}

TEST_CASE("a gateway URL reads back as the host and port it was made from") {
    for (const char* host : {"127.0.0.1", "::1", "localhost"}) {
        auto parts = upstream::url_host_port(cli::gateway_url(host, 8765));
        REQUIRE(parts);
        CHECK(parts->host == host);
        CHECK(parts->port == "8765");
    }
}
