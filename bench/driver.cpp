// otari-bench-driver: closed-loop HTTP/1.1 load on 127.0.0.1 with C keep-alive connections.
//
//   otari-bench-driver --url http://127.0.0.1:PORT/PATH --body FILE [-H 'Name: value']...
//                      [-c CONNS] [-d SECONDS | -n REQUESTS] [--warmup SECONDS]
//                      [--ramp SECONDS] [--timeout SECONDS] [--marker TEXT] [--label TEXT]
//                      [--json-out FILE] [--quiet]
//
// Each connection sends the same POST (body from FILE, Content-Type: application/json), reads
// the whole response (Content-Length, chunked or until close) and sends the next one at once.
// Requests started during --warmup are not counted; the connections open one after another
// over --ramp (default: half the warm-up). Reports req/s, latency percentiles, time to first
// body byte and to the first --marker occurrence in the body (default "delta", which marks the
// first content event of both Anthropic and OpenAI streams), non-2xx and transport errors.
// Prints a human-readable block and, last, one JSON line (also appended to --json-out).
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "driver_report.hpp"
#include "wire.hpp"

namespace otari::bench {
namespace {

struct Options {
    std::string url;
    std::string body_file;
    std::vector<std::string> headers;
    int concurrency = 1;
    double duration_s = 3;
    long long requests = 0;  // > 0: stop after this many instead of after duration_s
    double warmup_s = 0;
    double ramp_s = -1;  // < 0: half the warm-up
    double timeout_s = 30;
    std::string marker = "\"delta\"";
    std::string label;
    std::string json_out;
    bool quiet = false;
};

enum class Phase { idle, connecting, sending, head, body_length, body_chunked, body_eof };

struct Conn {
    int fd = -1;
    Phase phase = Phase::idle;
    size_t sent = 0;  // request bytes written
    int64_t t_start = 0, t_first_byte = 0, t_first_token = 0;
    int64_t retry_at = 0;  // after a failure: do not reconnect before this
    std::string head;      // response header bytes so far
    int status = 0;
    bool close_after = false;
    uint64_t remaining = 0;
    ChunkedDecoder chunked;
    std::string carry;       // tail of the body so far, for a marker split across reads
    std::string error_body;  // start of a non-2xx body
    // Closed-loop throughput of this connection over its measured requests.
    int64_t first_measured_start = 0, last_measured_end = 0;
    uint64_t measured = 0;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr, "otari-bench-driver: %s\n(see the comment at the top of driver.cpp)\n",
                 why);
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--quiet") {
            o.quiet = true;
            continue;
        }
        if (i + 1 >= argc) usage(("missing value after " + a).c_str());
        std::string v = argv[++i];
        if (a == "--url")
            o.url = v;
        else if (a == "--body")
            o.body_file = v;
        else if (a == "-H" || a == "--header")
            o.headers.push_back(v);
        else if (a == "-c")
            o.concurrency = std::max(1, std::atoi(v.c_str()));
        else if (a == "-d")
            o.duration_s = std::atof(v.c_str());
        else if (a == "-n")
            o.requests = std::atoll(v.c_str());
        else if (a == "--warmup")
            o.warmup_s = std::atof(v.c_str());
        else if (a == "--ramp")
            o.ramp_s = std::atof(v.c_str());
        else if (a == "--timeout")
            o.timeout_s = std::atof(v.c_str());
        else if (a == "--marker")
            o.marker = v;
        else if (a == "--label")
            o.label = v;
        else if (a == "--json-out")
            o.json_out = v;
        else
            usage(("unknown option " + a).c_str());
    }
    if (o.url.empty() || o.body_file.empty()) usage("--url and --body are required");
    if (o.marker.empty()) o.marker = "\"delta\"";
    if (o.ramp_s < 0) o.ramp_s = o.warmup_s / 2;
    return o;
}

struct Target {
    int port = 0;
    std::string host_header;
    std::string path;
};

// Only loopback targets: http://127.0.0.1:PORT/PATH or http://localhost:PORT/PATH.
Target parse_url(const std::string& url) {
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) usage("--url must start with http://");
    std::string rest = url.substr(scheme.size());
    size_t slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    Target t;
    t.path = slash == std::string::npos ? "/" : rest.substr(slash);
    size_t colon = authority.rfind(':');
    std::string host = authority.substr(0, colon);
    if (host != "127.0.0.1" && host != "localhost") usage("--url must name 127.0.0.1 or localhost");
    t.port = colon == std::string::npos ? 80 : std::atoi(authority.c_str() + colon + 1);
    t.host_header = authority;
    return t;
}

std::string build_request(const Options& o, const Target& t) {
    std::ifstream in(o.body_file, std::ios::binary);
    if (!in) usage(("cannot read " + o.body_file).c_str());
    std::stringstream ss;
    ss << in.rdbuf();
    std::string body = ss.str();
    std::string req = "POST " + t.path + " HTTP/1.1\r\nHost: " + t.host_header +
                      "\r\nContent-Type: application/json\r\nAccept: */*\r\n";
    for (const auto& h : o.headers) req += h + "\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return req;
}

class Load {
  public:
    Load(const Options& o, const Target& t, std::string request)
        : m_opts(o), m_target(t), m_request(std::move(request)), m_conns(size_t(o.concurrency)) {
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        m_result.label = o.label;
        m_result.url = o.url;
        m_result.concurrency = o.concurrency;
        for (const auto& h : o.headers) {
            if (icontains(h, "connection:") && icontains(h, "close")) m_client_closes = true;
        }
    }

    RunResult run() {
        int64_t start = now_ns();
        m_warm_end = start + int64_t(m_opts.warmup_s * 1e9);
        m_end = m_opts.requests > 0 ? INT64_MAX : m_warm_end + int64_t(m_opts.duration_s * 1e9);
        int64_t timeout_ns = int64_t(m_opts.timeout_s * 1e9);
        // Open the connections gradually over the ramp, not in one burst: a burst of connects
        // measures the server's listen backlog, not its steady state.
        int64_t ramp_ns = int64_t(m_opts.ramp_s * 1e9);
        for (size_t i = 0; i < m_conns.size(); ++i) {
            m_conns[i].retry_at = start + ramp_ns * int64_t(i) / int64_t(m_conns.size());
            if (m_conns[i].retry_at <= start) start_request(m_conns[i], start);
        }
        epoll_event events[512];
        for (;;) {
            int n = epoll_wait(m_epoll, events, 512, 5);
            for (int i = 0; i < n; ++i) {
                Conn& c = m_conns[events[i].data.u64];
                on_event(c, events[i].events);
            }
            int64_t now = now_ns();
            if (now >= m_end) m_running = false;
            size_t busy = 0;
            for (auto& c : m_conns) {
                if (c.phase != Phase::idle) {
                    if (now - c.t_start > timeout_ns) {
                        fail(c, "timeout", now);
                    } else {
                        ++busy;
                    }
                } else if (m_running && c.retry_at <= now) {
                    start_request(c, now);
                    if (c.phase != Phase::idle) ++busy;
                } else if (m_running) {
                    ++busy;  // waiting to reconnect
                }
            }
            if (!m_running && busy == 0) break;
        }
        for (auto& c : m_conns) {
            if (c.fd >= 0) close(c.fd);
        }
        finish_result();
        return std::move(m_result);
    }

  private:
    bool may_issue() {
        if (!m_running) return false;
        if (m_opts.requests > 0 && m_issued >= m_opts.requests) {
            m_running = false;
            return false;
        }
        return true;
    }

    void watch(Conn& c, uint32_t events, int op) {
        epoll_event ev{};
        ev.events = events;
        ev.data.u64 = uint64_t(&c - m_conns.data());
        epoll_ctl(m_epoll, op, c.fd, &ev);
    }

    void start_request(Conn& c, int64_t now) {
        if (!may_issue()) return;
        ++m_issued;
        c.sent = 0;
        c.head.clear();
        c.carry.clear();
        c.error_body.clear();
        c.status = 0;
        c.close_after = false;
        c.t_first_byte = c.t_first_token = 0;
        c.chunked.reset();
        if (c.fd < 0) {
            c.fd = connect_loopback(m_target.port);
            if (c.fd < 0) return fail(c, "connect failed", now);
            c.phase = Phase::connecting;
            c.t_start = now;
            watch(c, EPOLLOUT, EPOLL_CTL_ADD);
            return;
        }
        begin_send(c, now);
    }

    void begin_send(Conn& c, int64_t now) {
        c.phase = Phase::sending;
        c.t_start = now;
        send_more(c, now);
    }

    void send_more(Conn& c, int64_t now) {
        while (c.sent < m_request.size()) {
            ssize_t put =
                send(c.fd, m_request.data() + c.sent, m_request.size() - c.sent, MSG_NOSIGNAL);
            if (put > 0) {
                c.sent += size_t(put);
                m_result.bytes_out += uint64_t(put);
            } else if (put < 0 && errno == EAGAIN) {
                watch(c, EPOLLOUT | EPOLLIN, EPOLL_CTL_MOD);
                return;
            } else if (put < 0 && errno == EINTR) {
                continue;
            } else {
                return fail(c, "send failed", now);
            }
        }
        c.phase = Phase::head;
        watch(c, EPOLLIN, EPOLL_CTL_MOD);
    }

    void on_event(Conn& c, uint32_t events) {
        int64_t now = now_ns();
        if (c.phase == Phase::connecting) {
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0 || (events & (EPOLLERR | EPOLLHUP))) return fail(c, "connect failed", now);
            return begin_send(c, now);
        }
        if (c.phase == Phase::sending && (events & EPOLLOUT)) send_more(c, now);
        if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
        if (c.phase == Phase::idle) {  // e.g. the server closed a keep-alive connection
            char probe[512];
            ssize_t got = read(c.fd, probe, sizeof probe);
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
                close(c.fd);
                c.fd = -1;
            }
            return;
        }
        char buf[65536];
        for (;;) {
            ssize_t got = read(c.fd, buf, sizeof buf);
            if (got > 0) {
                m_result.bytes_in += uint64_t(got);
                if (!consume(c, buf, size_t(got), now)) {
                    if (c.phase == Phase::idle && c.retry_at == 0) start_request(c, now);
                    return;
                }
                if (size_t(got) < sizeof buf) return;
            } else if (got == 0) {
                if (c.phase != Phase::body_eof)
                    return fail(c, "connection closed mid-response", now);
                complete(c, now);
                return start_request(c, now);
            } else if (errno == EAGAIN || errno == EINTR) {
                return;
            } else {
                return fail(c, "read failed", now);
            }
        }
    }

    // Feeds response bytes; false once the connection was completed or failed (stop reading).
    bool consume(Conn& c, const char* p, size_t n, int64_t now) {
        while (n > 0) {
            switch (c.phase) {
                case Phase::head: {
                    size_t old = c.head.size();
                    c.head.append(p, n);
                    size_t end = c.head.find("\r\n\r\n", old < 3 ? 0 : old - 3);
                    if (end == std::string::npos) return true;
                    size_t used = end + 4 - old;
                    p += used;
                    n -= used;
                    if (!parse_head(c, std::string_view(c.head).substr(0, end + 2), now)) {
                        return false;
                    }
                    if (c.phase == Phase::idle) return false;  // completed (no body)
                    break;
                }
                case Phase::body_length: {
                    size_t take = n < c.remaining ? n : size_t(c.remaining);
                    on_body(c, p, take, now);
                    p += take;
                    n -= take;
                    c.remaining -= take;
                    if (c.remaining == 0) {
                        complete(c, now);
                        return false;
                    }
                    break;
                }
                case Phase::body_chunked: {
                    long used = c.chunked.feed(
                        p, n, [&](const char* d, size_t len) { on_body(c, d, len, now); });
                    if (used < 0) {
                        fail(c, "bad chunked framing", now);
                        return false;
                    }
                    p += used;
                    n -= size_t(used);
                    if (c.chunked.done()) {
                        complete(c, now);
                        return false;
                    }
                    break;
                }
                case Phase::body_eof:
                    on_body(c, p, n, now);
                    return true;
                default:
                    fail(c, "unexpected bytes", now);
                    return false;
            }
        }
        return true;
    }

    bool parse_head(Conn& c, std::string_view head, int64_t now) {
        if (head.size() < 12 || head.substr(0, 5) != "HTTP/") {
            fail(c, "bad status line", now);
            return false;
        }
        c.status = std::atoi(std::string(head.substr(9, 3)).c_str());
        if (c.status >= 100 && c.status < 200) {  // 100 Continue: the real head follows
            c.head.clear();
            c.phase = Phase::head;
            return true;
        }
        auto conn = header_value(head, "connection");
        c.close_after = m_client_closes || (conn && iequals(*conn, "close"));
        auto te = header_value(head, "transfer-encoding");
        auto cl = header_value(head, "content-length");
        if (te && icontains(*te, "chunked")) {
            c.phase = Phase::body_chunked;
        } else if (cl) {
            c.remaining = std::strtoull(std::string(*cl).c_str(), nullptr, 10);
            c.phase = Phase::body_length;
            if (c.remaining == 0) complete(c, now);
        } else if (c.status == 204 || c.status == 304) {
            complete(c, now);
        } else {
            c.phase = Phase::body_eof;
            c.close_after = true;
        }
        return true;
    }

    void on_body(Conn& c, const char* p, size_t n, int64_t now) {
        if (n == 0) return;
        if (c.t_first_byte == 0) c.t_first_byte = now;
        if (c.status < 200 || c.status > 299) {
            if (c.error_body.size() < 300)
                c.error_body.append(p, std::min(n, 300 - c.error_body.size()));
        }
        if (c.t_first_token != 0) return;
        const std::string& m = m_opts.marker;
        std::string_view piece(p, n);
        if (!c.carry.empty()) {
            std::string joined = c.carry + std::string(piece.substr(0, m.size() - 1));
            if (joined.find(m) != std::string::npos) {
                c.t_first_token = now;
                return;
            }
        }
        if (piece.find(m) != std::string_view::npos) {
            c.t_first_token = now;
            return;
        }
        c.carry += piece.substr(piece.size() > m.size() ? piece.size() - m.size() : 0);
        if (c.carry.size() > m.size()) c.carry.erase(0, c.carry.size() - m.size());
    }

    void complete(Conn& c, int64_t now) {
        bool measured = c.t_start >= m_warm_end;
        if (measured) {
            RunResult& r = m_result;
            ++r.responses;
            ++r.statuses[c.status];
            if (c.status < 200 || c.status > 299) {
                ++r.non_2xx;
                if (r.first_error.empty()) {
                    r.first_error = "HTTP " + std::to_string(c.status) + ": " + c.error_body;
                }
            }
            int64_t first_byte = c.t_first_byte ? c.t_first_byte : now;
            int64_t first_token = c.t_first_token ? c.t_first_token : first_byte;
            r.latency_us.push_back(uint32_t((now - c.t_start) / 1000));
            r.ttfb_us.push_back(uint32_t((first_byte - c.t_start) / 1000));
            r.ttft_us.push_back(uint32_t((first_token - c.t_start) / 1000));
            if (c.measured == 0) c.first_measured_start = c.t_start;
            c.last_measured_end = now;
            ++c.measured;
            if (m_first_measured == 0 || c.t_start < m_first_measured) m_first_measured = c.t_start;
            m_last_end = now;
        }
        c.phase = Phase::idle;
        c.retry_at = 0;
        if (c.close_after) {
            close(c.fd);
            c.fd = -1;
        }
    }

    void fail(Conn& c, const char* what, int64_t now) {
        if (c.t_start >= m_warm_end) {
            ++m_result.transport_errors;
            if (m_result.first_error.empty()) m_result.first_error = what;
        }
        if (c.fd >= 0) close(c.fd);
        c.fd = -1;
        c.phase = Phase::idle;
        c.retry_at = now + 10'000'000;  // 10 ms: do not spin on a refused port
    }

    void finish_result() {
        RunResult& r = m_result;
        // Closed loop: each connection's rate is its requests over its own busy span; the
        // sum is the throughput, unbiased by when connections happen to start or end.
        for (const auto& c : m_conns) {
            int64_t span = c.last_measured_end - c.first_measured_start;
            if (c.measured > 0 && span > 0) r.rps += double(c.measured) * 1e9 / double(span);
        }
        r.window_s =
            m_last_end > m_first_measured ? double(m_last_end - m_first_measured) / 1e9 : 0;
    }

    const Options& m_opts;
    Target m_target;
    std::string m_request;
    std::vector<Conn> m_conns;
    int m_epoll = -1;
    bool m_running = true;
    bool m_client_closes = false;  // the request says "Connection: close"
    long long m_issued = 0;
    int64_t m_warm_end = 0, m_end = 0;
    int64_t m_first_measured = 0, m_last_end = 0;
    RunResult m_result;
};

}  // namespace
}  // namespace otari::bench

int main(int argc, char** argv) {
    using namespace otari::bench;
    Options opts = parse(argc, argv);
    Target target = parse_url(opts.url);
    std::string request = build_request(opts, target);
    RunResult result = Load(opts, target, std::move(request)).run();
    if (!opts.quiet) print_human(result);
    std::string line = json_line(result);
    std::printf("%s\n", line.c_str());
    if (!opts.json_out.empty()) {
        std::ofstream out(opts.json_out, std::ios::app);
        out << line << "\n";
    }
    return 0;
}
