#include <doctest/doctest.h>

#include "api/error.hpp"
#include "translate/anthropic_errors.hpp"

using otari::json;
using otari::translate::error_from_anthropic;
using otari::translate::error_from_anthropic_event;
using otari::translate::MappedError;
using otari::translate::openai_error_body;

TEST_SUITE("translate::anthropic_errors") {
    TEST_CASE("openai_error_body has message, type, param null and code") {
        CHECK(json::parse(openai_error_body(429, "rate_limit_error", "slow down")) ==
              json::parse(
                  R"({"error":{"message":"slow down","type":"rate_limit_exceeded","param":null,
                              "code":"rate_limit_exceeded"}})"));
        CHECK(
            json::parse(openai_error_body(400, "invalid_request_error", "bad")) ==
            json::parse(
                R"({"error":{"message":"bad","type":"invalid_request_error","param":null,"code":null}})"));
    }

    TEST_CASE("openai_error_body agrees with api::openai_error_json for every Anthropic type") {
        const std::pair<int, const char*> cases[] = {
            {400, "invalid_request_error"}, {401, "authentication_error"},
            {402, "billing_error"},         {403, "permission_error"},
            {404, "not_found_error"},       {413, "request_too_large"},
            {429, "rate_limit_error"},      {500, "api_error"},
            {503, "overloaded_error"},      {504, "timeout_error"},
            {529, "overloaded_error"}};
        for (const auto& [status, type] : cases) {
            CHECK_MESSAGE(openai_error_body(status, type, "m") ==
                              otari::api::openai_error_json(status, type, "m"),
                          type);
        }
    }

    TEST_CASE("an OpenAI type passed back in is kept") {
        MappedError mapped = error_from_anthropic(
            429, R"({"type":"error","error":{"type":"rate_limit_error","message":"m"}})",
            std::nullopt);
        CHECK(json::parse(openai_error_body(mapped))["error"]["type"] == "rate_limit_exceeded");
        CHECK(json::parse(openai_error_body(402, "insufficient_quota", "m"))["error"]["type"] ==
              "insufficient_quota");
    }

    TEST_CASE("a context overflow gets code context_length_exceeded") {
        json body = json::parse(openai_error_body(
            400, "invalid_request_error", "prompt is too long: 250000 tokens > 200000 maximum"));
        CHECK(body["error"]["code"] == "context_length_exceeded");
    }

    TEST_CASE("an Anthropic 529 overloaded error becomes 503 server_error for OpenAI clients") {
        MappedError mapped = error_from_anthropic(
            529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})",
            std::nullopt);
        CHECK(mapped.status == 503);
        CHECK(mapped.type == "server_error");
        CHECK(mapped.message == "Overloaded");
        CHECK_FALSE(mapped.retry_after.has_value());
    }

    TEST_CASE("a 429 keeps its status, maps the type and rounds Retry-After up") {
        MappedError mapped = error_from_anthropic(
            429, R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})",
            "1.2");
        CHECK(mapped.status == 429);
        CHECK(mapped.type == "rate_limit_exceeded");
        CHECK(mapped.message == "slow down");
        CHECK(mapped.retry_after == "2");
        CHECK(error_from_anthropic(429, "{}", "7").retry_after == "7");
    }

    TEST_CASE("a Retry-After that is not a number of seconds is ignored") {
        CHECK_FALSE(error_from_anthropic(429, "{}", "Wed, 21 Oct 2015 07:28:00 GMT")
                        .retry_after.has_value());
        CHECK_FALSE(error_from_anthropic(429, "{}", "-3").retry_after.has_value());
        CHECK_FALSE(error_from_anthropic(429, "{}", "").retry_after.has_value());
    }

    TEST_CASE("the body's error type wins over the status") {
        MappedError mapped = error_from_anthropic(
            400, R"({"type":"error","error":{"type":"permission_error","message":"no"}})",
            std::nullopt);
        CHECK(mapped.type == "permission_error");
        CHECK(mapped.status == 400);
    }

    TEST_CASE("a non-JSON body gives a type from the status and the text as message") {
        MappedError mapped = error_from_anthropic(502, "  Bad Gateway\n", std::nullopt);
        CHECK(mapped.status == 502);
        CHECK(mapped.type == "server_error");
        CHECK(mapped.message == "Bad Gateway");
        MappedError not_found = error_from_anthropic(404, "nope", std::nullopt);
        CHECK(not_found.type == "invalid_request_error");
    }

    TEST_CASE("a type from another vocabulary is read from the status, not taken for a server error") {
        MappedError limited = error_from_anthropic(
            429, R"({"error":{"message":"slow down","type":"rate_limit"}})", std::nullopt);
        CHECK(limited.status == 429);
        CHECK(limited.type == "rate_limit_exceeded");
        CHECK(limited.message == "slow down");
        MappedError bad = error_from_anthropic(
            400, R"({"error":{"message":"no","type":"BadRequest"}})", std::nullopt);
        CHECK(bad.type == "invalid_request_error");
        MappedError down = error_from_anthropic(
            500, R"({"error":{"message":"oops","type":"InternalError"}})", std::nullopt);
        CHECK(down.type == "server_error");
    }

    TEST_CASE("an empty body says which status the upstream returned") {
        CHECK(error_from_anthropic(500, "", std::nullopt).message == "upstream returned HTTP 500");
    }

    TEST_CASE("a long plain-text body is truncated on a UTF-8 boundary") {
        std::string body(999, 'a');
        body += "\xC3\xA9\xC3\xA9";  // "éé": the cut at 1000 bytes falls inside the first one
        std::string message = error_from_anthropic(500, body, std::nullopt).message;
        CHECK(message == std::string(999, 'a') + "...");
    }

    TEST_CASE("a JSON body in another shape still yields its message") {
        CHECK(error_from_anthropic(400, R"({"message":"aws says no"})", std::nullopt).message ==
              "aws says no");
        CHECK(error_from_anthropic(400, R"({"error":{"message":"openai style"}})", std::nullopt)
                  .message == "openai style");
    }

    TEST_CASE("a status below 400 becomes 502") {
        CHECK(error_from_anthropic(200, "oops", std::nullopt).status == 502);
    }

    TEST_CASE("an SSE error event maps by type: overloaded 503, rate limit 429") {
        MappedError overloaded = error_from_anthropic_event(json::parse(
            R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"));
        CHECK(overloaded.status == 503);
        CHECK(overloaded.type == "server_error");
        CHECK(overloaded.message == "Overloaded");
        MappedError limited = error_from_anthropic_event(json::parse(
            R"({"type":"error","error":{"type":"rate_limit_error","message":"later"}})"));
        CHECK(limited.status == 429);
        CHECK(limited.type == "rate_limit_exceeded");
        MappedError unknown = error_from_anthropic_event(json::object());
        CHECK(unknown.status == 500);
        CHECK(unknown.message == "upstream stream failed");
    }
}
