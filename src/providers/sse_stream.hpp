#pragma once
// A translated SSE response: upstream SSE events are parsed as they arrive and handed to an
// EventTranslator, whose output is written to the client as soon as it exists. The call is
// recorded exactly once, before the final event leaves (so hanging up at the end cannot make
// a call free), and a client that goes away cancels the upstream transfer.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "http/message.hpp"
#include "http/sse.hpp"
#include "providers/exchange.hpp"
#include "translate/common.hpp"
#include "upstream/client.hpp"

namespace otari::providers {

// The protocol-specific half: turns upstream events into client bytes.
class EventTranslator {
public:
    virtual ~EventTranslator() = default;
    // Before anything was sent to the client: an upstream event that is really an error (a
    // rate limit or an overflow reported as the first chunk) is answered with its own status.
    virtual std::optional<translate::MappedError> early_error(const http::SseEvent& event) = 0;
    virtual void on_event(const http::SseEvent& event, std::string& out) = 0;
    // The upstream body ended without a transport error.
    virtual void on_eof(std::string& out) = 0;
    // The transfer broke or stalled after the status was committed.
    virtual void on_failure(const std::string& type, const std::string& message, std::string& out) = 0;
    // Nothing was written for a while: a keep-alive for the client, if its protocol has one.
    virtual void on_idle(std::string& out) = 0;
    // Commit now (the upstream is slow to send its first event): whatever opens the stream.
    virtual void begin(std::string& out) = 0;
    // The final event (stop or error) has been produced; nothing more will be.
    virtual bool finished() const = 0;
    virtual bool failed() const = 0;
    // Usage and stop reason so far, into the call record.
    virtual translate::TokenUsage usage() const = 0;
    virtual std::string stop_reason() const = 0;
    // An `error` frame in the client's protocol, for failures the translator never saw.
    virtual std::string error_frame(const std::string& type, const std::string& message) const = 0;
};

class TranslatedStream : public http::BodyStream {
public:
    TranslatedStream(std::unique_ptr<upstream::Call> call, std::unique_ptr<EventTranslator> translator,
                     std::shared_ptr<CallFinisher> finisher);

    // Read until the translator produced its first bytes, the upstream reported an early
    // error, or `commit_after` passed without any event. Returns the early error, if any (the
    // caller answers it with its status instead of streaming); transport failures before the
    // first event come back as a MappedError too (502/504).
    // `first_event.wait` is `commit_after`; with `fail_on_deadline`, passing it without output
    // is a 504 timeout instead (a fallback attempt waits behind this one).
    std::optional<translate::MappedError> prime(const http::ClientProbe& client_alive, FirstEventWait first_event);

    bool next(std::string& out, const http::ClientProbe& client_alive) override;
    void close(bool client_gone) override;
    bool ready() const override { return !m_pending.empty() || m_ended; }

  private:
    enum class Pull { produced, idle, ended };
    // Read and translate until there is output, the upstream is idle for `wait`, or it ended.
    Pull pull(std::string& out, const http::ClientProbe& client_alive, std::chrono::milliseconds wait,
              bool committed);
    void settle(bool ok, int status, const std::string& error);
    // The stream ended with `out`, whose bytes from `final_from` on are its final event(s).
    // Those leave only after the call is recorded; the bytes before them need not wait for
    // the recording, so they are returned first and the recording is done by the next call
    // to next() (or by close(), should the client go away in between).
    void end_stream(std::string& out, size_t final_from, bool ok, const std::string& error);
    // Records the call end_stream() held back; returns the final event(s) it kept.
    std::string settle_held_end();

    std::unique_ptr<upstream::Call> m_call;
    std::unique_ptr<EventTranslator> m_translator;
    std::shared_ptr<CallFinisher> m_finisher;
    http::SseParser m_parser;
    std::string m_pending;  // produced while priming, written first
    std::optional<translate::MappedError> m_early_error;
    struct HeldEnd {
        bool ok;
        std::string error;
        std::string final_bytes;
    };
    std::optional<HeldEnd> m_held_end;  // see end_stream()
    bool m_ended = false;
    bool m_first_output = false;
    std::chrono::steady_clock::time_point m_last_write;
};

}  // namespace otari::providers
