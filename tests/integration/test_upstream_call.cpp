// upstream::Call against a real HTTP server on loopback: when the work handed to wait_headers
// runs.
#include <doctest/doctest.h>

#include <mutex>

#include "support/fake_upstream.hpp"
#include "support/http_client.hpp"
#include "upstream/client.hpp"

using namespace otari;
using namespace otari::test;
using namespace std::chrono_literals;

namespace {

void init_curl() {
    static std::once_flag once;
    std::call_once(once, [] { upstream::global_init(); });
}

}  // namespace

TEST_SUITE("integration::upstream_call") {
    TEST_CASE("the work given to wait_headers runs once, after the request has gone out") {
        init_curl();
        FakeUpstream up;
        Script slow;
        slow.body = R"({"ok":true})";
        slow.delay = 300ms;  // the answer comes well after the request has arrived
        up.set_script(slow);
        upstream::Request request;
        request.url = up.url() + "/v1/chat/completions";
        request.body = R"({"model":"m"})";
        upstream::Call call(std::move(request));
        int runs = 0;
        bool request_was_out = false;
        bool answer_was_in = true;
        bool ok = call.wait_headers({}, [&] {
            ++runs;
            // Only this thread drives the transfer: the upstream can see the request only if curl
            // sent it before handing over.
            request_was_out = up.wait_requests(1, 2s);
            answer_was_in = call.status() != 0;
        });
        CHECK(ok);
        CHECK(call.status() == 200);
        CHECK(runs == 1);
        CHECK(request_was_out);
        CHECK_FALSE(answer_was_in);
        REQUIRE(up.requests().size() == 1);
        CHECK(up.requests()[0].body == R"({"model":"m"})");
    }

    TEST_CASE("the work given to wait_headers runs once when the upstream cannot be reached") {
        init_curl();
        upstream::Request request;
        request.url =
            "http://127.0.0.1:" + std::to_string(free_loopback_port()) + "/v1/chat/completions";
        request.body = "{}";
        upstream::Call call(std::move(request));
        int runs = 0;
        CHECK_FALSE(call.wait_headers({}, [&] { ++runs; }));
        CHECK(call.failure() == upstream::Failure::connect);
        CHECK(runs == 1);
    }

}  // TEST_SUITE
