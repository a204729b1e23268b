#include "providers/sse_stream.hpp"

namespace otari::providers {
namespace {

constexpr auto k_ping_interval = std::chrono::seconds(15);
constexpr auto k_read_slice = std::chrono::milliseconds(1000);

gateway::Usage to_record_usage(const translate::TokenUsage& u) {
    return {u.input_tokens, u.output_tokens, u.cache_read_tokens, u.cache_write_tokens};
}

}  // namespace

TranslatedStream::TranslatedStream(std::unique_ptr<upstream::Call> call, std::unique_ptr<EventTranslator> translator,
                                   std::shared_ptr<CallFinisher> finisher)
    : m_call(std::move(call)),
      m_translator(std::move(translator)),
      m_finisher(std::move(finisher)),
      m_last_write(std::chrono::steady_clock::now()) {}

void TranslatedStream::settle(bool ok, int status, const std::string& error) {
    if (m_finisher->done()) return;
    auto& record = m_finisher->record();
    auto usage = m_translator->usage();
    record.usage = to_record_usage(usage);
    record.usage_source = usage.reported ? gateway::UsageSource::upstream : gateway::UsageSource::estimated;
    record.stop_reason = m_translator->stop_reason();
    if (ok) {
        record.ok = true;
        record.http_status = status;
        m_finisher->finish();
    } else {
        m_finisher->fail(status, error);
    }
}

void TranslatedStream::end_stream(std::string& out, size_t final_from, bool ok,
                                  const std::string& error) {
    m_ended = true;
    if (final_from == 0 || final_from >= out.size()) {
        settle(ok, 200, error);
        return;
    }
    m_held_end = HeldEnd{ok, error, out.substr(final_from)};
    out.resize(final_from);
}

std::string TranslatedStream::settle_held_end() {
    HeldEnd end = std::move(*m_held_end);
    m_held_end.reset();
    settle(end.ok, 200, end.error);
    return std::move(end.final_bytes);
}

TranslatedStream::Pull TranslatedStream::pull(std::string& out, const http::ClientProbe& client_alive,
                                              std::chrono::milliseconds wait, bool committed) {
    for (;;) {
        http::SseEvent event;
        while (m_parser.next(event)) {
            if (!committed && !m_first_output) {
                if (auto error = m_translator->early_error(event)) {
                    m_finisher->record().upstream_status = error->status;
                    m_early_error = std::move(error);
                    m_ended = true;
                    return Pull::ended;
                }
            }
            if (!m_first_output) {
                m_first_output = true;
                m_finisher->record().ttft_ms = gateway::ms_since(m_finisher->record().received);
            }
            const size_t before_event = out.size();
            m_translator->on_event(event, out);
            if (m_translator->finished()) {
                m_finisher->record().upstream_failed = m_translator->failed();
                end_stream(out, before_event, !m_translator->failed(),
                           m_translator->failed() ? "upstream reported an error mid-stream" : "");
                return Pull::ended;
            }
        }
        if (!out.empty()) return Pull::produced;
        if (m_parser.overflowed()) {
            m_ended = true;
            m_finisher->record().upstream_failed = true;
            m_translator->on_failure("api_error", "upstream sent an event larger than the 16 MiB limit", out);
            settle(false, 200, "upstream event too large");
            return Pull::ended;
        }

        std::string chunk;
        auto result = m_call->read(chunk, wait, client_alive);
        if (result == upstream::Call::Read::data) {
            m_parser.feed(chunk);
            continue;
        }
        if (result == upstream::Call::Read::idle) return Pull::idle;
        if (result == upstream::Call::Read::end) {
            // A last event that only lacks its blank line still counts.
            if (m_parser.has_partial()) {
                m_parser.feed("\n\n");
                if (m_parser.next(event)) {
                    m_first_output = true;
                    m_translator->on_event(event, out);
                }
            }
            m_ended = true;
            if (!committed && !m_first_output && out.empty() && !m_translator->finished()) {
                m_early_error = translate::MappedError{502, "api_error", "the provider ended the stream before sending anything", {}};
                return Pull::ended;
            }
            const size_t before_end = out.size();
            if (!m_translator->finished()) m_translator->on_eof(out);
            m_finisher->record().upstream_failed = m_translator->failed();
            end_stream(out, before_end, !m_translator->failed(),
                       m_translator->failed()
                           ? "upstream stream ended before the message was complete"
                           : "");
            return Pull::ended;
        }
        // failed
        m_ended = true;
        if (m_call->failure() == upstream::Failure::cancelled) {
            m_finisher->record().client_disconnected = true;
            settle(false, 499, "client disconnected");
            return Pull::ended;
        }
        bool timeout = m_call->failure() == upstream::Failure::timeout;
        std::string message = "upstream stream failed: " + m_call->error_message();
        m_finisher->record().upstream_failed = true;
        if (!committed && !m_first_output && out.empty()) {
            m_finisher->record().failure_class = timeout ? "timeout" : "conn_err";
            m_early_error = translate::MappedError{timeout ? 504 : 502, timeout ? "timeout_error" : "api_error", message, {}};
            return Pull::ended;
        }
        m_translator->on_failure(timeout ? "timeout_error" : "api_error", message, out);
        settle(false, 200, message);
        return Pull::ended;
    }
}

std::optional<translate::MappedError> TranslatedStream::prime(const http::ClientProbe& client_alive,
                                                             FirstEventWait first_event) {
    const auto commit_after = first_event.wait;
    auto deadline = std::chrono::steady_clock::now() + commit_after;
    for (;;) {
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline && first_event.fail_on_deadline) {
            m_finisher->record().failure_class = "timeout";
            m_finisher->record().upstream_failed = true;
            return translate::MappedError{504, "timeout_error",
                                          "the provider sent nothing within " + std::to_string(commit_after.count()) + " ms",
                                          {}};
        }
        if (now >= deadline) {
            m_translator->begin(m_pending);
            m_first_output = true;
            m_last_write = now;
            return std::nullopt;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        Pull pulled = pull(m_pending, client_alive, std::min(left, std::chrono::milliseconds(k_read_slice)), false);
        if (m_early_error) return m_early_error;
        if (pulled == Pull::ended && m_finisher->record().client_disconnected) {
            return translate::MappedError{499, "api_error", "client disconnected", {}};
        }
        if (pulled != Pull::idle) {
            m_last_write = std::chrono::steady_clock::now();
            return std::nullopt;
        }
    }
}

bool TranslatedStream::next(std::string& out, const http::ClientProbe& client_alive) {
    if (!m_pending.empty()) {
        out.swap(m_pending);
        m_pending.clear();
        m_last_write = std::chrono::steady_clock::now();
        return !m_ended || m_held_end.has_value();
    }
    if (m_held_end) {
        out.append(settle_held_end());
        return false;
    }
    if (m_ended) return false;
    for (;;) {
        Pull pulled = pull(out, client_alive, k_read_slice, true);
        if (pulled == Pull::ended) return m_held_end.has_value();
        auto now = std::chrono::steady_clock::now();
        if (pulled == Pull::produced) {
            m_last_write = now;
            return true;
        }
        if (now - m_last_write >= k_ping_interval) {
            m_translator->on_idle(out);
            if (!out.empty()) {
                m_last_write = now;
                return true;
            }
        }
    }
}

void TranslatedStream::close(bool client_gone) {
    if (m_finisher->done()) return;
    if (m_held_end) {
        // The upstream delivered the whole message; only its last event did not reach the
        // client. The call is recorded as it ended upstream.
        if (client_gone) m_finisher->record().client_disconnected = true;
        settle_held_end();
        return;
    }
    if (client_gone) {
        m_finisher->record().client_disconnected = true;
        settle(false, 499, "client disconnected");
    } else {
        settle(false, 502, "stream closed before the message was complete");
    }
}

}  // namespace otari::providers
