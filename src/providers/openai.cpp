#include "providers/openai.hpp"

#include <algorithm>
#include <variant>

#include "loop/loop.hpp"
#include "providers/refusal_memory.hpp"
#include "providers/sse_stream.hpp"
#include "translate/message_events.hpp"
#include "translate/openai_errors.hpp"
#include "translate/request_to_openai.hpp"
#include "translate/response_from_openai.hpp"
#include "translate/stream_from_openai.hpp"
#include "translate/tool_ids.hpp"
#include "util/json_scan.hpp"
#include "util/log.hpp"
#include "util/random.hpp"

namespace otari::providers {
namespace {

constexpr size_t k_max_response_bytes = 256u << 20;
constexpr size_t k_max_error_bytes = 1u << 20;
// The members of a chat.completion.chunk that the stream translation reads; the rest (id,
// object, created, model, system_fingerprint) are validated but not built.
constexpr std::string_view k_chunk_members[] = {"choices", "usage", "error"};

// OpenAI chunks -> Anthropic events (translate::StreamFromOpenAI) behind the stream pump.
class ChunksToMessagesTranslator : public EventTranslator {
  public:
    ChunksToMessagesTranslator(std::string client_model, const translate::Profile& profile,
                               int64_t input_estimate, translate::ToolNameMap names)
        : m_names(std::move(names)),
          m_stream(std::move(client_model), "msg_" + util::random_id_base62(24), profile,
                   input_estimate, &m_names) {}

    std::optional<translate::MappedError> early_error(const http::SseEvent& event) override {
        m_parsed_from = nullptr;
        // A text chunk carries no error; on_event reads it again (only a stream's first event
        // comes here).
        if (event.data == "[DONE]" || m_text_reader.read(event.data, m_text)) return std::nullopt;
        m_parsed = parse_json_members_or_discarded(event.data, k_chunk_members);
        m_parsed_from = &event;
        if (m_parsed.is_discarded()) return std::nullopt;
        return translate::StreamFromOpenAI::chunk_error(m_parsed);
    }

    void on_event(const http::SseEvent& event, std::string& out) override {
        if (event.data == "[DONE]") {
            m_stream.on_done(out);
            return;
        }
        if (m_parsed_from != &event && m_text_reader.read(event.data, m_text)) {
            m_stream.on_text_chunk(m_text, out);
            return;
        }
        json chunk = m_parsed_from == &event
                         ? std::move(m_parsed)
                         : parse_json_members_or_discarded(event.data, k_chunk_members);
        m_parsed_from = nullptr;
        if (chunk.is_discarded()) {
            m_stream.on_upstream_error("api_error",
                                       "the provider sent a stream chunk that is not JSON", out);
            return;
        }
        m_stream.on_chunk(chunk, out);
    }

    void on_eof(std::string& out) override { m_stream.on_eof(out); }
    void on_failure(const std::string& type, const std::string& message,
                    std::string& out) override {
        m_stream.on_upstream_error(type, message, out);
    }
    void on_idle(std::string& out) override { m_stream.ping(out); }
    void begin(std::string& out) override { m_stream.begin(out); }
    bool finished() const override { return m_stream.finished(); }
    bool failed() const override { return m_stream.failed(); }
    translate::TokenUsage usage() const override { return m_stream.usage(); }
    std::string stop_reason() const override { return m_stream.stop_reason(); }
    std::string error_frame(const std::string& type, const std::string& message) const override {
        return translate::anthropic_error_event(type, message);
    }

  private:
    translate::ToolNameMap m_names;  // before m_stream, which keeps a pointer to it
    translate::StreamFromOpenAI m_stream;
    json m_parsed;  // early_error's parse of the event that on_event receives next
    const http::SseEvent* m_parsed_from = nullptr;
    translate::TextChunk m_text;  // the last chunk read without a json tree (most are)
    translate::TextChunkReader m_text_reader;
};

// An upstream's refusal (`body`: its error body, read) as the client's error.
http::Response upstream_error(Exchange& ex, upstream::Call& call, const std::string& body) {
    ex.finisher->record().upstream_status = call.status();
    auto retry_after = call.headers().get("retry-after");
    auto mapped = translate::error_from_openai(call.status(), body, retry_after);
    http::Headers passthrough;
    copy_passthrough_headers(call.headers(), passthrough);
    return anthropic_error_response(ex, mapped, passthrough);
}

// `reported`: the upstream counted the tokens (else the message carries estimates).
void record_message_usage(CallFinisher& finisher, const json& message, bool reported) {
    auto& record = finisher.record();
    const json& usage = message.value("usage", json::object());
    record.usage.input_tokens = usage.value("input_tokens", int64_t(0));
    record.usage.output_tokens = usage.value("output_tokens", int64_t(0));
    record.usage.cache_read_tokens = usage.value("cache_read_input_tokens", int64_t(0));
    record.usage.cache_write_tokens = usage.value("cache_creation_input_tokens", int64_t(0));
    record.usage_source =
        reported ? gateway::UsageSource::upstream : gateway::UsageSource::estimated;
    if (message.contains("stop_reason") && message["stop_reason"].is_string()) {
        record.stop_reason = message["stop_reason"].get<std::string>();
    }
}

// The upstream's whole JSON answer as an Anthropic message; errors as the client's error.
// `usage_reported` says whether the answer counted its tokens (the message carries estimates
// when it did not).
std::variant<json, translate::MappedError> translate_whole_answer(
    const std::string& body, const gateway::Route& route, const translate::Profile& profile,
    const translate::ToolNameMap& names, int64_t input_estimate, bool& usage_reported) {
    json completion = parse_json_or_discarded(body);
    if (completion.is_discarded()) {
        return translate::MappedError{
            502,
            "api_error",
            "provider '" + route.provider->name + "' answered 200 with a body that is not JSON",
            {}};
    }
    try {
        usage_reported = translate::member(completion, "usage").is_object();
        return translate::response_from_openai(completion, route.requested, profile, &names,
                                               input_estimate);
    } catch (const translate::UpstreamReportedError& e) {
        return e.mapped;
    } catch (const translate::UpstreamFormatError& e) {
        return translate::MappedError{
            502,
            "api_error",
            "provider '" + route.provider->name +
                "' answered in a form otari cannot translate: " + e.what(),
            {}};
    }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> openai_upstream_headers(
    const config::Provider& provider, bool stream) {
    std::vector<std::pair<std::string, std::string>> out;
    out.emplace_back("content-type", "application/json");
    out.emplace_back("accept", stream ? "text/event-stream" : "application/json");
    out.emplace_back("accept-encoding", "identity");
    if (!provider.api_key.empty()) out.emplace_back("authorization", "Bearer " + provider.api_key);
    return out;
}

namespace {

// The translated request's output-token limit: its field and value (value 0 when absent).
struct OutputField {
    std::string name = "max_tokens";
    int64_t value = 0;
};

OutputField output_field(const json& translated) {
    for (const char* name : {"max_completion_tokens", "max_tokens"}) {
        if (const json& value = translate::member(translated, name); value.is_number_integer())
            return {name, value.get<int64_t>()};
    }
    return {};
}

// Parameters never dropped on a refusal: without them there is no request.
bool essential_parameter(std::string_view name) {
    return name == "model" || name == "messages" || name == "stream" || name == "tools";
}

// A refusal the request can be corrected for: the body to send once more, the correction
// remembered for the model (see RefusalMemory); nullopt when the refusal is about something
// else. `sent` follows the body's output-token field through corrections.
std::optional<std::string> corrected_request(upstream::Call& call, const std::string& error_body,
                                             OutputField& sent, const gateway::Route& route) {
    const std::string& provider = route.provider->name;
    const std::string& model = route.upstream_model;
    if (auto limit = translate::output_limit_from_error(call.status(), error_body);
        limit && sent.value > limit->max_tokens) {
        std::string body = call.take_request_body();
        auto corrected = util::replace_top_level_integer(body, sent.name, limit->max_tokens);
        if (!corrected) return std::nullopt;
        if (limit->model_wide)
            RefusalMemory::shared().learn_output_cap(provider, model, limit->max_tokens);
        LOG_INFO("provider '%s' takes at most %lld output tokens for %s%s: %s %lld lowered to that",
                 provider.c_str(), static_cast<long long>(limit->max_tokens), model.c_str(),
                 limit->model_wide ? "" : " with this input", sent.name.c_str(),
                 static_cast<long long>(sent.value));
        sent.value = limit->max_tokens;
        return corrected;
    }
    auto refused = translate::refused_parameter(call.status(), error_body);
    if (!refused || essential_parameter(refused->name)) return std::nullopt;
    std::string body = call.take_request_body();
    auto corrected = refused->use_instead.empty()
                         ? util::erase_top_level_member(body, refused->name)
                         : util::rename_top_level_member(body, refused->name, refused->use_instead);
    if (!corrected) return std::nullopt;
    RefusalMemory::shared().learn_parameter(provider, model, refused->name, refused->use_instead);
    if (refused->use_instead.empty()) {
        LOG_INFO("provider '%s' does not take '%s' for %s: sent without it", provider.c_str(),
                 refused->name.c_str(), model.c_str());
    } else {
        LOG_INFO("provider '%s' takes '%s' instead of '%s' for %s: renamed", provider.c_str(),
                 refused->use_instead.c_str(), refused->name.c_str(), model.c_str());
    }
    if (refused->name == sent.name) {
        if (refused->use_instead.empty()) sent.value = 0;  // no limit sent any more
        sent.name = refused->use_instead;
    }
    return corrected;
}

// `movable` is `body` itself when the caller has no later use for it.
http::Response messages_via_chat(Exchange ex, const json& body, json* movable,
                                 const gateway::Route& route, bool stream) {
    require_api_key(*route.provider);
    const translate::Profile& profile = translate::profile_for(route.provider->profile);
    translate::ToolNameMap names(body, profile);
    const auto request_bytes = size_t(std::max<int64_t>(0, ex.finisher->record().request_bytes));
    const int64_t input_estimate = estimated_input_tokens(ex.finisher->record());
    upstream::Request request;
    json translated;
    try {
        // A body of megabytes takes milliseconds: off the loop, so other streams keep flowing.
        loop::off_loop_if(request_bytes >= loop::k_off_loop_bytes, [&] {
            translated = movable
                             ? translate::request_to_openai(std::move(*movable),
                                                            route.upstream_model, profile)
                             : translate::request_to_openai(body, route.upstream_model, profile);
            if (auto lessons =
                    RefusalMemory::shared().find(route.provider->name, route.upstream_model))
                lessons->apply(translated);
            // The translation is about as long as the client's request (a little shorter:
            // fields dropped, blocks flattened); a margin covers the cases it grows.
            request.body = dump_json(translated, request_bytes + request_bytes / 8 + 256);
        });
    } catch (const translate::TranslateError& e) {
        throw api::invalid_request(e.what());
    }
    // Neither the translation nor what it left of the client's request is read again: an open
    // stream should not hold them. They are freed while the upstream works on the request, so
    // freeing a large tree does not delay sending it.
    auto free_request_trees = [&translated, movable] {
        translated = json();
        if (movable) *movable = json();
    };
    OutputField sent_output = output_field(translated);
    auto address_attempt = [&](upstream::Request& r) {
        address(r, *route.provider, "/chat/completions");
        r.headers = openai_upstream_headers(*route.provider, stream);
        r.headers_timeout_ms = ex.first_byte_timeout_ms;
    };
    address_attempt(request);
    std::unique_ptr<upstream::Call> call;
    // A refusal that says how to correct the request is retried corrected, twice at most (a
    // model may refuse both its output limit and a parameter).
    constexpr int k_corrections = 2;
    for (int attempt = 0;; ++attempt) {
        const bool first = attempt == 0;
        call = std::make_unique<upstream::Call>(std::move(request));
        ex.finisher->watch(call->stats());
        if (!call->wait_headers(ex.client_probe,
                                first ? free_request_trees : std::function<void()>()))
            return transport_failure(ex, *call);
        if (auto id = call->headers().get("x-request-id"))
            ex.finisher->record().upstream_request_id = std::string(*id);
        if (auto refused = redirect_refusal(ex, *call)) return std::move(*refused);
        if (call->status() >= 200 && call->status() < 300) break;
        std::string error_body;
        call->read_all(error_body, k_max_error_bytes, ex.client_probe);
        std::optional<std::string> corrected;
        if (attempt < k_corrections)
            corrected = corrected_request(*call, error_body, sent_output, route);
        if (!corrected) return upstream_error(ex, *call, error_body);
        request = upstream::Request();
        request.body = std::move(*corrected);
        address_attempt(request);
    }

    auto content_type = call->headers().get("content-type");
    bool upstream_streams =
        content_type && content_type->find("text/event-stream") != std::string_view::npos;
    http::Response res;
    if (stream && upstream_streams) {
        auto translator = std::make_unique<ChunksToMessagesTranslator>(
            route.requested, profile, input_estimate, std::move(names));
        auto relay =
            std::make_unique<TranslatedStream>(std::move(call), std::move(translator), ex.finisher);
        if (auto error = relay->prime(ex.client_probe, first_event_wait(ex))) {
            if (error->status == 499) return client_gone_response();
            return anthropic_error_response(ex, *error);
        }
        res.content_type = "text/event-stream";
        res.headers.set("cache-control", "no-cache");
        res.stream = std::move(relay);
        return res;
    }

    std::string body_text;
    if (!call->read_all(body_text, k_max_response_bytes, ex.client_probe))
        return transport_failure(ex, *call);
    auto& record = ex.finisher->record();
    record.ttft_ms = gateway::ms_since(record.received);
    bool usage_reported = false;
    auto answer =
        translate_whole_answer(body_text, route, profile, names, input_estimate, usage_reported);
    if (auto* error = std::get_if<translate::MappedError>(&answer)) {
        record.upstream_failed = true;
        return anthropic_error_response(ex, *error);
    }
    const json& message = std::get<json>(answer);
    record_message_usage(*ex.finisher, message, usage_reported);
    record.ok = true;
    record.http_status = 200;
    ex.finisher->finish();
    if (stream) {
        // The provider ignored `stream`: the whole answer as one burst of events.
        res.content_type = "text/event-stream";
        res.headers.set("cache-control", "no-cache");
        translate::message_to_events(message, res.body);
        return res;
    }
    res.body = dump_json(message);
    return res;
}

}  // namespace

http::Response openai_messages(Exchange ex, const json& body, const gateway::Route& route,
                               bool stream) {
    return messages_via_chat(std::move(ex), body, nullptr, route, stream);
}

http::Response openai_messages(Exchange ex, json&& body, const gateway::Route& route, bool stream) {
    return messages_via_chat(std::move(ex), body, &body, route, stream);
}

}  // namespace otari::providers
