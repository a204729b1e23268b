#pragma once
#include <string>

namespace otari::server {

// Whether the client of the request being handled on this thread is still connected, before
// the response has started (cpp-httplib 0.11.4 offers no way to ask at that point). The socket
// is found once, lazily, by its address pair, then probed with a non-blocking MSG_PEEK.
class ClientSocketProbe {
public:
    ClientSocketProbe(std::string remote_addr, int remote_port, int local_port)
        : m_remote_addr(std::move(remote_addr)), m_remote_port(remote_port), m_local_port(local_port) {}
    bool alive();
    // The socket is known (the connection loop is ours): no lookup.
    void set_socket(int fd) { m_fd = fd; }

  private:
    int find_socket() const;
    std::string m_remote_addr;
    int m_remote_port;
    int m_local_port;
    int m_fd = -2;  // -2: not looked up yet; -1: not found (assume alive)
};

}  // namespace otari::server
