#include "providers/anthropic.hpp"

#include "http/sse.hpp"
#include "translate/anthropic_errors.hpp"
#include "translate/common.hpp"
#include "translate/openai_errors.hpp"
#include "translate/response_from_anthropic.hpp"
#include "util/json.hpp"
#include "util/log.hpp"

namespace otari::providers {
namespace {

constexpr size_t k_max_response_bytes = 256u << 20;
constexpr auto k_ping_interval = std::chrono::seconds(15);

// Index just past the blank line that ends the event starting at `from`, or npos.
size_t find_event_end(std::string_view buf, size_t from) {
    size_t line_start = from;
    while (true) {
        size_t nl = buf.find('\n', line_start);
        if (nl == std::string_view::npos) return std::string_view::npos;
        size_t len = nl - line_start;
        if ((len == 0 || (len == 1 && buf[line_start] == '\r')) && line_start > from) return nl + 1;
        if ((len == 0 || (len == 1 && buf[line_start] == '\r')) && line_start == from) {
            // A blank line before any field: skip it as part of this "event".
            from = nl + 1;
        }
        line_start = nl + 1;
    }
}

// Relays an Anthropic SSE body as whole events, taps usage, and guarantees the client never
// sees a clean end in the middle of a message: a stream that ends without message_stop (and
// without an error event) gets an `event: error` frame.
class RelayStream : public http::BodyStream {
public:
    RelayStream(std::unique_ptr<upstream::Call> call, std::shared_ptr<CallFinisher> finisher)
        : m_call(std::move(call)), m_finisher(std::move(finisher)) {}

    // Before committing the response: read until the first whole event is in (it is relayed
    // first by next()). An `error` event, a failure, or an end before any event comes back as
    // the error to answer with instead of a 200 stream (a client that went away is recorded
    // here and comes back as 499). When the wait passes without an event the stream is
    // committed, or with `fail_on_deadline` it fails as a timeout (a fallback attempt waits
    // behind it).
    std::optional<translate::MappedError> prime(const http::ClientProbe& client_alive, FirstEventWait first_event) {
        const auto wait = first_event.wait;
        auto deadline = std::chrono::steady_clock::now() + wait;
        for (;;) {
            size_t end = find_event_end(m_raw, 0);
            if (end != std::string::npos) return first_event_error(std::string_view(m_raw).substr(0, end));
            auto now = std::chrono::steady_clock::now();
            if (now >= deadline) {
                if (!first_event.fail_on_deadline) return std::nullopt;
                m_finisher->record().failure_class = "timeout";
                return translate::MappedError{504, "timeout_error",
                                              "provider '" + std::string(m_provider) + "' sent no event within " +
                                                  std::to_string(wait.count()) + " ms",
                                              {}};
            }
            auto slice = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now),
                                  std::chrono::milliseconds(250));
            std::string chunk;
            auto result = m_call->read(chunk, slice, client_alive);
            if (result == upstream::Call::Read::data) {
                m_raw.append(chunk);
            } else if (result == upstream::Call::Read::end) {
                if (!m_raw.empty()) return std::nullopt;  // a last event without its blank line: next() relays it
                m_finisher->record().failure_class = "conn_err";
                return translate::MappedError{502, "api_error",
                                              "provider '" + std::string(m_provider) + "' ended the stream before sending anything",
                                              {}};
            } else if (result == upstream::Call::Read::failed) {
                if (m_call->failure() == upstream::Failure::cancelled) {
                    m_finisher->record().client_disconnected = true;
                    m_finisher->fail(499, "client disconnected before the provider answered");
                    return translate::MappedError{499, "api_error", "client disconnected", {}};
                }
                bool timeout = m_call->failure() == upstream::Failure::timeout;
                m_finisher->record().failure_class = timeout ? "timeout" : "conn_err";
                return translate::MappedError{timeout ? 504 : 502, timeout ? "timeout_error" : "api_error",
                                              "upstream stream failed: " + m_call->error_message(), {}};
            }
        }
    }

    bool next(std::string& out, const http::ClientProbe& client_alive) override {
        if (m_ended) return false;
        if (!m_raw.empty()) {
            // Events read while priming go out first.
            take_complete_events(out);
            if (!out.empty()) {
                m_last_write = std::chrono::steady_clock::now();
                return !m_ended;
            }
        }
        for (;;) {
            std::string chunk;
            auto result = m_call->read(chunk, std::chrono::milliseconds(1000), client_alive);
            if (result == upstream::Call::Read::data) {
                m_raw.append(chunk);
                take_complete_events(out);
                if (!out.empty()) {
                    m_last_write = std::chrono::steady_clock::now();
                    return !m_ended;
                }
                continue;
            }
            if (result == upstream::Call::Read::idle) {
                if (m_relayed_any && std::chrono::steady_clock::now() - m_last_write >= k_ping_interval) {
                    http::append_sse(out, "ping", R"({"type":"ping"})");
                    m_last_write = std::chrono::steady_clock::now();
                    return true;
                }
                continue;
            }
            if (result == upstream::Call::Read::end) {
                take_complete_events(out);
                relay_final_partial_event(out);
                if (!m_saw_stop && !m_saw_error) {
                    fail_stream(out, "api_error", "upstream stream ended before the message was complete");
                }
                m_ended = true;
                return false;
            }
            // failed
            if (m_call->failure() == upstream::Failure::cancelled) {
                m_finisher->record().client_disconnected = true;
                settle_usage_estimate();
                m_finisher->fail(499, "client disconnected");
                m_ended = true;
                return false;
            }
            fail_stream(out, m_call->failure() == upstream::Failure::timeout ? "timeout_error" : "api_error",
                        "upstream stream failed: " + m_call->error_message());
            m_ended = true;
            return false;
        }
    }

    void close(bool client_gone) override {
        if (m_finisher->done()) return;
        if (client_gone) m_finisher->record().client_disconnected = true;
        settle_usage_estimate();
        m_finisher->fail(client_gone ? 499 : 502, client_gone ? "client disconnected" : "stream closed early");
    }

    void set_provider_name(std::string name) { m_provider = std::move(name); }
    bool ready() const override { return m_ended || find_event_end(m_raw, 0) != std::string::npos; }

private:
    std::optional<translate::MappedError> first_event_error(std::string_view event_bytes) {
        http::SseParser parser;
        parser.feed(event_bytes);
        http::SseEvent event;
        if (!parser.next(event) || event.event != "error") return std::nullopt;
        // Answered to an Anthropic client as Anthropic would have: the type's own status.
        json data = json::parse(event.data, nullptr, false);
        translate::MappedError mapped{500, "api_error", "the provider's stream started with an error", {}};
        if (data.is_object() && data.contains("error") && data["error"].is_object()) {
            const json& error = data["error"];
            if (error.contains("type") && error["type"].is_string()) mapped.type = error["type"].get<std::string>();
            if (error.contains("message") && error["message"].is_string()) mapped.message = error["message"].get<std::string>();
        }
        mapped.status = translate::anthropic_status_for_error_type(mapped.type);
        m_finisher->record().upstream_status = mapped.status;
        return mapped;
    }

    void take_complete_events(std::string& out) {
        size_t pos = 0;
        while (pos < m_raw.size()) {
            size_t end = find_event_end(m_raw, pos);
            if (end == std::string::npos) break;
            std::string_view event_bytes(m_raw.data() + pos, end - pos);
            inspect(event_bytes, out);
            pos = end;
        }
        m_raw.erase(0, pos);
    }

    // Tap usage and the end of the message; the record is written before message_stop goes out.
    void inspect(std::string_view event_bytes, std::string& out) {
        http::SseParser parser;
        parser.feed(event_bytes);
        http::SseEvent event;
        if (!parser.next(event)) {
            // Not an event (blank lines, comments): pass it on unchanged.
            out.append(event_bytes);
            return;
        }
        auto& record = m_finisher->record();
        if (!m_relayed_any) {
            m_relayed_any = true;
            record.ttft_ms = gateway::ms_since(record.received);
        }
        if (event.event == "message_start" || event.event == "message_delta" || event.event == "error") {
            try {
                json data = parse_json(event.data);
                if (event.event == "message_start") {
                    if (auto m = data.find("message"); m != data.end() && m->contains("usage")) {
                        merge_anthropic_usage((*m)["usage"], record.usage);
                        record.usage_source = gateway::UsageSource::upstream;
                    }
                } else if (event.event == "message_delta") {
                    if (auto u = data.find("usage"); u != data.end()) {
                        merge_anthropic_usage(*u, record.usage);
                        record.usage_source = gateway::UsageSource::upstream;
                        m_saw_final_usage = true;
                    }
                    if (auto d = data.find("delta"); d != data.end() && d->contains("stop_reason") &&
                        (*d)["stop_reason"].is_string()) {
                        record.stop_reason = (*d)["stop_reason"].get<std::string>();
                    }
                } else {
                    m_saw_error = true;
                    record.upstream_failed = true;
                    std::string message = data.contains("error") ? data["error"].value("message", "") : "";
                    out.append(event_bytes);
                    m_finisher->fail(200, "upstream error event: " + message);
                    return;
                }
            } catch (const json::exception&) {
                // Relay what the upstream sent; the client decides what a broken event means.
            }
        } else if (event.event == "content_block_delta") {
            m_delta_bytes += event.data.size();
        } else if (event.event == "message_stop") {
            m_saw_stop = true;
            record.ok = true;
            record.http_status = 200;
            m_finisher->finish();
        }
        out.append(event_bytes);
    }

    // The body ended inside an event. A whole event that only lacks its blank line still
    // counts; a cut-off one is dropped (as the SSE spec says), never relayed half.
    void relay_final_partial_event(std::string& out) {
        if (m_raw.empty()) return;
        std::string candidate = m_raw + "\n\n";
        m_raw.clear();
        http::SseParser parser;
        parser.feed(candidate);
        http::SseEvent event;
        if (!parser.next(event) || !json::accept(event.data)) return;
        inspect(candidate, out);
    }

    void fail_stream(std::string& out, const std::string& type, const std::string& message) {
        m_finisher->record().upstream_failed = true;
        settle_usage_estimate();
        m_finisher->fail(200, message);
        out.append(sse_error_frame(type, message));
    }

    // Without a final message_delta the output count is only message_start's placeholder:
    // estimate it from the streamed deltas (about 4 bytes a token, less JSON framing).
    void settle_usage_estimate() {
        auto& record = m_finisher->record();
        if (m_saw_final_usage) return;
        int64_t estimate = int64_t(m_delta_bytes / 4);
        if (estimate > record.usage.output_tokens) {
            record.usage.output_tokens = estimate;
            record.usage_source = gateway::UsageSource::estimated;
        }
    }

    std::unique_ptr<upstream::Call> m_call;
    std::shared_ptr<CallFinisher> m_finisher;
    std::string m_provider;  // for messages
    std::string m_raw;
    bool m_relayed_any = false;
    bool m_saw_stop = false;
    bool m_saw_error = false;
    bool m_saw_final_usage = false;
    bool m_ended = false;
    size_t m_delta_bytes = 0;
    std::chrono::steady_clock::time_point m_last_write = std::chrono::steady_clock::now();
};

bool is_anthropic_error_body(const json& body) {
    return body.is_object() && body.value("type", "") == "error" && body.contains("error") &&
           body["error"].is_object() && body["error"].contains("type") && body["error"].contains("message");
}

// An upstream error: same status; the body as it came when it is an Anthropic error, else
// wrapped in the Anthropic envelope.
http::Response upstream_error(Exchange& ex, upstream::Call& call) {
    std::string body;
    call.read_all(body, 1u << 20, ex.client_probe);
    ex.finisher->record().upstream_status = call.status();
    http::Response res;
    res.status = call.status();
    copy_passthrough_headers(call.headers(), res.headers);
    std::string message;
    try {
        json parsed = parse_json(body);
        if (is_anthropic_error_body(parsed)) {
            message = parsed["error"].value("message", "");
            res.body = std::move(body);
        }
    } catch (const json::exception&) {
    }
    if (res.body.empty()) {
        // Not Anthropic's shape (a compatible server, a proxy's page): its message, read the
        // way an OpenAI-shaped error is read (error.message, detail, message, else the text).
        message = body.empty()
                      ? "provider '" + ex.provider->name + "' answered HTTP " +
                            std::to_string(call.status())
                      : translate::error_from_openai(call.status(), body, std::nullopt).message;
        res.body = api::anthropic_error_json(api::anthropic_type_for_status(call.status()), message,
                                             ex.request->request_id);
    }
    ex.finisher->fail(call.status(), message);
    return res;
}

}  // namespace

void merge_anthropic_usage(const json& u, gateway::Usage& usage) {
    if (!u.is_object()) return;
    auto take = [&](const char* field, int64_t& into) {
        auto it = u.find(field);
        if (it != u.end() && it->is_number_integer() && it->get<int64_t>() >= 0) into = it->get<int64_t>();
    };
    take("input_tokens", usage.input_tokens);
    take("output_tokens", usage.output_tokens);
    take("cache_read_input_tokens", usage.cache_read_tokens);
    take("cache_creation_input_tokens", usage.cache_write_tokens);
}

std::vector<std::pair<std::string, std::string>> anthropic_upstream_headers(const http::Headers& client,
                                                                            const config::Provider& provider,
                                                                            bool stream) {
    std::vector<std::pair<std::string, std::string>> out;
    out.emplace_back("content-type", "application/json");
    out.emplace_back("accept", stream ? "text/event-stream" : "application/json");
    out.emplace_back("accept-encoding", "identity");
    if (!provider.api_key.empty()) out.emplace_back("x-api-key", provider.api_key);
    auto version = client.get("anthropic-version");
    out.emplace_back("anthropic-version", version ? std::string(*version) : "2023-06-01");
    std::string betas;
    for (auto beta : client.get_all("anthropic-beta")) {
        if (!betas.empty()) betas += ",";
        betas += beta;
    }
    if (!betas.empty()) out.emplace_back("anthropic-beta", betas);
    for (const auto& [name, value] : client.items()) {
        std::string lower;
        for (char c : name) lower.push_back(char(std::tolower(static_cast<unsigned char>(c))));
        if (lower == "user-agent" || lower == "x-app" || lower.rfind("x-stainless-", 0) == 0 ||
            lower.rfind("x-claude-code-", 0) == 0 || lower == "anthropic-dangerous-direct-browser-access") {
            out.emplace_back(name, value);
        }
    }
    return out;
}

http::Response anthropic_messages(Exchange ex, std::string upstream_body, bool stream) {
    require_api_key(*ex.provider);
    upstream::Request request;
    address(request, *ex.provider, "/v1/messages");
    request.headers = anthropic_upstream_headers(ex.request->headers, *ex.provider, stream);
    request.body = std::move(upstream_body);
    request.headers_timeout_ms = ex.first_byte_timeout_ms;
    auto call = std::make_unique<upstream::Call>(std::move(request));
    ex.finisher->watch(call->stats());
    if (!call->wait_headers(ex.client_probe)) return transport_failure(ex, *call);
    if (auto id = call->headers().get("request-id")) ex.finisher->record().upstream_request_id = std::string(*id);
    if (auto refused = redirect_refusal(ex, *call)) return std::move(*refused);
    if (call->status() < 200 || call->status() >= 300) return upstream_error(ex, *call);

    http::Response res;
    res.status = call->status();
    copy_passthrough_headers(call->headers(), res.headers);
    auto content_type = call->headers().get("content-type");
    bool upstream_streams = content_type && content_type->find("text/event-stream") != std::string_view::npos;
    if (stream && upstream_streams) {
        auto relay = std::make_unique<RelayStream>(std::move(call), ex.finisher);
        relay->set_provider_name(ex.provider->name);
        if (auto error = relay->prime(ex.client_probe, first_event_wait(ex))) {
            if (error->status == 499) return client_gone_response();
            ex.finisher->record().upstream_failed = true;
            return anthropic_error_response(ex, *error, res.headers);
        }
        res.content_type = "text/event-stream";
        res.headers.set("cache-control", "no-cache");
        res.stream = std::move(relay);
        return res;
    }
    std::string body;
    if (!call->read_all(body, k_max_response_bytes, ex.client_probe)) return transport_failure(ex, *call);
    auto& record = ex.finisher->record();
    record.ttft_ms = gateway::ms_since(record.received);
    json parsed = parse_json_or_discarded(body);
    if (!parsed.is_object()) {
        record.upstream_failed = true;
        return anthropic_error_response(
            ex, {502,
                 "api_error",
                 "provider '" + ex.provider->name + "' answered 200 with a body that is not JSON",
                 {}});
    }
    if (const json& usage = translate::member(parsed, "usage"); usage.is_object()) {
        merge_anthropic_usage(usage, record.usage);
        record.usage_source = gateway::UsageSource::upstream;
    } else {
        record.usage.input_tokens = estimated_input_tokens(record);
        record.usage.output_tokens =
            translate::tokens_from_bytes(translate::generated_bytes_of_message(parsed));
        record.usage_source = gateway::UsageSource::estimated;
    }
    if (const json& stop = translate::member(parsed, "stop_reason"); stop.is_string()) {
        record.stop_reason = stop.get<std::string>();
    }
    record.ok = true;
    record.http_status = res.status;
    ex.finisher->finish();
    res.content_type = content_type ? std::string(*content_type) : "application/json";
    res.body = std::move(body);
    return res;
}

}  // namespace otari::providers
