#include "upstream/client.hpp"

#include <curl/curl.h>
#include <sys/epoll.h>

#include <cstring>
#include <stdexcept>
#include <type_traits>

#include "loop/loop.hpp"
#include "upstream/curl_library.hpp"

namespace otari::upstream {
namespace {

const CurlLibrary& curl() { return curl_library(); }

// Easy handles kept for the next calls made here: a reset handle keeps its buffers and DNS
// cache, and curl_easy_reset costs a fraction of curl_easy_init plus curl_easy_cleanup. Up to
// `capacity`, so a burst of calls does not leave its handles held for good.
class SpareEasyHandles {
  public:
    explicit SpareEasyHandles(size_t capacity) : m_capacity(capacity) {}
    SpareEasyHandles(const SpareEasyHandles&) = delete;
    SpareEasyHandles& operator=(const SpareEasyHandles&) = delete;
    ~SpareEasyHandles() { clear(); }

    // A reset handle, or null when none is kept.
    CURL* take() {
        if (m_handles.empty()) return nullptr;
        CURL* easy = m_handles.back();
        m_handles.pop_back();
        curl().easy_reset(easy);
        return easy;
    }
    // Keeps `easy` when there is room, else cleans it up.
    void give_back(CURL* easy) {
        if (m_handles.size() < m_capacity) {
            m_handles.push_back(easy);
        } else {
            curl().easy_cleanup(easy);
        }
    }

    // Before the multi handle they were used with is cleaned up.
    void clear() {
        for (CURL* easy : m_handles) curl().easy_cleanup(easy);
        m_handles.clear();
    }

  private:
    size_t m_capacity;
    std::vector<CURL*> m_handles;
};

// One multi handle per thread: its connection cache keeps upstream connections alive between
// the calls this thread makes. A thread runs one call at a time (one request per worker).
struct ThreadCurl {
    CURLM* multi = nullptr;
    SpareEasyHandles spare_easy{1};  // one call at a time here
    ThreadCurl() {
        multi = curl().multi_init();
        curl().multi_setopt(multi, CURLMOPT_MAXCONNECTS, 16L);
    }
    ~ThreadCurl() {
        spare_easy.clear();
        curl().multi_cleanup(multi);
    }
};

ThreadCurl& thread_curl() {
    thread_local ThreadCurl tc;
    return tc;
}

constexpr std::chrono::milliseconds k_probe_interval{250};
// A streamed answer's bytes wait in the call up to this much while the client is slow; then the
// transfer pauses, and the upstream's own send buffer and TCP window hold the rest.
constexpr size_t k_stream_buffer_limit = 1u << 20;

Failure failure_of(CURLcode rc, bool headers_done) {
    switch (rc) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
            return headers_done ? Failure::transport : Failure::connect;
        case CURLE_OPERATION_TIMEDOUT:
            return Failure::timeout;
        default:
            return Failure::transport;
    }
}

}  // namespace

// The multi handle of an event loop: the loop watches curl's sockets and keeps its timer, and
// the calls of all the loop's fibers share its connection cache. Calls are driven by the
// loop, not by the fiber that waits for them: a fiber parks, and its call's callbacks wake it.
class LoopCurl final : public loop::Watcher, public loop::Timer {
  public:
    explicit LoopCurl(loop::Loop& loop) : m_loop(loop) {
        multi = curl().multi_init();
        curl().multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &LoopCurl::on_socket);
        curl().multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
        curl().multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &LoopCurl::on_timer_request);
        curl().multi_setopt(multi, CURLMOPT_TIMERDATA, this);
        curl().multi_setopt(multi, CURLMOPT_MAXCONNECTS, 256L);
        // One transfer per connection, as on a thread of its own: no HTTP/2 multiplexing of
        // many streams over one connection.
        curl().multi_setopt(multi, CURLMOPT_PIPELINING, long(CURLPIPE_NOTHING));
    }
    ~LoopCurl() {
        spare_easy.clear();
        curl().multi_cleanup(multi);
        m_loop.disarm(*this);
    }

    // The running loop's, made on first use and taken down when the loop ends.
    static LoopCurl& of(loop::Loop& loop) {
        thread_local LoopCurl* t_curl = nullptr;
        if (!t_curl) {
            t_curl = new LoopCurl(loop);
            loop.at_exit([] {
                delete t_curl;
                t_curl = nullptr;
            });
        }
        return *t_curl;
    }

    void on_ready(int fd, uint32_t events) override {
        int bits = 0;
        if (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) bits |= CURL_CSELECT_IN;
        if (events & EPOLLOUT) bits |= CURL_CSELECT_OUT;
        if (events & EPOLLERR) bits |= CURL_CSELECT_ERR;
        int running = 0;
        curl().multi_socket_action(multi, fd, bits, &running);
        finish_done();
    }
    void on_timer() override {
        int running = 0;
        curl().multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
        finish_done();
    }
    // Start what is due now (a call just added) without waiting for the loop's next round:
    // on a kept-alive connection the request is sent before this returns. The loop's timer
    // stays as curl last asked for it (curl asks again only when its next timeout moves).
    void kick() { on_timer(); }

    CURLM* multi = nullptr;
    // Many calls at a time share a loop; at a steady rate as many start as end.
    SpareEasyHandles spare_easy{16};

  private:
    static int on_socket(CURL*, curl_socket_t fd, int what, void* self_ptr, void*) {
        auto* self = static_cast<LoopCurl*>(self_ptr);
        if (what == CURL_POLL_REMOVE) {
            // Most often a kept-alive connection going back to curl's pool, to be watched again
            // by the next transfer; one that closes leaves the epoll set by itself.
            self->m_loop.forget(fd);
            return 0;
        }
        uint32_t events = 0;
        if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) events |= EPOLLIN;
        if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) events |= EPOLLOUT;
        try {
            self->m_loop.watch(fd, events, self);
        } catch (const std::exception&) {
            return -1;
        }
        return 0;
    }
    static int on_timer_request(CURLM*, long timeout_ms, void* self_ptr) {
        auto* self = static_cast<LoopCurl*>(self_ptr);
        if (timeout_ms < 0) {
            self->m_loop.disarm(*self);
        } else {
            self->m_loop.arm(*self, loop::Clock::now() + std::chrono::milliseconds(timeout_ms));
        }
        return 0;
    }
    void finish_done() {
        int queued = 0;
        while (CURLMsg* msg = curl().multi_info_read(multi, &queued)) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL* easy = msg->easy_handle;
            CURLcode result = msg->data.result;
            char* call = nullptr;
            curl().easy_getinfo(easy, CURLINFO_PRIVATE, &call);
            if (call) Call::finished_on_loop(reinterpret_cast<Call*>(call), result);
        }
    }

    loop::Loop& m_loop;
};

struct Call::Impl {
    CURL* easy = nullptr;
    CURLM* multi = nullptr;
    curl_slist* header_list = nullptr;
    bool attached = false;
    // Driven by an event loop (the call was made on a fiber) rather than by pump().
    LoopCurl* loop_curl = nullptr;
    loop::Fiber* waiter = nullptr;  // the fiber parked in pump(), woken by the callbacks
    size_t buffer_limit = k_stream_buffer_limit;
    bool paused = false;  // the write callback paused the transfer at buffer_limit
    bool started = false;
    bool wake_when_sent = false;  // a pump waits to run work once the request is out
    char error_detail[CURL_ERROR_SIZE] = {};  // curl's own words, used for TLS failures
};

Call::Call(Request request) : m_impl(std::make_unique<Impl>()), m_request(std::move(request)) {
    m_started = std::chrono::steady_clock::now();
    m_stats->started = m_started;
    m_stats->bytes_sent = m_request.body.size();
    SpareEasyHandles* spare = nullptr;
    if (loop::in_fiber()) {
        m_impl->loop_curl = &LoopCurl::of(*loop::Loop::current());
        m_impl->multi = m_impl->loop_curl->multi;
        spare = &m_impl->loop_curl->spare_easy;
    } else {
        ThreadCurl& tc = thread_curl();
        m_impl->multi = tc.multi;
        spare = &tc.spare_easy;
    }
    m_impl->easy = spare->take();
    if (!m_impl->easy) m_impl->easy = curl().easy_init();
    if (!m_impl->easy) throw std::runtime_error("curl_easy_init failed");
    CURL* e = m_impl->easy;
    curl().easy_setopt(e, CURLOPT_URL, m_request.url.c_str());
    m_plain_http = m_request.url.rfind("http://", 0) == 0;
    curl().easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl().easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl().easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl().easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, m_request.connect_timeout_ms);
    curl().easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl().easy_setopt(e, CURLOPT_LOW_SPEED_TIME, m_request.stall_timeout_s);
    if (m_request.total_timeout_ms > 0)
        curl().easy_setopt(e, CURLOPT_TIMEOUT_MS, m_request.total_timeout_ms);
    curl().easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    if (!m_request.ca_file.empty())
        curl().easy_setopt(e, CURLOPT_CAINFO, m_request.ca_file.c_str());
    curl().easy_setopt(e, CURLOPT_ERRORBUFFER, m_impl->error_detail);
    // Ask for no compression, but decode a body an upstream compresses anyway (gzip, deflate,
    // br, zstd): unset, curl would hand the compressed bytes on as the body.
    curl().easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "identity");
    curl().easy_setopt(e, CURLOPT_HEADERFUNCTION, &Call::on_header);
    curl().easy_setopt(e, CURLOPT_HEADERDATA, this);
    curl().easy_setopt(e, CURLOPT_WRITEFUNCTION, &Call::on_body);
    curl().easy_setopt(e, CURLOPT_WRITEDATA, this);
    curl().easy_setopt(e, CURLOPT_PRIVATE, reinterpret_cast<char*>(this));
    if (m_request.method == "POST") {
        curl().easy_setopt(e, CURLOPT_POST, 1L);
        curl().easy_setopt(e, CURLOPT_POSTFIELDS, m_request.body.data());
        curl().easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(m_request.body.size()));
    } else if (m_request.method != "GET") {
        curl().easy_setopt(e, CURLOPT_CUSTOMREQUEST, m_request.method.c_str());
    }
    // curl adds "Expect: 100-continue" to large POSTs, costing a round trip; disable it.
    m_impl->header_list = curl().slist_append(m_impl->header_list, "Expect:");
    for (const auto& [name, value] : m_request.headers) {
        std::string line = name + ": " + value;
        m_impl->header_list = curl().slist_append(m_impl->header_list, line.c_str());
    }
    curl().easy_setopt(e, CURLOPT_HTTPHEADER, m_impl->header_list);
    if (curl().multi_add_handle(m_impl->multi, e) != CURLM_OK)
        throw std::runtime_error("curl_multi_add_handle failed");
    m_impl->attached = true;
}

Call::~Call() {
    if (m_impl->attached) curl().multi_remove_handle(m_impl->multi, m_impl->easy);
    if (m_impl->header_list) curl().slist_free_all(m_impl->header_list);
    // The handle of a finished transfer is kept for a next call; one from an unfinished or
    // failed transfer is discarded.
    SpareEasyHandles* spare = nullptr;
    if (m_impl->loop_curl) {
        spare = &m_impl->loop_curl->spare_easy;
    } else if (ThreadCurl& tc = thread_curl(); m_impl->multi == tc.multi) {
        spare = &tc.spare_easy;
    }
    if (spare && m_finished && m_failure == Failure::none) {
        spare->give_back(m_impl->easy);
    } else {
        curl().easy_cleanup(m_impl->easy);
    }
}

void Call::end_with(int curl_code) {
    auto rc = CURLcode(curl_code);
    m_finished = true;
    if (rc != CURLE_OK) {
        m_error = curl().easy_strerror(rc);
        // Which certificate problem ("self-signed certificate", "unable to get local issuer
        // certificate") is what a user needs to fix it.
        if ((rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) &&
            m_impl->error_detail[0] != '\0') {
            m_error = m_impl->error_detail;
        }
        m_failure = failure_of(rc, m_headers_done);
        m_certificate_rejected = rc == CURLE_PEER_FAILED_VERIFICATION;
    }
}

void Call::detach() {
    if (!m_impl->attached) return;
    curl().multi_remove_handle(m_impl->multi, m_impl->easy);
    m_impl->attached = false;
}

bool Call::run_once_sent(std::function<void()>* work) {
    if (!work || !*work || !request_sent()) return false;
    std::function<void()> run = std::move(*work);
    *work = nullptr;
    run();
    return true;
}

void Call::finished_on_loop(Call* self, int curl_code) {
    self->end_with(curl_code);
    self->detach();
    loop::wake(self->m_impl->waiter);
}

size_t Call::on_header(char* data, size_t size, size_t count, void* self_ptr) {
    auto* self = static_cast<Call*>(self_ptr);
    size_t len = size * count;
    std::string_view line(data, len);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.rfind("HTTP/", 0) == 0) {
        // A new status line (after 100 Continue or a redirect) starts a new header block.
        self->m_headers = http::Headers();
        size_t sp = line.find(' ');
        self->m_status = sp == std::string_view::npos
                             ? 0
                             : std::atoi(std::string(line.substr(sp + 1, 3)).c_str());
        return len;
    }
    if (line.empty()) {
        if (self->m_status >= 200) {
            self->m_headers_done = true;
            auto now = std::chrono::steady_clock::now();
            self->m_headers_s = std::chrono::duration<double>(now - self->m_started).count();
            auto& stats = *self->m_stats;
            stats.headers = now;
            stats.status = self->m_status;
            curl_off_t connect_us = 0, tls_us = 0;
            long connects = 0;
            curl().easy_getinfo(self->m_impl->easy, CURLINFO_CONNECT_TIME_T, &connect_us);
            curl().easy_getinfo(self->m_impl->easy, CURLINFO_APPCONNECT_TIME_T, &tls_us);
            connect_us = std::max(connect_us, tls_us);
            curl().easy_getinfo(self->m_impl->easy, CURLINFO_NUM_CONNECTS, &connects);
            stats.reused_connection = connects == 0;
            stats.connected = self->m_started + std::chrono::microseconds(connect_us);
            loop::wake(self->m_impl->waiter);
        }
        return len;
    }
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
            value.remove_prefix(1);
        self->m_headers.add(std::string(line.substr(0, colon)), std::string(value));
    }
    return len;
}

size_t Call::on_body(char* data, size_t size, size_t count, void* self_ptr) {
    auto* self = static_cast<Call*>(self_ptr);
    size_t len = size * count;
    if (self->m_impl->loop_curl && self->m_buffer.size() >= self->m_impl->buffer_limit) {
        // Kept by curl and handed over again once read() unpauses.
        self->m_impl->paused = true;
        return CURL_WRITEFUNC_PAUSE;
    }
    auto now = std::chrono::steady_clock::now();
    if (self->m_first_byte_s < 0) {
        self->m_first_byte_s = std::chrono::duration<double>(now - self->m_started).count();
        self->m_stats->first_byte = now;
    }
    self->m_buffer.append(data, len);
    self->m_bytes_received += len;
    self->m_stats->last_byte = now;
    self->m_stats->bytes_received = self->m_bytes_received;
    loop::wake(self->m_impl->waiter);
    return len;
}

void Call::pump_on_loop(std::chrono::milliseconds max_wait, const http::ClientProbe& client_alive,
                        const std::function<bool()>& done, std::function<void()>* before_wait) {
    const auto deadline = std::chrono::steady_clock::now() + max_wait;
    auto next_probe = std::chrono::steady_clock::now() + k_probe_interval;
    m_impl->waiter = loop::current_fiber();
    if (before_wait && *before_wait && !m_impl->wake_when_sent) {
        // Progress reports tell when the last request byte left (on a new connection that is
        // after the connect, on the loop).
        m_impl->wake_when_sent = true;
        curl().easy_setopt(m_impl->easy, CURLOPT_XFERINFOFUNCTION, &Call::on_progress);
        curl().easy_setopt(m_impl->easy, CURLOPT_XFERINFODATA, this);
        curl().easy_setopt(m_impl->easy, CURLOPT_NOPROGRESS, 0L);
    }
    if (!m_impl->started) {
        m_impl->started = true;
        // Requests of one loop round leave together (see loop::join_send_batch): an upstream
        // still reading the first needs no wakeup for the next.
        loop::join_send_batch();
        m_impl->loop_curl->kick();
    }
    while (!m_finished && !done()) {
        if (run_once_sent(before_wait)) continue;
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline || cancelled_by_client(now, next_probe, client_alive)) break;
        loop::park_until(std::min(deadline, next_probe));
    }
    m_impl->waiter = nullptr;
    if (m_finished) detach();
}

bool Call::cancelled_by_client(std::chrono::steady_clock::time_point now,
                               std::chrono::steady_clock::time_point& next_probe,
                               const http::ClientProbe& client_alive) {
    if (!client_alive || now < next_probe) return false;
    next_probe = now + k_probe_interval;
    if (client_alive()) return false;
    m_failure = Failure::cancelled;
    m_error = "client disconnected";
    m_finished = true;
    return true;
}

static_assert(std::is_same_v<curl_off_t, int64_t>, "on_progress is a curl_xferinfo_callback");

int Call::on_progress(void* self_ptr, int64_t, int64_t, int64_t, int64_t uploaded) {
    auto* self = static_cast<Call*>(self_ptr);
    if (self->m_impl->wake_when_sent && uploaded >= int64_t(self->m_stats->bytes_sent)) {
        self->m_impl->wake_when_sent = false;
        loop::wake(self->m_impl->waiter);
    }
    return 0;
}

void Call::resume_paused() {
    if (!m_impl->paused || m_buffer.size() >= m_impl->buffer_limit) return;
    m_impl->paused = false;
    curl().easy_pause(m_impl->easy, CURLPAUSE_CONT);
}

void Call::pump(std::chrono::milliseconds max_wait, const http::ClientProbe& client_alive,
                const std::function<bool()>& done, std::function<void()>* before_wait) {
    if (m_impl->loop_curl) {
        pump_on_loop(max_wait, client_alive, done, before_wait);
        return;
    }
    auto deadline = std::chrono::steady_clock::now() + max_wait;
    auto next_probe = std::chrono::steady_clock::now() + k_probe_interval;
    // The last pump ended on a transfer step that read the socket dry, and nothing can be
    // buffered above a plain TCP socket: wait for it before stepping again. (Over TLS, bytes can
    // wait decrypted inside the TLS layer with the socket quiet, so a step always comes first.)
    bool wait_first = m_drained && m_plain_http;
    m_drained = false;
    // Until curl's sockets have something, the next client probe or the deadline.
    auto wait_for_sockets = [&](std::chrono::steady_clock::time_point now) {
        if (run_once_sent(before_wait)) now = std::chrono::steady_clock::now();
        auto until = std::min(deadline, next_probe);
        int wait_ms =
            int(std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count());
        curl().multi_poll(m_impl->multi, nullptr, 0, std::max(wait_ms, 1), nullptr);
    };
    while (!m_finished) {
        if (wait_first) {
            wait_first = false;
            wait_for_sockets(std::chrono::steady_clock::now());
        }
        int running = 0;
        CURLMcode mc = curl().multi_perform(m_impl->multi, &running);
        if (mc != CURLM_OK) {
            m_failure = Failure::transport;
            m_error = curl().multi_strerror(mc);
            m_finished = true;
            break;
        }
        int queued = 0;
        while (CURLMsg* msg = curl().multi_info_read(m_impl->multi, &queued)) {
            if (msg->msg == CURLMSG_DONE && msg->easy_handle == m_impl->easy)
                end_with(msg->data.result);
        }
        if (m_finished) break;
        if (done()) {
            m_drained = true;
            break;
        }
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline || cancelled_by_client(now, next_probe, client_alive)) break;
        wait_for_sockets(now);
    }
    if (m_finished) detach();
}

bool Call::wait_headers(const http::ClientProbe& client_alive,
                        const std::function<void()>& meanwhile) {
    std::function<void()> pending = meanwhile;
    const bool gated = m_request.headers_timeout_ms > 0;
    const auto deadline =
        m_started + std::chrono::milliseconds(gated ? m_request.headers_timeout_ms : 0);
    while (!m_headers_done && !m_finished) {
        auto wait = std::chrono::milliseconds(std::chrono::hours(24));
        if (gated) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                m_failure = Failure::timeout;
                m_error =
                    "no response within " + std::to_string(m_request.headers_timeout_ms) + " ms";
                m_finished = true;
                detach();
                break;
            }
            wait = left;
        }
        pump(
            wait, client_alive, [this] { return m_headers_done; }, &pending);
    }
    if (pending) pending();
    if (!m_headers_done && m_failure == Failure::none && m_finished) {
        m_failure = Failure::transport;
        m_error = "upstream closed the connection without a response";
    }
    if (m_headers_done) release_sent_body();
    return m_headers_done;
}

bool Call::request_sent() const {
    long header_bytes = 0;
    curl_off_t body_bytes = 0;
    curl().easy_getinfo(m_impl->easy, CURLINFO_REQUEST_SIZE, &header_bytes);
    curl().easy_getinfo(m_impl->easy, CURLINFO_SIZE_UPLOAD_T, &body_bytes);
    return header_bytes > 0 && body_bytes >= curl_off_t(m_stats->bytes_sent);
}

void Call::release_sent_body() {
    // A refused request keeps its body until the call ends: the caller may correct it and send
    // it again (take_request_body).
    const bool accepted = m_status >= 200 && m_status < 300;
    if (accepted && !m_request.body.empty() && request_sent()) std::string().swap(m_request.body);
}

std::string Call::take_request_body() { return std::move(m_request.body); }

Call::Read Call::read(std::string& out, std::chrono::milliseconds max_wait,
                      const http::ClientProbe& client_alive) {
    if (m_buffer.empty() && !m_finished) {
        pump(max_wait, client_alive, [this] { return !m_buffer.empty(); });
    }
    release_sent_body();  // an upstream may answer before it has read the whole body
    if (!m_buffer.empty()) {
        if (out.empty()) {
            out.swap(m_buffer);
        } else {
            out.append(m_buffer);
            m_buffer.clear();
        }
        resume_paused();
        return Read::data;
    }
    if (m_finished) return m_failure == Failure::none ? Read::end : Read::failed;
    return Read::idle;
}

bool Call::read_all(std::string& out, size_t limit, const http::ClientProbe& client_alive) {
    // Everything up to the limit is wanted at once: no pausing at the stream's bound.
    m_impl->buffer_limit = limit + 1;
    resume_paused();
    while (!m_finished && m_buffer.size() <= limit) {
        pump(std::chrono::hours(24), client_alive,
             [this, limit] { return m_buffer.size() > limit; });
    }
    out.append(m_buffer, 0, std::min(m_buffer.size(), limit));
    m_buffer.clear();
    return m_failure == Failure::none;
}

}  // namespace otari::upstream
