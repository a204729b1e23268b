#include "server/server.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <thread>

#include "server/client_socket.hpp"
#include "server/client_stream.hpp"
#include "server/elastic_pool.hpp"
#include "server/fiber_pool.hpp"
#include "util/log.hpp"
#include "util/random.hpp"

namespace otari::server {

bool is_loopback_host(const std::string& host) {
    return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

bool is_loopback_host_header(std::string_view host) {
    // Strip the port: "[::1]:8000" -> "[::1]", "localhost:8000" -> "localhost".
    if (!host.empty() && host.front() == '[') {
        size_t close = host.find(']');
        if (close == std::string_view::npos) return false;
        std::string_view rest = host.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') return false;
        return host.substr(0, close + 1) == "[::1]";
    }
    size_t colon = host.find(':');
    std::string_view name = host.substr(0, colon);
    if (colon != std::string_view::npos) {
        std::string_view port = host.substr(colon + 1);
        if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos)
            return false;
    }
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.size() == 9) {
        std::string lower;
        for (char c : name) lower.push_back(char(std::tolower(static_cast<unsigned char>(c))));
        if (lower == "localhost") return true;
    }
    // 127.0.0.0/8 as a dotted quad.
    if (name.rfind("127.", 0) != 0) return false;
    int dots = 0;
    for (char c : name) {
        if (c == '.') {
            ++dots;
        } else if (c < '0' || c > '9') {
            return false;
        }
    }
    return dots == 3;
}

// httplib::Server with access to its listening socket, so shutdown can stop accepting without
// cutting the streams in flight (Server::stop() would end them at their next chunk).
class ListeningServer : public httplib::Server {
  public:
    // The library listens with a backlog of 5 (compiled into Debian's build), so a burst of
    // connections overflows the accept queue. Listening again on the bound socket raises it.
    void raise_backlog(int backlog) {
        socket_t sock = svr_sock_.load();
        if (sock != INVALID_SOCKET) ::listen(sock, backlog);
    }
    void stop_accepting() {
        socket_t sock = svr_sock_.load();
        if (sock != INVALID_SOCKET) ::shutdown(sock, SHUT_RDWR);
    }

  private:
    // The library's connection loop, on a ClientStream: the same keep-alive rules (up to
    // keep_alive_max_count requests, keep_alive_timeout between them, none once the server
    // stopped), but each response leaves in one flush instead of a poll-poll-send per piece,
    // and the wait between requests is one poll instead of 10 ms polls with 1 ms sleeps.
    bool process_and_close_socket(socket_t sock) override {
        bool ret = false;
        {
            ClientStream stream(sock, read_timeout_sec_, read_timeout_usec_, write_timeout_sec_,
                                write_timeout_usec_);
            set_current_client_stream(&stream);
            for (size_t left = keep_alive_max_count_; svr_sock_ != INVALID_SOCKET && left > 0 &&
                                                      stream.wait_request(keep_alive_timeout_sec_);
                 --left) {
                bool connection_closed = false;
                ret = process_request(stream, left == 1, connection_closed, nullptr);
                if (!stream.flush()) ret = false;
                if (!ret || connection_closed) break;
            }
            set_current_client_stream(nullptr);
        }
        ::shutdown(sock, SHUT_RDWR);
        ::close(sock);
        return ret;
    }
};

class Server::Impl {
  public:
    ListeningServer http;
};

namespace {

constexpr int k_listen_backlog = 1024;

api::Flavor flavor_for_path(const std::string& path) {
    return path.rfind("/v1/chat/", 0) == 0 || path.rfind("/v1/completions", 0) == 0
               ? api::Flavor::openai
               : api::Flavor::anthropic;
}

void fill_error(api::Flavor flavor, int status, const std::string& message,
                const std::string& request_id, httplib::Response& res) {
    api::ApiError error(status, api::anthropic_type_for_status(status), message);
    auto out = api::error_response(flavor, error, request_id);
    res.status = status;
    res.set_content(out.body, "application/json");
}

// httplib reads a body in 4 KB pieces appended to `req.body`, which this runs before: with
// the announced length reserved, a large body is not copied each time the string regrows.
// Capped, so a length announced but never sent holds little; bodies over the limit get 413.
void reserve_announced_body(const httplib::Request& req, std::string_view content_length,
                            size_t max_body) {
    constexpr size_t k_max_reserve = 1024 * 1024;
    size_t length = 0;
    const char* end = content_length.data() + content_length.size();
    auto [stop, ec] = std::from_chars(content_length.data(), end, length);
    if (ec != std::errc() || stop != end || length > max_body) return;
    // The body is the handler's once routed (it is moved out there), so it may be shaped here.
    const_cast<httplib::Request&>(req).body.reserve(std::min(length, k_max_reserve));
}

// The first Host and Content-Length headers, found in one pass (httplib's own lookups fold
// case character by character through its map).
struct PreRoutingHeaders {
    const std::string* host = nullptr;
    std::string_view content_length;
};

PreRoutingHeaders pre_routing_headers(const httplib::Request& req) {
    PreRoutingHeaders found;
    bool have_length = false;
    for (const auto& [name, value] : req.headers) {
        if (found.host == nullptr && http::iequals(name, "Host")) {
            found.host = &value;
        } else if (!have_length && http::iequals(name, "Content-Length")) {
            found.content_length = value;
            have_length = true;
        }
    }
    return found;
}

std::string request_id_of(const httplib::Response& res) {
    return res.has_header("request-id") ? res.get_header_value("request-id")
                                        : util::new_request_id();
}

}  // namespace

Server::Server(Options options, std::vector<Route> routes)
    : m_impl(std::make_unique<Impl>()), m_options(std::move(options)) {
    auto& svr = m_impl->http;
    // Debian's 0.11.4 sets SO_REUSEPORT by default, which lets a second gateway bind the same
    // port and steal half the requests. SO_REUSEADDR alone keeps the bind exclusive.
    svr.set_socket_options([](socket_t sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    svr.set_payload_max_length(m_options.max_body_bytes);
    svr.set_keep_alive_max_count(100000);
    svr.set_keep_alive_timeout(5);
    svr.set_read_timeout(30);
    svr.set_write_timeout(30);
    svr.set_tcp_nodelay(true);
    size_t max_threads = m_options.max_threads;
    auto idle = m_options.thread_idle_timeout;
    if (m_options.io == Options::Io::threads) {
        svr.new_task_queue = [max_threads, idle] { return new ElasticPool(max_threads, idle); };
    } else {
        size_t loops = m_options.loops;
        svr.new_task_queue = [loops, idle] {
            return new FiberPool(loops, idle, ElasticPool::release_free_memory);
        };
    }

    const bool check_host = is_loopback_host(m_options.host);
    const size_t max_body = m_options.max_body_bytes;
    svr.set_pre_routing_handler([check_host, max_body](const httplib::Request& req,
                                                       httplib::Response& res) {
        res.set_header("request-id", util::new_request_id());
        const PreRoutingHeaders headers = pre_routing_headers(req);
        if (check_host && headers.host != nullptr && !is_loopback_host_header(*headers.host)) {
            fill_error(flavor_for_path(req.path), 403,
                       "Host \"" + *headers.host +
                           "\" is not a loopback name; otari on loopback answers only localhost, "
                           "127.0.0.1 and [::1]",
                       request_id_of(res), res);
            return httplib::Server::HandlerResponse::Handled;
        }
        reserve_announced_body(req, headers.content_length, max_body);
        return httplib::Server::HandlerResponse::Unhandled;
    });
    svr.set_error_handler(httplib::Server::HandlerWithResponse(
        [](const httplib::Request& req, httplib::Response& res) {
            if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
            std::string message;
            switch (res.status) {
                case 404:
                    message = "no such endpoint: " + req.method + " " + req.path;
                    break;
                case 405:
                    message = "method " + req.method + " is not allowed on " + req.path;
                    break;
                case 413:
                    message = "request body is larger than 32 MiB";
                    break;
                default:
                    message = "bad request";
                    break;
            }
            fill_error(flavor_for_path(req.path), res.status, message, request_id_of(res), res);
            return httplib::Server::HandlerResponse::Handled;
        }));
    svr.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
            std::string what = "internal error";
            try {
                if (ep) std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                what = std::string("internal error: ") + e.what();
            } catch (...) {
            }
            LOG_ERROR("%s %s: %s", req.method.c_str(), req.path.c_str(), what.c_str());
            fill_error(flavor_for_path(req.path), 500, what, request_id_of(res), res);
        });

    for (auto& route : routes) {
        auto handler = [this, route](const httplib::Request& hreq, httplib::Response& hres) {
            ++m_in_flight;
            http::Request req;
            req.method = hreq.method;
            req.path = hreq.path;
            req.remote_addr = hreq.remote_addr;
            req.request_id = request_id_of(hres);
            for (const auto& [name, value] : hreq.headers) req.headers.add(name, value);
            // The body is ours once routed; moving it saves a copy of up to 32 MiB.
            req.body = std::move(const_cast<httplib::Request&>(hreq).body);
            ClientSocketProbe socket_probe(hreq.remote_addr, hreq.remote_port, hreq.local_port);
            if (ClientStream* client = current_client_stream())
                socket_probe.set_socket(client->socket());
            http::ClientProbe probe = [&socket_probe] { return socket_probe.alive(); };

            http::Response res;
            try {
                res = route.handler(req, probe);
            } catch (const api::ApiError& e) {
                res = api::error_response(route.flavor, e, req.request_id);
            } catch (const std::exception& e) {
                LOG_ERROR("%s %s: %s", req.method.c_str(), req.path.c_str(), e.what());
                res = api::error_response(
                    route.flavor,
                    api::ApiError(500, "api_error", std::string("internal error: ") + e.what()),
                    req.request_id);
            }
            hres.status = res.status;
            for (const auto& [name, value] : res.headers.items())
                hres.set_header(name.c_str(), value);
            if (!res.stream) {
                hres.set_content(std::move(res.body), res.content_type.c_str());
                --m_in_flight;
                return;
            }
            std::shared_ptr<http::BodyStream> stream(std::move(res.stream));
            // The stream's own (next() may wait, and fibers of one thread share thread_locals),
            // reused by it: its capacity outlives one event batch.
            auto out_buffer = std::make_shared<std::string>();
            hres.set_chunked_content_provider(
                res.content_type,
                [this, stream, out_buffer](size_t, httplib::DataSink& sink) {
                    ClientStream* client = current_client_stream();
                    // Nothing written may wait on the upstream: send it first unless the
                    // stream has its next bytes at hand (the head, on the first call).
                    if (client && !stream->ready() && !client->flush()) return false;
                    std::string& out = *out_buffer;
                    if (out.capacity() > 256 * 1024) std::string().swap(out);
                    out.clear();
                    http::ClientProbe alive = [&sink] { return sink.is_writable(); };
                    bool more = stream->next(out, alive);
                    // An empty write would end the body early in this httplib version.
                    if (!out.empty() && !sink.write(out.data(), out.size())) return false;
                    if (!more) {
                        // The terminator leaves with the last bytes, after the call is recorded
                        // (ledger, trace: the releaser below runs first), so a client cannot
                        // finish reading before its call is in the ledger.
                        sink.done();
                        return true;
                    }
                    // When the stream's next bytes are at hand and other requests are in
                    // flight, these leave together with them (one send instead of two). The
                    // only request in flight sends now: its next bytes may come only after the
                    // call's bookkeeping (a translated stream's final event, see
                    // TranslatedStream::end_stream).
                    const bool others = m_in_flight.load(std::memory_order_relaxed) > 1;
                    if (stream->ready() && others) return true;
                    return !client || client->flush();
                },
                [this, stream](bool success) {
                    stream->close(!success);
                    --m_in_flight;
                });
        };
        if (route.method == "GET") {
            m_impl->http.Get(route.path, handler);
        } else {
            m_impl->http.Post(route.path, handler);
        }
    }
}

Server::~Server() {
    if (running()) {
        begin_shutdown();
    }
}

void Server::bind() {
    auto& svr = m_impl->http;
    if (m_options.port == 0) {
        m_port = svr.bind_to_any_port(m_options.host);
        if (m_port < 0) throw BindError("cannot listen on " + m_options.host + ": no free port");
        svr.raise_backlog(k_listen_backlog);
        return;
    }
    if (!svr.bind_to_port(m_options.host, m_options.port)) {
        // Find out why with a plain socket, for a message the user can act on.
        int fd = ::socket(m_options.host.find(':') != std::string::npos ? AF_INET6 : AF_INET,
                          SOCK_STREAM, 0);
        int err = 0;
        if (fd >= 0) {
            sockaddr_in addr{};
            addr.sin_family = AF_INET;
            addr.sin_port = htons(uint16_t(m_options.port));
            addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) err = errno;
            ::close(fd);
        }
        std::string where = m_options.host + ":" + std::to_string(m_options.port);
        if (err == EACCES)
            throw BindError("cannot listen on " + where +
                            ": permission denied (ports below 1024 need privileges)");
        throw BindError("cannot listen on " + where +
                        ": the port is already in use (is another otari running? try `port =` in "
                        "the config or --port)");
    }
    m_port = m_options.port;
    svr.raise_backlog(k_listen_backlog);
}

void Server::run() { m_impl->http.listen_after_bind(); }

void Server::begin_shutdown() { m_impl->http.stop_accepting(); }

bool Server::running() const { return m_impl->http.is_running(); }

bool Server::wait_drained(std::chrono::milliseconds grace) {
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (m_in_flight.load() > 0) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

}  // namespace otari::server
