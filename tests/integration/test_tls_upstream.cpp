// Providers over HTTPS, as every hosted one is: the TLS handshake and the encrypted stream run
// through the same upstream client (on a fiber's loop, or a thread), and a certificate the
// gateway does not trust fails the call with an error that says so.
#include <doctest/doctest.h>

#include "http/sse.hpp"
#include "support/fake_upstream.hpp"
#include "support/gateway_harness.hpp"
#include "support/http_client.hpp"
#include "support/tls_front.hpp"
#include "util/json.hpp"

using namespace otari;
using namespace otari::test;
using namespace std::chrono_literals;

namespace {

std::string https_config(const TlsFront& tls, bool trust) {
    std::string toml = "[providers.labai]\ntype = \"openai\"\nbase_url = \"" + tls.url() +
                       "/v1\"\napi_key = \"sk-lab\"\n";
    if (trust) toml += "ca_file = \"" + tls.ca_file().string() + "\"\n";
    return toml;
}

std::string chunk(const std::string& delta, const std::string& finish = "null") {
    return "data: "
           R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":)" +
           delta + R"(,"finish_reason":)" + finish + "}]}\n\n";
}

Script streamed_hello() {
    Script s;
    s.content_type = "text/event-stream";
    s.steps = {{chunk(R"({"role":"assistant","content":""})")},
               {chunk(R"({"content":"Hel"})")},
               {chunk(R"({"content":"lo"})")},
               {chunk("{}", "\"stop\"")},
               {"data: [DONE]\n\n"}};
    return s;
}

std::string streamed_text(const std::string& body) {
    http::SseParser parser;
    parser.feed(body);
    http::SseEvent e;
    std::string text;
    while (parser.next(e)) {
        if (e.event != "content_block_delta") continue;
        text += json::parse(e.data)["delta"].value("text", "");
    }
    return text;
}

}  // namespace

TEST_SUITE("integration::tls_upstream") {
    TEST_CASE("a provider over HTTPS trusted through ca_file streams a translated answer") {
        FakeUpstream up;
        up.set_script(streamed_hello());
        TlsFront tls(up.port());
        GatewayHarness gw(https_config(tls, true));
        for (int call = 0; call < 2; ++call) {
            HttpClient client(gw.port());
            auto res = client.request("POST", "/v1/messages", messages_body("labai:gpt-4o", true),
                                      {gw.auth_header()});
            CHECK(res.status == 200);
            CHECK(streamed_text(res.body) == "Hello");
        }
        CHECK(up.request_count() == 2);
        CHECK(tls.handshakes() >= 1);
        REQUIRE(gw.wait_records(2));
        for (const auto& rec : gw.records()) CHECK(rec.ok);
    }

    TEST_CASE("an HTTPS provider whose certificate is not trusted fails with a 502 that says so") {
        FakeUpstream up;
        up.set_script(streamed_hello());
        TlsFront tls(up.port());
        GatewayHarness gw(https_config(tls, false));  // the system's store only
        HttpClient client(gw.port());
        auto res = client.request("POST", "/v1/messages", messages_body("labai:gpt-4o", true),
                                  {gw.auth_header()});
        CHECK(res.status == 502);
        auto error = json::parse(res.body);
        CHECK(error["type"] == "error");
        CHECK(error["error"]["type"] == "api_error");
        const std::string message = error["error"].value("message", "");
        CHECK(message.find("certificate") != std::string::npos);
        CHECK(message.find("set ca_file in [providers.labai]") != std::string::npos);
        // Nothing reached the provider: the handshake failed before any request was sent.
        CHECK(up.request_count() == 0);
    }

    TEST_CASE("a ca_file that does not verify the server fails with a 502 naming that file") {
        FakeUpstream up;
        up.set_script(streamed_hello());
        TlsFront tls(up.port());
        TlsFront other(up.port());  // another self-signed certificate
        GatewayHarness gw("[providers.labai]\ntype = \"openai\"\nbase_url = \"" + tls.url() +
                          "/v1\"\napi_key = \"sk-lab\"\nca_file = \"" + other.ca_file().string() +
                          "\"\n");
        HttpClient client(gw.port());
        auto res = client.request("POST", "/v1/messages", messages_body("labai:gpt-4o", true),
                                  {gw.auth_header()});
        CHECK(res.status == 502);
        const std::string message = json::parse(res.body)["error"].value("message", "");
        CHECK(message.find("no certificate in ca_file " + other.ca_file().string() +
                           " verifies this server") != std::string::npos);
        CHECK(message.find("set ca_file") == std::string::npos);
        CHECK(up.request_count() == 0);
    }
}
