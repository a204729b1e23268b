#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

#include "util/random.hpp"

using namespace otari;

namespace {

bool is_base62(const std::string& s) {
    for (char c : s) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("random ids have the asked length in base62 and do not repeat") {
    std::set<std::string> seen;
    // Several read-ahead blocks' worth, so refills are crossed.
    for (int i = 0; i < 2000; ++i) {
        std::string id = util::random_id_base62(24);
        CHECK(id.size() == 24);
        CHECK(is_base62(id));
        seen.insert(id);
    }
    CHECK(seen.size() == 2000);
    CHECK(util::random_id_base62(0).empty());
    CHECK(util::random_id_base62(300).size() == 300);  // longer than one block
}

TEST_CASE("request ids are req_ and 24 base62 characters") {
    std::string id = util::new_request_id();
    REQUIRE(id.size() == 28);
    CHECK(id.rfind("req_", 0) == 0);
    CHECK(is_base62(id.substr(4)));
}

TEST_CASE("a forked child does not hand out its parent's next ids") {
    util::random_id_base62(8);  // the read-ahead block now holds unread bytes
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::string id = util::random_id_base62(24);
        ssize_t n = ::write(fds[1], id.data(), id.size());
        ::_exit(n == ssize_t(id.size()) ? 0 : 1);
    }
    ::close(fds[1]);
    std::string parent_id = util::random_id_base62(24);
    char buf[64] = {};
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(n == 24);
    CHECK(std::string(buf, size_t(n)) != parent_id);
}

TEST_CASE("random_base62 (secrets) has the asked length in base62") {
    std::string key = util::random_base62(40);
    CHECK(key.size() == 40);
    CHECK(is_base62(key));
    CHECK(key != util::random_base62(40));
}
