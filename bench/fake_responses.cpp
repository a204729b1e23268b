#include "fake_responses.hpp"

#include <cstdio>

namespace otari::bench {
namespace {

constexpr int k_input_tokens = 1200;

// The text of content event `i`: a short word, like one model token.
std::string token(int i) { return (i == 0 ? "tok" : " tok") + std::to_string(i); }

std::string all_text(int chunks) {
    std::string text;
    for (int i = 0; i < chunks; ++i) text += token(i);
    return text;
}

// One HTTP chunk holding `payload`.
std::string chunk(const std::string& payload) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", payload.size());
    return size + payload + "\r\n";
}

std::string sse_event(const std::string& name, const std::string& data) {
    return chunk("event: " + name + "\ndata: " + data + "\n\n");
}

std::string sse_data(const std::string& data) { return chunk("data: " + data + "\n\n"); }

std::string json_response(const std::string& body, const std::string& request_id_header) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + request_id_header +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string stream_head(const std::string& request_id_header) {
    return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n" +
           request_id_header + "Transfer-Encoding: chunked\r\n\r\n";
}

void finish(StreamAnswer& answer) {
    for (const auto& s : answer.segments) answer.whole += s;
}

const std::string k_openai_id = "x-request-id: req_bench\r\n";
const std::string k_anthropic_id = "request-id: req_bench\r\n";

std::string openai_chunk(const std::string& delta, const std::string& finish_reason) {
    return R"({"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,)"
           R"("model":"bench-model","system_fingerprint":null,"choices":[{"index":0,"delta":)" +
           delta + R"(,"logprobs":null,"finish_reason":)" + finish_reason + "}]}";
}

std::string openai_usage(int chunks) {
    return R"({"prompt_tokens":)" + std::to_string(k_input_tokens) + R"(,"completion_tokens":)" +
           std::to_string(chunks) + R"(,"total_tokens":)" +
           std::to_string(k_input_tokens + chunks) + "}";
}

StreamAnswer openai_stream(int chunks) {
    StreamAnswer answer;
    for (int i = 0; i < chunks; ++i) {
        std::string seg;
        if (i == 0) {
            seg = stream_head(k_openai_id) +
                  sse_data(openai_chunk(R"({"role":"assistant","content":""})", "null"));
        }
        seg += sse_data(openai_chunk(R"({"content":")" + token(i) + R"("})", "null"));
        answer.segments.push_back(std::move(seg));
    }
    std::string& last = answer.segments.back();
    last += sse_data(openai_chunk("{}", R"("stop")"));
    last +=
        sse_data(R"({"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,)"
                 R"("model":"bench-model","system_fingerprint":null,"choices":[],"usage":)" +
                 openai_usage(chunks) + "}");
    last += sse_data("[DONE]");
    last += "0\r\n\r\n";
    finish(answer);
    return answer;
}

std::string anthropic_usage(int output_tokens) {
    return R"({"input_tokens":)" + std::to_string(k_input_tokens) +
           R"(,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":)" +
           std::to_string(output_tokens) + "}";
}

StreamAnswer anthropic_stream(int chunks) {
    StreamAnswer answer;
    for (int i = 0; i < chunks; ++i) {
        std::string seg;
        if (i == 0) {
            seg = stream_head(k_anthropic_id);
            seg += sse_event("message_start",
                             R"({"type":"message_start","message":{"id":"msg_bench","type":)"
                             R"("message","role":"assistant","model":"bench-model","content":[],)"
                             R"("stop_reason":null,"stop_sequence":null,"usage":)" +
                                 anthropic_usage(1) + "}}");
            seg += sse_event("content_block_start",
                             R"({"type":"content_block_start","index":0,"content_block":)"
                             R"({"type":"text","text":""}})");
            seg += sse_event("ping", R"({"type":"ping"})");
        }
        seg += sse_event("content_block_delta",
                         R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta",)"
                         R"("text":")" +
                             token(i) + R"("}})");
        answer.segments.push_back(std::move(seg));
    }
    std::string& last = answer.segments.back();
    last += sse_event("content_block_stop", R"({"type":"content_block_stop","index":0})");
    last +=
        sse_event("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn",)"
                                   R"("stop_sequence":null},"usage":{"output_tokens":)" +
                                       std::to_string(chunks) + "}}");
    last += sse_event("message_stop", R"({"type":"message_stop"})");
    last += "0\r\n\r\n";
    finish(answer);
    return answer;
}

}  // namespace

Answers build_answers(int chunks) {
    if (chunks < 1) chunks = 1;
    Answers a;
    std::string text = all_text(chunks);
    a.openai_json = json_response(
        R"({"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,)"
        R"("model":"bench-model","system_fingerprint":null,"choices":[{"index":0,"message":)"
        R"({"role":"assistant","content":")" +
            text + R"(","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":)" +
            openai_usage(chunks) + "}",
        k_openai_id);
    a.anthropic_json = json_response(
        R"({"id":"msg_bench","type":"message","role":"assistant","model":"bench-model",)"
        R"("content":[{"type":"text","text":")" +
            text + R"("}],"stop_reason":"end_turn","stop_sequence":null,"usage":)" +
            anthropic_usage(chunks) + "}",
        k_anthropic_id);
    a.openai_stream = openai_stream(chunks);
    a.anthropic_stream = anthropic_stream(chunks);
    std::string nf =
        R"({"type":"error","error":{"type":"not_found_error","message":"bench fake upstream: unknown path"}})";
    a.not_found = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " +
                  std::to_string(nf.size()) + "\r\n\r\n" + nf;
    return a;
}

}  // namespace otari::bench
