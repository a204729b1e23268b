// upstream::Call against a real HTTP server on loopback: when the work handed to wait_headers
// runs, and calls made on fibers, which their event loop drives.
#include <doctest/doctest.h>

#include "loop/loop.hpp"
#include "support/fake_upstream.hpp"
#include "support/http_client.hpp"
#include "upstream/client.hpp"

using namespace otari;
using namespace otari::test;
using namespace std::chrono_literals;

namespace {

// Run `fns` as fibers of one event loop on this thread, until all have ended.
void run_fibers(std::vector<std::function<void()>> fns) {
    loop::Loop l;
    for (auto& fn : fns) l.spawn(std::move(fn));
    l.stop();
    l.run();
}

// A small POST to the fake upstream's chat completions.
upstream::Request chat_request(const FakeUpstream& up) {
    upstream::Request request;
    request.url = up.url() + "/v1/chat/completions";
    request.body = "{}";
    return request;
}

// Read a call's body to its end, giving up after `limit`.
std::string read_to_end(upstream::Call& call, std::chrono::milliseconds limit) {
    std::string body;
    auto give_up = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < give_up) {
        auto r = call.read(body, 100ms, {});
        if (r == upstream::Call::Read::end || r == upstream::Call::Read::failed) break;
    }
    return body;
}

}  // namespace

TEST_SUITE("integration::upstream_call") {
    TEST_CASE("the work given to wait_headers runs once, after the request has gone out") {
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

    TEST_CASE(
        "on a fiber, the work given to wait_headers runs once the request is out, before the "
        "answer") {
        FakeUpstream up;
        Script slow;
        slow.body = R"({"ok":true})";
        slow.delay = 300ms;
        up.set_script(slow);
        int runs = 0;
        bool request_was_out = false;
        bool answer_was_in = true;
        bool ok = false;
        int status = 0;
        run_fibers({[&] {
            upstream::Request request;
            request.url = up.url() + "/v1/chat/completions";
            request.body = std::string(16u << 20, 'x');  // more than the socket takes at once
            upstream::Call call(std::move(request));
            ok = call.wait_headers({}, [&] {
                ++runs;
                request_was_out = up.wait_requests(1, 2s);
                answer_was_in = call.status() != 0;
            });
            status = call.status();
        }});
        CHECK(ok);
        CHECK(status == 200);
        CHECK(runs == 1);
        CHECK(request_was_out);
        CHECK_FALSE(answer_was_in);
    }

    TEST_CASE(
        "on a fiber, an answer nobody reads is held at about 1 MiB, and arrives whole later") {
        FakeUpstream up;
        Script big;
        big.content_type = "text/event-stream";
        for (int i = 0; i < 8; ++i) big.steps.push_back(Step{std::string(1 << 20, char('a' + i))});
        up.set_script(big);
        size_t held = 0;
        std::string body;
        run_fibers({[&] {
            upstream::Call call(chat_request(up));
            REQUIRE(call.wait_headers({}));
            // The loop keeps reading the socket while this fiber does other things.
            loop::park_until(loop::Clock::now() + 300ms);
            held = call.bytes_received();
            body = read_to_end(call, 10s);
        }});
        CHECK(held >= 64 * 1024);
        CHECK(held <= (1u << 20) + 64 * 1024);
        REQUIRE(body.size() == 8u << 20);
        for (int i = 0; i < 8; ++i) CHECK(body[size_t(i) << 20] == char('a' + i));
    }

    TEST_CASE("calls on fibers of one loop proceed side by side on its one thread") {
        FakeUpstream up;
        Script gated;
        gated.content_type = "text/event-stream";
        gated.steps = {Step{"first,"}, Step{"second", 0}};
        up.queue_script(gated);
        Script quick;
        quick.body = "quick";
        up.set_script(quick);
        std::vector<std::string> order;
        std::string gated_body;
        run_fibers({[&] {
                        upstream::Call call(chat_request(up));
                        REQUIRE(call.wait_headers({}));
                        gated_body = read_to_end(call, 5s);
                        order.push_back("gated call ended");
                    },
                    [&] {
                        // The gated stream is open and waiting when this call starts (waited for
                        // in short parks: the loop sends the other call's request meanwhile).
                        auto give_up = std::chrono::steady_clock::now() + 5s;
                        while (!up.wait_at_gate(0, 0ms) &&
                               std::chrono::steady_clock::now() < give_up)
                            loop::park_until(loop::Clock::now() + 5ms);
                        REQUIRE(up.wait_at_gate(0, 0ms));
                        upstream::Call call(chat_request(up));
                        REQUIRE(call.wait_headers({}));
                        CHECK(read_to_end(call, 5s) == "quick");
                        order.push_back("quick call ended");
                        up.open_gate(0);
                    }});
        CHECK(gated_body == "first,second");
        CHECK(order == std::vector<std::string>{"quick call ended", "gated call ended"});
    }
}  // TEST_SUITE
