#pragma once
// Background mode shared by `otari up --detach`, `otari status` and `otari down`.
//
// The daemon holds an exclusive flock(2) on $XDG_STATE_HOME/otari/otari.pid for its whole
// life; the file holds "PID\nURL\n". The lock, not the file's existence, says whether it runs:
// a crashed daemon leaves a stale file but no lock.
#include <sys/types.h>

#include <filesystem>
#include <string>

namespace otari::cli {

struct DaemonFiles {
    std::filesystem::path dir;      // $XDG_STATE_HOME/otari (created 0700 on demand)
    std::filesystem::path pidfile;  // otari.pid
    std::filesystem::path logfile;  // otari.log
};
DaemonFiles daemon_files();

// What the pidfile says about a running daemon.
struct DaemonInfo {
    bool running = false;  // the lock is held by someone
    pid_t pid = 0;         // from the file; 0 when unreadable
    std::string url;       // "http://HOST:PORT" as written by the daemon
};
DaemonInfo probe_daemon(const DaemonFiles& files);

// The address a client uses for a gateway bound to `host`: a wildcard (empty, 0.0.0.0, ::,
// [::]) becomes the matching loopback address; any other host is itself.
std::string reachable_host(const std::string& host);

// "HOST:PORT" ([HOST] for IPv6), as in a URL's authority or a Host header.
std::string host_and_port(const std::string& host, int port);

// "http://HOST:PORT" ([HOST] for IPv6).
std::string gateway_url(const std::string& host, int port);

// True when GET /health on host:port answers 200 within `timeout_ms`. A wildcard host
// (0.0.0.0, ::) is probed on the matching loopback address.
bool health_answers(const std::string& host, int port, int timeout_ms);

// Fork the gateway into the background. Returns -1 in the child, which is now a session
// leader with stdin on /dev/null, stdout/stderr appended to the log and the pidfile lock held,
// and must go on to run the gateway (no threads may exist before this call). In the parent,
// waits until /health answers (exit status 0, prints URL, pid and log) or the child dies or
// 10 s pass (prints the log's tail, exit status 1); returns that exit status.
int detach_gateway(const std::string& host, int port);

}  // namespace otari::cli
