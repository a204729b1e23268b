#pragma once
// The HTTP server: cpp-httplib behind transport-neutral types (http::Request/Response). Binds
// exclusively, refuses foreign Host headers while on loopback, caps bodies at 32 MiB, serves
// each open connection on a fiber of an event loop per CPU (or, with Io::threads, on a thread
// of its own), and drains in-flight requests on shutdown.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/error.hpp"
#include "http/message.hpp"

namespace otari::server {

struct Options {
    std::string host = "127.0.0.1";
    int port = 8000;  // 0 = any free port (tests)
    size_t max_body_bytes = 32u << 20;
    enum class Io { fibers, threads } io = Io::fibers;
    size_t loops = 0;           // Io::fibers: event loop threads (0: one per usable CPU)
    size_t max_threads = 2048;  // Io::threads
    // Io::threads: how long a spare thread idles before it exits. Io::fibers: how long a loop
    // stays without connections after a burst before it hands freed heap back.
    std::chrono::milliseconds thread_idle_timeout{10000};
};

using Handler = std::function<http::Response(http::Request&, const http::ClientProbe&)>;

struct Route {
    std::string method;  // "GET" or "POST"
    std::string path;    // exact path; the query string is ignored
    api::Flavor flavor;  // which error envelope its clients read
    Handler handler;
};

// The port cannot be bound; what() says why in words a user can act on.
struct BindError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);
// Whether a Host header value names this machine by a loopback name (localhost, 127.0.0.1,
// [::1], with or without a port).
bool is_loopback_host_header(std::string_view host_header);

class Server {
public:
    Server(Options options, std::vector<Route> routes);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Bind the listening socket (exclusively: a second gateway on the port fails). Throws BindError.
    void bind();
    int port() const { return m_port; }
    // Serve until begin_shutdown(); returns once in-flight requests are done.
    void run();
    // Stop accepting new connections; requests in flight continue.
    void begin_shutdown();
    // Wait until no request is in flight or `grace` passed; true when drained.
    bool wait_drained(std::chrono::milliseconds grace);
    size_t in_flight() const { return m_in_flight.load(); }
    bool running() const;

private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
    Options m_options;
    int m_port = -1;
    std::atomic<size_t> m_in_flight{0};
};

}  // namespace otari::server
