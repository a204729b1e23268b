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

    TEST_CASE("a refused max_tokens gives the model's cap: OpenAI, Groq and DeepSeek wordings") {
        auto openai = output_limit_from_error(400, R"({"error":{"message":"max_tokens is too large: 32000. This model supports at most 16384 completion tokens, whereas you provided 32000.","type":"invalid_request_error","param":"max_tokens","code":null}})");
        REQUIRE(openai);
        CHECK(openai->max_tokens == 16384);
        CHECK(openai->model_wide);
        auto completion = output_limit_from_error(400, R"({"error":{"message":"max_completion_tokens is too large: 32000. This model supports at most 4096 completion tokens, whereas you provided 32000.","type":"invalid_request_error"}})");
        REQUIRE(completion);
        CHECK(completion->max_tokens == 4096);
        auto groq = output_limit_from_error(400, R"({"error":{"message":"`max_tokens` must be less than or equal to `8192`, the maximum value for `max_tokens` is less than the `context_window` for this model","type":"invalid_request_error","param":"max_tokens"}})");
        REQUIRE(groq);
        CHECK(groq->max_tokens == 8192);
        auto deepseek = output_limit_from_error(400, R"({"error":{"message":"Invalid max_tokens value, the valid range of max_tokens is [1, 8192]","type":"invalid_request_error"}})");
        REQUIRE(deepseek);
        CHECK(deepseek->max_tokens == 8192);
        CHECK(deepseek->model_wide);
    }

    TEST_CASE("a vLLM context overflow caused by max_tokens gives what the input leaves, for this request only") {
        auto old_wording = output_limit_from_error(400, R"({"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 33000 tokens (1000 in the messages, 32000 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400})");
        REQUIRE(old_wording);
        CHECK(old_wording->max_tokens == 3096);
        CHECK_FALSE(old_wording->model_wide);
        auto new_wording = output_limit_from_error(400, R"({"error":{"message":"'max_tokens' or 'max_completion_tokens' is too large: 32000. This model's maximum context length is 32768 tokens and your request has 1234 input tokens (32000 > 32768 - 1234).","type":"BadRequestError"}})");
        REQUIRE(new_wording);
        CHECK(new_wording->max_tokens == 31534);
        CHECK_FALSE(new_wording->model_wide);
    }

    TEST_CASE("other refusals say nothing about the output limit") {
        // A prompt too long for the context, whatever max_tokens is.
        CHECK_FALSE(output_limit_from_error(400, R"({"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens. Please reduce the length of the messages.","code":"context_length_exceeded"}})"));
        CHECK_FALSE(output_limit_from_error(400, R"({"error":{"message":"Invalid value for 'temperature': must be at most 2","type":"invalid_request_error"}})"));
        CHECK_FALSE(output_limit_from_error(400, "Bad Request"));
        // Not a refusal of the request: a server error that happens to name max_tokens.
        CHECK_FALSE(output_limit_from_error(500, R"({"error":{"message":"max_tokens is too large: at most 100"}})"));
        // A cap of 0 is no cap.
        CHECK_FALSE(output_limit_from_error(400, R"({"error":{"message":"max_tokens: at most 0 completion tokens"}})"));
    }

    TEST_CASE("a refused parameter is named, with the one to use instead when the refusal says") {
        auto effort = refused_parameter(
            400,
            R"({"error":{"message":"Unsupported parameter: 'reasoning_effort' is not supported with this model.","type":"invalid_request_error","param":"reasoning_effort","code":"unsupported_parameter"}})");
        REQUIRE(effort);
        CHECK(effort->name == "reasoning_effort");
        CHECK(effort->use_instead.empty());
        auto max_tokens = refused_parameter(
            400,
            R"({"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}})");
        REQUIRE(max_tokens);
        CHECK(max_tokens->name == "max_tokens");
        CHECK(max_tokens->use_instead == "max_completion_tokens");
        auto unrecognized = refused_parameter(
            400,
            R"({"error":{"message":"Unrecognized request argument supplied: parallel_tool_calls","type":"invalid_request_error","param":null,"code":null}})");
        REQUIRE(unrecognized);
        CHECK(unrecognized->name == "parallel_tool_calls");
        auto extra = refused_parameter(
            422,
            R"({"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","safety_identifier"],"msg":"Extra inputs are not permitted","input":"abc"}]},"type":"invalid_request_error"})");
        CHECK_FALSE(extra);  // a detail list nested in the message is not the validation shape
        auto fastapi = refused_parameter(
            422,
            R"({"detail":[{"type":"missing","loc":["body","messages"]},{"type":"extra_forbidden","loc":["body","safety_identifier"],"msg":"Extra inputs are not permitted"}]})");
        REQUIRE(fastapi);
        CHECK(fastapi->name == "safety_identifier");
    }

    TEST_CASE("refused values and other errors name no parameter") {
        CHECK_FALSE(refused_parameter(
            400,
            R"({"error":{"message":"Unsupported value: 'reasoning_effort' does not support 'xhigh' with this model.","type":"invalid_request_error","param":"reasoning_effort","code":"unsupported_value"}})"));
        CHECK_FALSE(refused_parameter(
            400,
            R"({"error":{"message":"Invalid 'messages[1].content': string too long.","param":"messages[1].content","code":"string_above_max_length"}})"));
        CHECK_FALSE(refused_parameter(
            500,
            R"({"error":{"message":"Unsupported parameter: 'x'","code":"unsupported_parameter","param":"x"}})"));
        CHECK_FALSE(refused_parameter(
            400, R"({"detail":[{"type":"extra_forbidden","loc":["body","a","b"]}]})"));
        CHECK_FALSE(refused_parameter(400, "Bad Request"));
    }
}

