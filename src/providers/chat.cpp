#include "providers/chat.hpp"

#include <variant>

#include "providers/anthropic.hpp"
#include "providers/openai.hpp"
#include "providers/sse_stream.hpp"
#include "translate/anthropic_errors.hpp"
#include "translate/common.hpp"
#include "translate/openai_answer.hpp"
#include "translate/openai_errors.hpp"
#include "translate/request_to_anthropic.hpp"
#include "translate/response_from_anthropic.hpp"
#include "translate/stream_from_anthropic.hpp"
#include "translate/text_chunk.hpp"
#include "util/json_scan.hpp"
#include "util/random.hpp"

namespace otari::providers {
namespace {

constexpr size_t k_max_response_bytes = 256u << 20;
constexpr size_t k_max_error_bytes = 1u << 20;

std::string data_line(std::string_view payload) {
    std::string out;
    out.reserve(payload.size() + 8);
    out.append("data: ").append(payload).append("\n\n");
    return out;
}

http::Response openai_error(Exchange& ex, const translate::MappedError& error) {
    http::Response res;
    res.status = error.status;
    res.body = translate::openai_error_body(error);
    if (error.retry_after) res.headers.set("retry-after", *error.retry_after);
    ex.finisher->fail(error.status, error.message);
    return res;
}

// choices[0] of a Chat Completion, or null.
const json& first_choice(const json& completion) {
    static const json k_none;
    const json& choices = translate::member(completion, "choices");
    return choices.is_array() && !choices.empty() ? choices[0] : k_none;
}

std::string openai_error_frame(const std::string& anthropic_type, const std::string& message) {
    return data_line(translate::openai_error_body(
        translate::anthropic_status_for_error_type(anthropic_type), anthropic_type, message));
}

// OpenAI chunks relayed to an OpenAI client, usage tapped on the way. The usage chunk otari
// asked for is withheld when the client did not ask for it.
class ChunkRelay : public EventTranslator {
  public:
    ChunkRelay(bool client_wants_usage, int64_t input_estimate)
        : m_client_wants_usage(client_wants_usage), m_input_estimate(input_estimate) {}

    std::optional<translate::MappedError> early_error(const http::SseEvent& event) override {
        if (event.data == "[DONE]" || m_text_reader.read(event.data, m_text)) return std::nullopt;
        const json chunk = parse_json_or_discarded(event.data);
        const json& error = translate::member(chunk, "error");
        if (error.is_null()) return std::nullopt;
        return translate::error_from_openai_object(error);
    }

    void on_event(const http::SseEvent& event, std::string& out) override {
        if (m_finished) return;
        if (event.data == "[DONE]") {
            out.append(data_line("[DONE]"));
            m_finished = true;
            return;
        }
        if (m_text_reader.read(event.data, m_text)) {  // most chunks: no tree built
            m_streamed_bytes +=
                m_text.content.size() + m_text.reasoning_content.size() + m_text.reasoning.size();
            if (!m_text.finish_reason.empty()) m_finish_reason = m_text.finish_reason;
            out.append(data_line(event.data));
            return;
        }
        json chunk = parse_json_or_discarded(event.data);
        if (!chunk.is_object()) {
            on_failure("api_error", "the provider sent a stream chunk that is not JSON", out);
            return;
        }
        if (const json& error = translate::member(chunk, "error"); !error.is_null()) {
            auto mapped = translate::error_from_openai_object(error);
            out.append(data_line(event.data));
            m_finished = m_failed = true;
            m_error = mapped.message;
            return;
        }
        bool usage_only = false;
        if (auto usage = chunk.find("usage"); usage != chunk.end() && usage->is_object()) {
            m_usage = translate::usage_from_openai(*usage);
            auto choices = chunk.find("choices");
            usage_only = choices == chunk.end() || (choices->is_array() && choices->empty());
        }
        if (auto choices = chunk.find("choices"); choices != chunk.end() && choices->is_array()) {
            for (const auto& choice : *choices) {
                if (auto reason = choice.find("finish_reason");
                    reason != choice.end() && reason->is_string()) {
                    m_finish_reason = reason->get<std::string>();
                }
                m_streamed_bytes += translate::generated_bytes(translate::member(choice, "delta"));
            }
        }
        if (usage_only && !m_client_wants_usage) return;
        out.append(data_line(event.data));
    }

    void on_eof(std::string& out) override {
        if (m_finished) return;
        if (!m_finish_reason.empty()) {
            out.append(data_line("[DONE]"));
            m_finished = true;
            return;
        }
        on_failure("api_error", "upstream stream ended before the completion was finished", out);
    }

    void on_failure(const std::string& type, const std::string& message,
                    std::string& out) override {
        if (m_finished) return;
        out.append(openai_error_frame(type, message));
        m_finished = m_failed = true;
        m_error = message;
    }

    void on_idle(std::string& out) override { out.append(": keep-alive\n\n"); }
    void begin(std::string& out) override { out.append(": otari\n\n"); }
    bool finished() const override { return m_finished; }
    bool failed() const override { return m_failed; }
    translate::TokenUsage usage() const override {
        if (m_usage.reported) return m_usage;
        translate::TokenUsage estimate;
        estimate.input_tokens = m_input_estimate;
        estimate.output_tokens = translate::tokens_from_bytes(m_streamed_bytes);
        return estimate;
    }
    std::string stop_reason() const override { return m_finish_reason; }
    std::string error_frame(const std::string& type, const std::string& message) const override {
        return openai_error_frame(type, message);
    }

  private:
    bool m_client_wants_usage;
    int64_t m_input_estimate;
    translate::TextChunk m_text;
    translate::TextChunkReader m_text_reader;
    bool m_finished = false;
    bool m_failed = false;
    translate::TokenUsage m_usage;
    std::string m_finish_reason;
    std::string m_error;
    size_t m_streamed_bytes = 0;
};

// Anthropic events -> OpenAI chunks (translate::StreamFromAnthropic) behind the stream pump.
class MessagesToChunksTranslator : public EventTranslator {
  public:
    MessagesToChunksTranslator(std::string client_model, bool include_usage)
        : m_stream(std::move(client_model), "chatcmpl-" + util::random_id_base62(24),
                   include_usage) {}

    std::optional<translate::MappedError> early_error(const http::SseEvent& event) override {
        if (event.event != "error") return std::nullopt;
        json data = parse_json_or_discarded(event.data);
        return translate::error_from_anthropic_event(data.is_discarded() ? json::object() : data);
    }

    void on_event(const http::SseEvent& event, std::string& out) override {
        json data = parse_json_or_discarded(event.data);
        if (data.is_discarded()) {
            if (event.event == "ping") return;
            m_stream.on_upstream_error("the provider sent an event that is not JSON", out);
            return;
        }
        std::string_view name =
            event.event.empty() ? std::string_view(data.value("type", "")) : event.event;
        m_stream.on_event(name, data, out);
    }

    void on_eof(std::string& out) override { m_stream.on_eof(out); }
    void on_failure(const std::string& type, const std::string& message,
                    std::string& out) override {
        m_stream.on_upstream_error(message, out, type);
    }
    void on_idle(std::string& out) override { out.append(": keep-alive\n\n"); }
    void begin(std::string& out) override { out.append(": otari\n\n"); }
    bool finished() const override { return m_stream.finished(); }
    bool failed() const override { return m_stream.failed(); }
    translate::TokenUsage usage() const override {
        auto usage = m_stream.usage();
        if (!usage.reported)
            usage.output_tokens = translate::tokens_from_bytes(m_stream.streamed_text_bytes());
        return usage;
    }
    std::string stop_reason() const override { return m_stream.stop_reason(); }
    std::string error_frame(const std::string& type, const std::string& message) const override {
        return openai_error_frame(type, message);
    }

  private:
    translate::StreamFromAnthropic m_stream;
};

http::Response start_stream(Exchange& ex, std::unique_ptr<upstream::Call> call,
                            std::unique_ptr<EventTranslator> translator) {
    auto relay =
        std::make_unique<TranslatedStream>(std::move(call), std::move(translator), ex.finisher);
    if (auto error = relay->prime(ex.client_probe, first_event_wait(ex))) {
        if (error->status == 499) return client_gone_response();
        return openai_error(ex, *error);
    }
    http::Response res;
    res.content_type = "text/event-stream";
    res.headers.set("cache-control", "no-cache");
    res.stream = std::move(relay);
    return res;
}

bool is_event_stream(const upstream::Call& call) {
    auto content_type = call.headers().get("content-type");
    return content_type && content_type->find("text/event-stream") != std::string_view::npos;
}

// A whole answer recorded as served. `usage` is the upstream's; when it reported none, the
// tokens are estimated from the request and from `completion`'s (OpenAI-shaped) first choice.
void finish_ok(CallFinisher& finisher, translate::TokenUsage usage, const json& completion,
               std::string stop_reason) {
    auto& record = finisher.record();
    if (!usage.reported) {
        usage.input_tokens = estimated_input_tokens(record);
        usage.output_tokens = translate::tokens_from_bytes(
            translate::generated_bytes(translate::member(first_choice(completion), "message")));
    }
    record.usage = {usage.input_tokens, usage.output_tokens, usage.cache_read_tokens,
                    usage.cache_write_tokens};
    record.usage_source =
        usage.reported ? gateway::UsageSource::upstream : gateway::UsageSource::estimated;
    record.stop_reason = std::move(stop_reason);
    record.ok = true;
    record.http_status = 200;
    finisher.finish();
}

}  // namespace

http::Response chat_to_openai(Exchange ex, json body, const gateway::Route& route, bool stream) {
    require_api_key(*route.provider);
    bool client_wants_usage = false;
    if (auto opts = body.find("stream_options"); opts != body.end() && opts->is_object()) {
        client_wants_usage = opts->value("include_usage", false);
    }
    upstream::Request request;
    if (stream && !client_wants_usage) {
        body["model"] = route.upstream_model;
        body["stream_options"]["include_usage"] = true;
        request.body = dump_json(body);
    } else {
        auto patched =
            util::replace_top_level_string(ex.request->body, "model", route.upstream_model);
        if (patched) {
            request.body = std::move(*patched);
        } else {
            body["model"] = route.upstream_model;
            request.body = dump_json(body);
        }
    }
    address(request, *route.provider, "/chat/completions");
    request.headers = openai_upstream_headers(*route.provider, stream);
    request.headers_timeout_ms = ex.first_byte_timeout_ms;
    auto call = std::make_unique<upstream::Call>(std::move(request));
    ex.finisher->watch(call->stats());
    if (!call->wait_headers(ex.client_probe)) return transport_failure(ex, *call);
    if (auto id = call->headers().get("x-request-id"))
        ex.finisher->record().upstream_request_id = std::string(*id);

    if (auto refused = redirect_refusal(ex, *call)) return std::move(*refused);
    if (call->status() < 200 || call->status() >= 300) {
        std::string error_body;
        call->read_all(error_body, k_max_error_bytes, ex.client_probe);
        ex.finisher->record().upstream_status = call->status();
        auto mapped = translate::error_from_openai(call->status(), error_body,
                                                   call->headers().get("retry-after"));
        json parsed = parse_json_or_discarded(error_body);
        http::Response res = openai_error(ex, mapped);
        res.status = call->status();
        // An OpenAI-shaped error is the client's own format: pass it on as it came.
        if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object())
            res.body = error_body;
        return res;
    }
    if (stream && is_event_stream(*call)) {
        return start_stream(ex, std::move(call),
                            std::make_unique<ChunkRelay>(
                                client_wants_usage, estimated_input_tokens(ex.finisher->record())));
    }
    std::string answer;
    if (!call->read_all(answer, k_max_response_bytes, ex.client_probe))
        return transport_failure(ex, *call);
    ex.finisher->record().ttft_ms = gateway::ms_since(ex.finisher->record().received);
    json parsed = parse_json_or_discarded(answer);
    if (!parsed.is_object()) {
        return openai_error(ex, {502,
                                 "api_error",
                                 "provider '" + route.provider->name +
                                     "' answered 200 with a body that is not JSON",
                                 {}});
    }
    const json& finish_reason = translate::member(first_choice(parsed), "finish_reason");
    finish_ok(*ex.finisher, translate::usage_from_openai(translate::member(parsed, "usage")),
              parsed, finish_reason.is_string() ? finish_reason.get<std::string>() : std::string());
    http::Response res;
    res.body = std::move(answer);
    return res;
}

http::Response chat_to_anthropic(Exchange ex, const json& body, const gateway::Route& route,
                                 bool stream) {
    require_api_key(*route.provider);
    upstream::Request request;
    try {
        request.body = dump_json(translate::request_to_anthropic(body, route.upstream_model));
    } catch (const translate::TranslateError& e) {
        throw api::invalid_request(e.what());
    }
    address(request, *route.provider, "/v1/messages");
    request.headers = anthropic_upstream_headers(ex.request->headers, *route.provider, stream);
    request.headers_timeout_ms = ex.first_byte_timeout_ms;
    auto call = std::make_unique<upstream::Call>(std::move(request));
    ex.finisher->watch(call->stats());
    if (!call->wait_headers(ex.client_probe)) return transport_failure(ex, *call);
    if (auto id = call->headers().get("request-id"))
        ex.finisher->record().upstream_request_id = std::string(*id);
    if (auto refused = redirect_refusal(ex, *call)) return std::move(*refused);
    if (call->status() < 200 || call->status() >= 300) {
        std::string error_body;
        call->read_all(error_body, k_max_error_bytes, ex.client_probe);
        ex.finisher->record().upstream_status = call->status();
        return openai_error(ex,
                            translate::error_from_anthropic(call->status(), error_body,
                                                            call->headers().get("retry-after")));
    }
    if (stream && is_event_stream(*call)) {
        return start_stream(ex, std::move(call),
                            std::make_unique<MessagesToChunksTranslator>(
                                route.requested, translate::chat_request_wants_stream_usage(body)));
    }
    std::string answer;
    if (!call->read_all(answer, k_max_response_bytes, ex.client_probe))
        return transport_failure(ex, *call);
    ex.finisher->record().ttft_ms = gateway::ms_since(ex.finisher->record().received);
    json message = parse_json_or_discarded(answer);
    json completion;
    try {
        if (message.is_discarded()) throw translate::UpstreamFormatError("the body is not JSON");
        completion = translate::response_from_anthropic(message, route.requested);
    } catch (const translate::UpstreamFormatError& e) {
        ex.finisher->record().upstream_failed = true;
        return openai_error(ex, {502,
                                 "server_error",
                                 "provider '" + route.provider->name +
                                     "' answered in a form otari cannot translate: " + e.what(),
                                 {}});
    }
    translate::TokenUsage usage;
    translate::merge_anthropic_usage(message.value("usage", json::object()), usage);
    finish_ok(*ex.finisher, usage, completion, message.value("stop_reason", ""));
    http::Response res;
    if (stream) {
        // The provider answered a streaming request whole: send it as one chunk and [DONE].
        json chunk = completion;
        chunk["object"] = "chat.completion.chunk";
        for (auto& choice : chunk["choices"]) {
            choice["delta"] = std::move(choice["message"]);
            choice.erase("message");
        }
        res.content_type = "text/event-stream";
        res.body = data_line(dump_json(chunk)) + data_line("[DONE]");
        return res;
    }
    res.body = dump_json(completion);
    return res;
}

}  // namespace otari::providers
