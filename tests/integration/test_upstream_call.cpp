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

    TEST_CASE("a body the upstream compresses unasked is decoded; identity is what is asked for") {
        init_curl();
        FakeUpstream up;
        Script gzipped;
        static const char k_gzip[] =
            "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\x4a\xcc\x2b\x2e\x4f\x2d\x52\xb2\x52"
            "\x4a\xce\xcf\x2d\x28\x4a\x2d\x2e\x4e\x4d\x51\x48\xcc\xab\x2c\x4f\xac\x54\xaa\x05\x00"
            "\x40\x79\xae\xfe\x1e\x00\x00\x00";
        gzipped.body = std::string(k_gzip, sizeof k_gzip - 1);
        gzipped.headers = {{"Content-Encoding", "gzip"}};
        up.set_script(gzipped);
        upstream::Request request;
        request.url = up.url() + "/v1/messages";
        request.body = "{}";
        upstream::Call call(std::move(request));
        REQUIRE(call.wait_headers({}));
        std::string body;
        CHECK(call.read_all(body, 1 << 20, {}));
        CHECK(body == R"({"answer":"compressed anyway"})");
        REQUIRE(up.requests().size() == 1);
        CHECK(up.requests()[0].headers["accept-encoding"] == "identity");
    }

    TEST_CASE("a refused request keeps its body for a corrected retry; an accepted one frees it") {
        init_curl();
        FakeUpstream up;
        Script refusal;
        refusal.status = 400;
        refusal.body = R"({"error":{"message":"no"}})";
        up.queue_script(refusal);
        up.set_script(Script{});
        for (int expected_status : {400, 200}) {
            upstream::Request request;
            request.url = up.url() + "/v1/chat/completions";
            request.body = R"({"max_tokens":32000})";
            upstream::Call call(std::move(request));
            REQUIRE(call.wait_headers({}));
            CHECK(call.status() == expected_status);
            std::string answer;
            call.read_all(answer, 1 << 20, {});
            CHECK(call.take_request_body() ==
                  (expected_status == 400 ? R"({"max_tokens":32000})" : ""));
        }
    }
}  // TEST_SUITE
