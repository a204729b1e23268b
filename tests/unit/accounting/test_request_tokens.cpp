// Request token counting (tokens/request_tokens.hpp). Text token counts in the comments come
// from the npm package gpt-tokenizer 4.0.0 (o200k_base), e.g. "hello world" = 2.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "tokens/estimate.hpp"
#include "tokens/image_dimensions.hpp"
#include "tokens/media_tokens.hpp"
#include "tokens/model_family.hpp"
#include "tokens/request_tokens.hpp"
#include "util/json.hpp"

using otari::json;
namespace tok = otari::tokens;
using tok::TokenizerFamily;

namespace {

std::string base64(std::string_view bytes) {
    static constexpr char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        uint32_t n = uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8 |
                     uint8_t(bytes[i + 2]);
        for (int shift : {18, 12, 6, 0}) out += k_alphabet[(n >> shift) & 63];
    }
    if (i + 1 == bytes.size()) {
        uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
        out += std::string{k_alphabet[n >> 18], k_alphabet[(n >> 12) & 63], '=', '='};
    } else if (i + 2 == bytes.size()) {
        uint32_t n = uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8;
        out += std::string{k_alphabet[n >> 18], k_alphabet[(n >> 12) & 63],
                           k_alphabet[(n >> 6) & 63], '='};
    }
    return out;
}

std::string big_endian(uint32_t value, int bytes) {
    std::string out;
    for (int i = bytes - 1; i >= 0; --i) out += char((value >> (8 * i)) & 0xFF);
    return out;
}

std::string little_endian(uint32_t value, int bytes) {
    std::string out;
    for (int i = 0; i < bytes; ++i) out += char((value >> (8 * i)) & 0xFF);
    return out;
}

std::string png(uint32_t width, uint32_t height) {
    return std::string("\x89PNG\r\n\x1a\n", 8) + big_endian(13, 4) + "IHDR" + big_endian(width, 4) +
           big_endian(height, 4) + std::string("\x08\x02\0\0\0", 5);
}

std::string jpeg(uint32_t width, uint32_t height) {
    std::string app0 =
        "\xFF\xE0" + big_endian(16, 2) + std::string("JFIF\0\x01\x01\0\0\x01\0\x01\0\0", 14);
    std::string sof = "\xFF\xC0" + big_endian(17, 2) + "\x08" + big_endian(height, 2) +
                      big_endian(width, 2) + std::string(12, '\x01');
    return "\xFF\xD8" + app0 + sof;
}

std::string gif(uint32_t width, uint32_t height) {
    return "GIF89a" + little_endian(width, 2) + little_endian(height, 2) + std::string(3, '\0');
}

std::string webp_extended(uint32_t width, uint32_t height) {
    return "RIFF" + little_endian(30, 4) + "WEBPVP8X" + little_endian(10, 4) +
           std::string(4, '\0') + little_endian(width - 1, 3) + little_endian(height - 1, 3);
}

json image_block(const std::string& file) {
    return {{"type", "image"},
            {"source", {{"type", "base64"}, {"media_type", "image/png"}, {"data", base64(file)}}}};
}

json user(json content) { return {{"role", "user"}, {"content", std::move(content)}}; }

json request(json messages) { return {{"model", "m"}, {"messages", std::move(messages)}}; }

// The cookbook's weather tool, as an Anthropic tool definition.
json weather_tool() {
    return json::parse(R"({"name": "get_weather",
        "description": "Get the current weather in a given location",
        "input_schema": {"type": "object", "properties": {
            "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
          "required": ["location"]}})");
}

}  // namespace

TEST_CASE("tokenizer_family classifies model ids with and without provider selectors") {
    CHECK(tok::tokenizer_family("gpt-4o") == TokenizerFamily::openai);
    CHECK(tok::tokenizer_family("openai:gpt-4.1-mini") == TokenizerFamily::openai);
    CHECK(tok::tokenizer_family("o3-mini") == TokenizerFamily::openai);
    CHECK(tok::tokenizer_family("o1") == TokenizerFamily::openai);
    CHECK(tok::tokenizer_family("openrouter:openai/o4-mini") == TokenizerFamily::openai);
    CHECK(tok::tokenizer_family("ChatGPT-4o-latest") == TokenizerFamily::openai);
    CHECK(tok::tokenizer_family("claude-sonnet-4-5-20250929") == TokenizerFamily::anthropic);
    CHECK(tok::tokenizer_family("anthropic.claude-3-5-sonnet-20240620-v1:0") ==
          TokenizerFamily::anthropic);
    CHECK(tok::tokenizer_family("anthropic:my-alias") == TokenizerFamily::anthropic);
    CHECK(tok::tokenizer_family("ollama:llama3.1:8b") == TokenizerFamily::other);
    CHECK(tok::tokenizer_family("mistral:open-mistral-7b") == TokenizerFamily::other);
    CHECK(tok::tokenizer_family("o5x") == TokenizerFamily::other);
}

TEST_CASE("OpenAI models follow the cookbook's chat message formula") {
    // 3 reply priming + (3 per message + 1 role + 2 "hello world").
    CHECK(tok::count_request_tokens(request(json::array({user("hello world")})), "gpt-4o") == 9);
    // + system message: 3 + 1 + 3 "Be brief."
    json with_system = request(json::array({user("hello world")}));
    with_system["system"] = "Be brief.";
    CHECK(tok::count_request_tokens(with_system, "gpt-4o") == 16);
    with_system["system"] = json::array({{{"type", "text"}, {"text", "Be brief."}}});
    CHECK(tok::count_request_tokens(with_system, "gpt-4o") == 16);
}

TEST_CASE("OpenAI tools follow the cookbook's function formula") {
    json body = request(json::array({user("What is the weather like in San Francisco?")}));
    body["tools"] = json::array({weather_tool()});
    // 7 + 10 "get_weather:Get the current ... location" + 3 properties
    // + location: 3 + 14 "location:string:The city ..., CA"
    // + unit: 3 - 3 + (3 + 2 "celsius") + (3 + 2 "fahrenheit") + 3 "unit:string:" + 12 end = 62;
    // messages: 3 + (3 + 1 + 9) = 16.
    CHECK(tok::count_request_tokens(body, "gpt-4o") == 78);
}

TEST_CASE("OpenAI tool calls and results count as translated messages") {
    json body = request(json::array({
        user("What is the weather like in San Francisco?"),
        {{"role", "assistant"},
         {"content", json::array({{{"type", "text"}, {"text", "Let me think."}},
                                  {{"type", "tool_use"},
                                   {"id", "toolu_1"},
                                   {"name", "get_weather"},
                                   {"input", {{"location", "Paris"}}}}})}},
        user(json::array(
            {{{"type", "tool_result"}, {"tool_use_id", "toolu_1"}, {"content", "15 degrees"}}})),
    }));
    // 3 + user (4 + 9) + assistant (4 + 4 "Let me think." + call 3 + 2 name + 5 args)
    // + tool message (4 + 2 "15 degrees") = 40.
    CHECK(tok::count_request_tokens(body, "gpt-4o") == 40);
}

TEST_CASE("Claude counts are o200k scaled by 1.2, rounded up") {
    // (3 request + 4 message + 3 "Hello, Claude") * 1.2 = 12.
    CHECK(tok::count_request_tokens(request(json::array({user("Hello, Claude")})),
                                    "claude-sonnet-4-5") == 12);
    // Other models: 10 * 1.1 = 11.
    CHECK(tok::count_request_tokens(request(json::array({user("Hello, Claude")})), "llama3") == 11);

    json body = request(json::array({
        user("What is the weather like in San Francisco?"),
        {{"role", "assistant"},
         {"content",
          json::array({{{"type", "thinking"}, {"thinking", "Let me think."}, {"signature", "x"}},
                       {{"type", "tool_use"},
                        {"id", "toolu_1"},
                        {"name", "get_weather"},
                        {"input", {{"location", "Paris"}}}}})}},
        user(json::array(
            {{{"type", "tool_result"},
              {"tool_use_id", "toolu_1"},
              {"content", json::array({{{"type", "text"}, {"text", "15 degrees"}}})}}})),
    }));
    // 3 + (4 + 9) + (4 + 4 thinking + 8 + 2 + 5) + (4 + 8 + 2) = 53; 53 * 1.2 = 63.6 -> 64.
    CHECK(tok::count_request_tokens(body, "claude-opus-4-1") == 64);
}

TEST_CASE("Claude tools add the schema and Anthropic's tool-use system prompt") {
    json body = request(json::array({user("What is the weather like in San Francisco?")}));
    body["tools"] = json::array({weather_tool()});
    // 3 + (4 + 9) + tool (8 + 2 name + 8 description + 50 schema JSON) = 84 -> 101, + 346.
    CHECK(tok::count_request_tokens(body, "claude-sonnet-4-5") == 447);
    body["tool_choice"] = {{"type", "any"}};
    CHECK(tok::count_request_tokens(body, "claude-sonnet-4-5") == 101 + 313);
    // No tool-use prompt for other models: 84 * 1.1 = 92.4 -> 93.
    CHECK(tok::count_request_tokens(body, "qwen3-coder") == 93);
}

TEST_CASE("image dimensions come from PNG, JPEG, GIF and WebP headers") {
    auto size = [](const std::string& file) {
        auto dimensions = tok::image_dimensions(file);
        return dimensions
                   ? std::to_string(dimensions->width) + "x" + std::to_string(dimensions->height)
                   : std::string("none");
    };
    CHECK(size(png(200, 100)) == "200x100");
    CHECK(size(jpeg(640, 480)) == "640x480");
    CHECK(size(gif(32, 16)) == "32x16");
    CHECK(size(webp_extended(3000, 2000)) == "3000x2000");
    CHECK(size("not an image") == "none");
    CHECK(size(png(200, 100).substr(0, 20)) == "none");
    auto from_base64 =
        tok::image_dimensions_from_base64("data:image/png;base64," + base64(png(7, 9)));
    REQUIRE(from_base64);
    CHECK(from_base64->width == 7);
}

TEST_CASE("images count by size, never by their base64 text") {
    CHECK(tok::anthropic_image_tokens(200, 100) == 27);      // 20000 / 750 = 26.7
    CHECK(tok::anthropic_image_tokens(1092, 1092) == 1590);  // Anthropic's table: ~1590
    CHECK(tok::anthropic_image_tokens(4000, 3000) == 1598);  // scaled to 1264x948
    CHECK(tok::openai_image_tokens(200, 100) == 255);        // one tile
    CHECK(tok::openai_image_tokens(1024, 1024) == 765);      // 768x768: four tiles
    CHECK(tok::openai_image_tokens(4096, 2048) == 1105);     // 2048x1024 -> 1536x768: 3x2 tiles

    json body = request(json::array({user(
        json::array({image_block(png(200, 100)), {{"type", "text"}, {"text", "hello world"}}}))}));
    CHECK(tok::count_request_tokens(body, "claude-sonnet-4") == 11 + 27);  // (3 + 4 + 2) * 1.2
    CHECK(tok::count_request_tokens(body, "gpt-4o") == 9 + 255);

    // A large payload: a JPEG header followed by 600 KB of data is still one full-size image.
    std::string large = jpeg(4000, 3000) + std::string(600000, 'x');
    body = request(json::array({user(json::array({image_block(large)}))}));
    CHECK(tok::count_request_tokens(body, "claude-sonnet-4") == 9 + 1598);  // (3 + 4) * 1.2 -> 9

    json url_image = {{"type", "image"}, {"source", {{"type", "url"}, {"url", "https://x/y.png"}}}};
    body = request(json::array({user(json::array({url_image}))}));
    CHECK(tok::count_request_tokens(body, "claude-sonnet-4") == 9 + 1600);
    CHECK(tok::count_request_tokens(body, "gpt-4o") == 7 + 765);
}

TEST_CASE("PDF documents count per page") {
    std::string pdf =
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        "2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >> endobj\n"
        "3 0 obj << /Type /Page >> endobj 4 0 obj << /Type/Page >> endobj\n"
        "5 0 obj << /Type\n/Page /Parent 2 0 R >> endobj\n%%EOF";
    CHECK(tok::pdf_page_count(pdf) == 3);
    CHECK(tok::pdf_page_count("%PDF-1.7 /Count 2 /Count 12 (compressed objects)") == 12);
    CHECK(tok::pdf_page_count("%PDF-1.7 " + std::string(130000, 'z')) == 3);  // 60 KB a page

    json document = {
        {"type", "document"},
        {"title", "hello world"},
        {"source", {{"type", "base64"}, {"media_type", "application/pdf"}, {"data", base64(pdf)}}}};
    json body = request(json::array({user(json::array({document}))}));
    // (3 + 4 + 2 title) * 1.2 = 10.8 -> 11, + 3 pages * 2500.
    CHECK(tok::count_request_tokens(body, "claude-sonnet-4") == 11 + 7500);

    json text_document = {
        {"type", "document"},
        {"source", {{"type", "text"}, {"media_type", "text/plain"}, {"data", "hello world"}}}};
    body = request(json::array({user(json::array({text_document}))}));
    CHECK(tok::count_request_tokens(body, "gpt-4o") == 9);
}

TEST_CASE("malformed requests never throw and count at least one token") {
    CHECK(tok::count_request_tokens(json::object(), "claude-sonnet-4") == 4);  // 3 * 1.2
    CHECK(tok::count_request_tokens(json::array(), "gpt-4o") == 3);
    json odd = {
        {"system", 42},
        {"messages", json::array({7,
                                  {{"role", "user"}},
                                  {{"role", "user"}, {"content", {{"a", 1}}}},
                                  user(json::array({"x", {{"type", "image"}}, {{"type", 3}}}))})},
        {"tools", "none"}};
    CHECK_NOTHROW(tok::count_request_tokens(odd, "gpt-4o"));
    CHECK_NOTHROW(tok::count_request_tokens(odd, "claude-sonnet-4"));
    CHECK(tok::count_request_tokens(odd, "") >= 1);
}

TEST_CASE("estimate_request_tokens forwards to the exact counter") {
    json body = request(json::array({user("hello world")}));
    CHECK(tok::estimate_request_tokens(body, "gpt-4o") == 9);
    CHECK(tok::estimate_request_tokens(body, "claude-sonnet-4") ==
          tok::count_request_tokens(body, "claude-sonnet-4"));
}
