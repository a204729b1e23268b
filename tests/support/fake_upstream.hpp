#pragma once
// A real HTTP/1.1 server on an ephemeral loopback port that plays a provider: it records every
// request and answers from a script, either whole (Content-Length) or as a chunked stream of
// steps that can pause at numbered gates (so a test controls exactly when each piece leaves)
// or drop the connection. Keep-alive is supported, so connection reuse is observable.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace otari::test {

// One piece of a streamed body. `gate` >= 0: before sending anything more, wait until the test
// opens that gate. `drop`: close the connection abruptly here (no terminating chunk).
struct Step {
    std::string data;
    int gate = -1;
    bool drop = false;
};

struct Script {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;                                          // used when `steps` is empty
    std::vector<std::pair<std::string, std::string>> headers;  // extra response headers
    std::vector<Step> steps;                                   // non-empty: a chunked stream
    // Delay before the status line, to model a slow provider.
    std::chrono::milliseconds delay{0};
};

struct ReceivedRequest {
    std::string method;
    std::string path;  // including the query string
    std::map<std::string, std::string> headers;  // lower-case names; repeated ones joined by ","
    std::string body;
    int remote_port = 0;
};

class FakeUpstream {
public:
    FakeUpstream();
    ~FakeUpstream();
    FakeUpstream(const FakeUpstream&) = delete;
    FakeUpstream& operator=(const FakeUpstream&) = delete;

    int port() const { return m_port; }
    std::string url() const;  // "http://127.0.0.1:PORT"

    // The answer to every request that finds the queue empty.
    void set_script(Script script);
    // Answers used once each, in order, before the default script.
    void queue_script(Script script);
    // The same, for requests whose path starts with `path_prefix` only (a fake service with
    // several endpoints). Such requests never take the general queue or default.
    void set_script_for(const std::string& path_prefix, Script script);
    void queue_script_for(const std::string& path_prefix, Script script);
    // Requests whose path starts with `path_prefix`, and waiting for them.
    std::vector<ReceivedRequest> requests_to(const std::string& path_prefix) const;
    bool wait_requests_to(const std::string& path_prefix, size_t n, std::chrono::milliseconds timeout);

    std::vector<ReceivedRequest> requests() const;
    size_t request_count() const;
    // Wait until at least `n` requests arrived.
    bool wait_requests(size_t n, std::chrono::milliseconds timeout);

    // True once a stream is waiting at `gate`.
    bool wait_at_gate(int gate, std::chrono::milliseconds timeout);
    void open_gate(int gate);

    // Streams: wait until the last stream served ended (completed, dropped or abandoned by
    // the gateway). client_went_away(): the gateway closed the connection first.
    bool wait_stream_closed(std::chrono::milliseconds timeout);
    bool client_went_away() const;
    std::chrono::steady_clock::time_point client_gone_at() const;

private:
    void accept_loop();
    void serve_connection(int fd, int remote_port);
    bool answer(int fd, const Script& script);
    // Wait for the gate while watching the connection; false when the peer went away.
    bool wait_gate_open(int fd, int gate);
    void note_stream_end(bool peer_gone);

    int m_listen_fd = -1;
    int m_port = 0;
    std::thread m_acceptor;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_stopping = false;
    Script m_default;
    std::vector<Script> m_queue;
    struct PathScripts {
        Script fallback;
        std::vector<Script> queue;
    };
    std::map<std::string, PathScripts> m_path_scripts;
    std::vector<ReceivedRequest> m_requests;
    std::set<int> m_waiting_gates;
    std::set<int> m_open_gates;
    bool m_stream_open = false;
    int m_streams_ended = 0;
    bool m_peer_gone = false;
    std::chrono::steady_clock::time_point m_peer_gone_at;
    std::vector<std::thread> m_connections;
    std::set<int> m_connection_fds;
};

}  // namespace otari::test
