#include <doctest/doctest.h>

#include <string>

#include "translate/openai_errors.hpp"
#include "util/json.hpp"

using otari::json;
using namespace otari::translate;

TEST_SUITE("translate::openai_errors") {
    TEST_CASE("429 keeps OpenAI's message and forwards retry-after") {
        MappedError e = error_from_openai(429, R"({"error":{"message":"slow down"}})", "7");
        CHECK(e.status == 429);
        CHECK(e.type == "rate_limit_error");
        CHECK(e.message == "slow down");
        CHECK(e.retry_after == std::optional<std::string>("7"));
    }

    TEST_CASE("retry-after is whole seconds rounded up, and ignored when not a number") {
        CHECK(error_from_openai(429, "{}", "1.2").retry_after == std::optional<std::string>("2"));
        CHECK(error_from_openai(429, "{}", " 3 ").retry_after == std::optional<std::string>("3"));
        CHECK_FALSE(error_from_openai(429, "{}", "Wed, 21 Oct 2015 07:28:00 GMT").retry_after);
        CHECK_FALSE(error_from_openai(429, "{}", "-1").retry_after);
        CHECK_FALSE(error_from_openai(429, "{}", std::nullopt).retry_after);
    }

    TEST_CASE("429 insufficient_quota is a billing error, not a retryable rate limit") {
        MappedError e = error_from_openai(
            429,
            R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}})",
            std::nullopt);
        CHECK(e.status == 402);
        CHECK(e.type == "billing_error");
    }

    TEST_CASE("a context-length 400 uses Anthropic's prompt is too long wording with numbers") {
        MappedError e = error_from_openai(400, R"({"error":{"message":
            "This model's maximum context length is 128000 tokens. However, your messages resulted in 250000 tokens. Please reduce the length of the messages.",
            "type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})",
                                          std::nullopt);
        CHECK(e.status == 400);
        CHECK(e.type == "invalid_request_error");
        CHECK(e.message == "prompt is too long: 250000 tokens > 128000 maximum");
    }

    TEST_CASE("llama.cpp's exceed_context_size_error reads its token fields") {
        MappedError e = error_from_openai(
            400, R"({"error":{"code":400,"message":"request exceeds the available context size",
            "type":"exceed_context_size_error","n_prompt_tokens":9000,"n_ctx":8192}})",
            std::nullopt);
        CHECK(e.status == 400);
        CHECK(e.message == "prompt is too long: 9000 tokens > 8192 maximum");
    }

    TEST_CASE("a context-length error without numbers still starts with prompt is too long") {
        MappedError e = error_from_openai(
            400,
            R"({"object":"error","message":"This model's maximum context length was exceeded","code":400})",
            std::nullopt);
        CHECK(e.type == "invalid_request_error");
        CHECK(e.message.rfind("prompt is too long: ", 0) == 0);
    }

    TEST_CASE("503 and overload wording become 529 overloaded_error") {
        CHECK(error_from_openai(503, "Service Unavailable", std::nullopt).status == 529);
        CHECK(error_from_openai(503, "Service Unavailable", std::nullopt).type ==
              "overloaded_error");
        MappedError ds = error_from_openai(
            500, R"({"error":{"message":"busy","type":"insufficient_system_resource"}})",
            std::nullopt);
        CHECK(ds.type == "overloaded_error");
        CHECK(ds.status == 529);
    }

    TEST_CASE("an Anthropic-shaped error body keeps its type and message") {
        MappedError e = error_from_openai(
            529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})",
            std::nullopt);
        CHECK(e.status == 529);
        CHECK(e.type == "overloaded_error");
        CHECK(e.message == "Overloaded");
    }

    TEST_CASE("each status maps to its Anthropic type and client status") {
        struct Row {
            int upstream;
            int client;
            const char* type;
        };
        for (const Row& row :
             {Row{400, 400, "invalid_request_error"}, Row{401, 401, "authentication_error"},
              Row{402, 402, "billing_error"}, Row{403, 403, "permission_error"},
              Row{404, 404, "not_found_error"}, Row{408, 504, "timeout_error"},
              Row{409, 409, "invalid_request_error"}, Row{413, 413, "request_too_large"},
              Row{422, 422, "invalid_request_error"}, Row{500, 500, "api_error"},
              Row{502, 502, "api_error"}, Row{504, 504, "timeout_error"},
              Row{529, 529, "overloaded_error"}, Row{501, 500, "api_error"}}) {
            CAPTURE(row.upstream);
            MappedError e =
                error_from_openai(row.upstream, R"({"error":{"message":"m"}})", std::nullopt);
            CHECK(e.status == row.client);
            CHECK(e.type == row.type);
            CHECK(e.message == "m");
        }
    }

    TEST_CASE("the message comes from detail or message fields, else the raw body, truncated") {
        CHECK(error_from_openai(422, R"({"detail":"field required"})", std::nullopt).message ==
              "field required");
        CHECK(error_from_openai(400, R"({"message":"bad thing"})", std::nullopt).message ==
              "bad thing");
        CHECK(error_from_openai(400, R"({"error":"plain string"})", std::nullopt).message ==
              "plain string");
        CHECK(error_from_openai(502, "<html>bad gateway</html>", std::nullopt).message ==
              "<html>bad gateway</html>");
        CHECK(error_from_openai(500, "", std::nullopt).message == "upstream returned HTTP 500");
        std::string long_body(999, 'x');
        long_body += "\xC3\xA9tail";  // a 2-byte character straddles the 1000-byte limit
        const std::string message = error_from_openai(500, long_body, std::nullopt).message;
        CHECK(message == std::string(999, 'x'));
    }

    TEST_CASE("an error object from a stream chunk is classified without an HTTP status") {
        MappedError overloaded = error_from_openai_object(
            json::parse(R"({"message":"overloaded","type":"server_error"})"));
        CHECK(overloaded.type == "overloaded_error");
        CHECK(overloaded.message == "overloaded");
        MappedError limited =
            error_from_openai_object(json::parse(R"({"code":429,"message":"slow"})"));
        CHECK(limited.type == "rate_limit_error");
        CHECK(limited.status == 429);
        MappedError generic = error_from_openai_object(json::parse(R"({"message":"boom"})"));
        CHECK(generic.type == "api_error");
        CHECK(generic.status == 500);
    }

    TEST_CASE("the error event frame has an event line and an Anthropic error object") {
        CHECK(anthropic_error_event("api_error", "a \"quoted\" message") ==
              "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\","
              "\"message\":\"a \\\"quoted\\\" message\"}}\n\n");
    }
}
