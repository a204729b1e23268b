// otari-bench-fake-upstream: a fast fake provider for the benchmark, on 127.0.0.1 only.
//
//   otari-bench-fake-upstream [--port N] [--chunks N] [--delay-ms D] [--threads N]
//
// HTTP/1.1 keep-alive, one epoll loop per thread (SO_REUSEPORT). Answers
//   POST /v1/chat/completions  OpenAI chat.completion, or chat.completion.chunk SSE + usage +
//   [DONE] POST /v1/messages          Anthropic message, or the full Messages SSE event sequence
// streaming when the body has "stream": true. Any query string is ignored; other paths get 404.
// --chunks: content events per stream (default 20). --delay-ms: pause between content events
// (model pacing; 0 = send the whole stream at once). Prints "listening on 127.0.0.1:PORT" once
// ready (useful with --port 0). Runs until killed.
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "fake_responses.hpp"
#include "wire.hpp"

namespace otari::bench {
namespace {

struct Options {
    int port = 0;
    int chunks = 20;
    double delay_ms = 0;
    int threads = 1;
};

struct Conn {
    int fd = -1;
    uint64_t generation = 0;  // tells a stale timer from one for this connection
    std::string in;           // received bytes not yet answered
    bool sent_continue = false;
    std::string out;  // bytes to send; out[out_off..] still pending
    size_t out_off = 0;
    bool watching_out = false;
    bool close_after = false;
    const StreamAnswer* paced = nullptr;  // a model-paced stream in progress
    size_t next_segment = 0;
};

struct Timer {
    int64_t due_ns;
    int fd;
    uint64_t generation;
    bool operator>(const Timer& o) const { return due_ns > o.due_ns; }
};

class Loop {
  public:
    Loop(const Options& opts, const Answers& answers, int listen_fd)
        : m_answers(answers), m_listen(listen_fd) {
        m_delay_ns = int64_t(opts.delay_ms * 1e6);
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        m_timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        watch(m_listen, EPOLLIN, EPOLL_CTL_ADD);
        watch(m_timer, EPOLLIN, EPOLL_CTL_ADD);
    }

    [[noreturn]] void run() {
        epoll_event events[256];
        for (;;) {
            int n = epoll_wait(m_epoll, events, 256, -1);
            for (int i = 0; i < n; ++i) {
                int fd = events[i].data.fd;
                if (fd == m_listen) {
                    accept_all();
                } else if (fd == m_timer) {
                    fire_timers();
                } else {
                    on_ready(fd, events[i].events);
                }
            }
        }
    }

  private:
    void watch(int fd, uint32_t events, int op) {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = fd;
        epoll_ctl(m_epoll, op, fd, &ev);
    }

    void accept_all() {
        for (;;) {
            int fd = accept4(m_listen, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) return;
            set_nodelay(fd);
            if (size_t(fd) >= m_conns.size()) m_conns.resize(size_t(fd) * 2 + 1);
            auto conn = std::make_unique<Conn>();
            conn->fd = fd;
            conn->generation = ++m_generations;
            m_conns[size_t(fd)] = std::move(conn);
            watch(fd, EPOLLIN, EPOLL_CTL_ADD);
        }
    }

    void close_conn(Conn& c) {
        int fd = c.fd;
        close(fd);
        m_conns[size_t(fd)].reset();
    }

    void on_ready(int fd, uint32_t events) {
        Conn* c = size_t(fd) < m_conns.size() ? m_conns[size_t(fd)].get() : nullptr;
        if (!c) return;
        if (events & EPOLLOUT) {
            if (!flush(*c)) return;
        }
        if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
            char buf[65536];
            for (;;) {
                ssize_t got = read(fd, buf, sizeof buf);
                if (got > 0) {
                    c->in.append(buf, size_t(got));
                    if (size_t(got) < sizeof buf) break;
                } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                    close_conn(*c);
                    return;
                } else {
                    break;
                }
            }
            serve(*c);
        }
    }

    // Answer every complete request in c.in, unless a paced stream is still going out.
    void serve(Conn& c) {
        while (!c.paced && !c.close_after) {
            size_t head_end = c.in.find("\r\n\r\n");
            if (head_end == std::string::npos) return;
            std::string_view head(c.in.data(), head_end + 2);
            size_t body_start = head_end + 4;
            std::string chunked_body;
            std::string_view body;
            size_t consumed = 0;
            auto te = header_value(head, "transfer-encoding");
            if (te && icontains(*te, "chunked")) {
                ChunkedDecoder dec;
                long used = dec.feed(c.in.data() + body_start, c.in.size() - body_start,
                                     [&](const char* p, size_t n) { chunked_body.append(p, n); });
                if (used < 0) return bad_request(c);
                if (!dec.done()) return send_continue(c, head);
                body = chunked_body;
                consumed = body_start + size_t(used);
            } else {
                auto cl = header_value(head, "content-length");
                size_t len = cl ? std::strtoull(std::string(*cl).c_str(), nullptr, 10) : 0;
                if (c.in.size() - body_start < len) return send_continue(c, head);
                body = std::string_view(c.in).substr(body_start, len);
                consumed = body_start + len;
            }
            auto conn_hdr = header_value(head, "connection");
            c.close_after = conn_hdr && iequals(*conn_hdr, "close");
            size_t answer_at = c.out.size();
            answer(c, head, body);
            if (c.close_after) {  // say so, after the status line
                c.out.insert(c.out.find("\r\n", answer_at) + 2, "Connection: close\r\n");
            }
            c.in.erase(0, consumed);
            c.sent_continue = false;
            if (!flush(c)) return;
        }
    }

    void send_continue(Conn& c, std::string_view head) {
        auto expect = header_value(head, "expect");
        if (!c.sent_continue && expect && icontains(*expect, "100-continue")) {
            c.sent_continue = true;
            c.out += "HTTP/1.1 100 Continue\r\n\r\n";
            flush(c);
        }
    }

    void bad_request(Conn& c) {
        c.out += "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        c.close_after = true;
        flush(c);
    }

    void answer(Conn& c, std::string_view head, std::string_view body) {
        std::string_view target = head.substr(0, head.find("\r\n"));  // "POST /path HTTP/1.1"
        size_t sp1 = target.find(' ');
        size_t sp2 = target.find(' ', sp1 + 1);
        std::string_view path = target.substr(sp1 + 1, sp2 - sp1 - 1);
        path = path.substr(0, path.find('?'));
        Api api;
        if (path == "/v1/chat/completions") {
            api = Api::openai_chat;
        } else if (path == "/v1/messages") {
            api = Api::anthropic_messages;
        } else {
            c.out += m_answers.not_found;
            return;
        }
        bool openai = api == Api::openai_chat;
        if (!json_stream_true(body)) {
            c.out += openai ? m_answers.openai_json : m_answers.anthropic_json;
            return;
        }
        const StreamAnswer& s = openai ? m_answers.openai_stream : m_answers.anthropic_stream;
        if (m_delay_ns <= 0 || s.segments.size() == 1) {
            c.out += s.whole;
            return;
        }
        c.out += s.segments[0];
        c.paced = &s;
        c.next_segment = 1;
        schedule(now_ns() + m_delay_ns, c);
    }

    // Write what is pending; false when the connection was closed.
    bool flush(Conn& c) {
        while (c.out_off < c.out.size()) {
            ssize_t put =
                send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
            if (put > 0) {
                c.out_off += size_t(put);
            } else if (put < 0 && errno == EAGAIN) {
                if (!c.watching_out) {
                    c.watching_out = true;
                    watch(c.fd, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
                }
                return true;
            } else if (put < 0 && errno == EINTR) {
                continue;
            } else {
                close_conn(c);
                return false;
            }
        }
        c.out.clear();
        c.out_off = 0;
        if (c.watching_out) {
            c.watching_out = false;
            watch(c.fd, EPOLLIN, EPOLL_CTL_MOD);
        }
        if (c.close_after && !c.paced) {
            close_conn(c);
            return false;
        }
        return true;
    }

    void schedule(int64_t due, const Conn& c) {
        bool earliest = m_timers.empty() || due < m_timers.top().due_ns;
        m_timers.push(Timer{due, c.fd, c.generation});
        if (earliest) arm();
    }

    void arm() {
        itimerspec spec{};
        if (!m_timers.empty()) {
            int64_t due = m_timers.top().due_ns;
            spec.it_value.tv_sec = due / 1'000'000'000;
            spec.it_value.tv_nsec = due % 1'000'000'000;
        }
        timerfd_settime(m_timer, TFD_TIMER_ABSTIME, &spec, nullptr);
    }

    void fire_timers() {
        uint64_t expirations;
        while (read(m_timer, &expirations, sizeof expirations) > 0) {
        }
        int64_t now = now_ns();
        while (!m_timers.empty() && m_timers.top().due_ns <= now) {
            Timer t = m_timers.top();
            m_timers.pop();
            Conn* c = size_t(t.fd) < m_conns.size() ? m_conns[size_t(t.fd)].get() : nullptr;
            if (!c || c->generation != t.generation || !c->paced) continue;
            c->out += c->paced->segments[c->next_segment++];
            if (c->next_segment < c->paced->segments.size()) {
                m_timers.push(Timer{t.due_ns + m_delay_ns, t.fd, t.generation});
            } else {
                c->paced = nullptr;
            }
            if (flush(*c) && !c->paced) serve(*c);
        }
        arm();
    }

    const Answers& m_answers;
    int m_listen;
    int m_epoll = -1;
    int m_timer = -1;
    int64_t m_delay_ns = 0;
    uint64_t m_generations = 0;
    std::vector<std::unique_ptr<Conn>> m_conns;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> m_timers;
};

void usage() {
    std::fprintf(stderr,
                 "usage: otari-bench-fake-upstream [--port N] [--chunks N] [--delay-ms D] "
                 "[--threads N]\n");
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (i + 1 >= argc) usage();
        const char* v = argv[++i];
        if (a == "--port") {
            o.port = std::atoi(v);
        } else if (a == "--chunks") {
            o.chunks = std::atoi(v);
        } else if (a == "--delay-ms") {
            o.delay_ms = std::atof(v);
        } else if (a == "--threads") {
            o.threads = std::max(1, std::atoi(v));
        } else {
            usage();
        }
    }
    return o;
}

}  // namespace
}  // namespace otari::bench

int main(int argc, char** argv) {
    using namespace otari::bench;
    Options opts = parse(argc, argv);
    Answers answers = build_answers(opts.chunks);
    std::vector<int> listeners;
    try {
        listeners.push_back(listen_loopback(opts.port, opts.threads > 1));
        int port = bound_port(listeners[0]);
        for (int i = 1; i < opts.threads; ++i) listeners.push_back(listen_loopback(port, true));
        std::printf("listening on 127.0.0.1:%d\n", port);
        std::fflush(stdout);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "otari-bench-fake-upstream: %s\n", e.what());
        return 1;
    }
    std::vector<std::thread> threads;
    for (size_t i = 1; i < listeners.size(); ++i) {
        threads.emplace_back([&, fd = listeners[i]] { Loop(opts, answers, fd).run(); });
    }
    Loop(opts, answers, listeners[0]).run();
}
