#include "cli/daemon.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "util/paths.hpp"
#include "util/tcp_connect.hpp"

namespace otari::cli {
namespace {

constexpr int k_start_timeout_ms = 10000;
constexpr int k_tail_lines = 20;

// Read "PID\nURL\n" from an open pidfile.
void read_pidfile(int fd, DaemonInfo& info) {
    char buf[512];
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return;
    buf[n] = '\0';
    std::string text(buf);
    size_t nl = text.find('\n');
    try {
        info.pid = static_cast<pid_t>(std::stol(text.substr(0, nl)));
    } catch (const std::exception&) {
        info.pid = 0;
    }
    if (nl != std::string::npos) {
        size_t end = text.find('\n', nl + 1);
        info.url = text.substr(nl + 1, end == std::string::npos ? std::string::npos : end - nl - 1);
    }
}

void print_log_tail(const std::filesystem::path& log) {
    std::ifstream in(log);
    std::deque<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
        if (lines.size() > k_tail_lines) lines.pop_front();
    }
    std::cerr << "last lines of " << log.string() << ":\n";
    for (const auto& line : lines) std::cerr << "  " << line << "\n";
}

// In the child: new session, standard streams redirected. False (errno set) on failure.
bool become_daemon(const std::filesystem::path& log) {
    if (::setsid() < 0) return false;
    int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    int out = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (in < 0 || out < 0) return false;
    if (::dup2(in, STDIN_FILENO) < 0 || ::dup2(out, STDOUT_FILENO) < 0 ||
        ::dup2(out, STDERR_FILENO) < 0)
        return false;
    ::close(in);
    ::close(out);
    return true;
}

}  // namespace

DaemonFiles daemon_files() {
    DaemonFiles files;
    files.dir = util::xdg_state_home() / "otari";
    files.pidfile = files.dir / "otari.pid";
    files.logfile = files.dir / "otari.log";
    return files;
}

DaemonInfo probe_daemon(const DaemonFiles& files) {
    DaemonInfo info;
    int fd = ::open(files.pidfile.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return info;
    // A shared probe fails exactly when the daemon holds its exclusive lock.
    if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
        ::flock(fd, LOCK_UN);
    } else if (errno == EWOULDBLOCK) {
        info.running = true;
        read_pidfile(fd, info);
    }
    ::close(fd);
    return info;
}

std::string reachable_host(const std::string& host) {
    if (host.empty() || host == "0.0.0.0") return "127.0.0.1";
    if (host == "::" || host == "[::]") return "::1";
    return host;
}

std::string host_and_port(const std::string& host, int port) {
    bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string gateway_url(const std::string& host, int port) {
    return "http://" + host_and_port(host, port);
}

bool health_answers(const std::string& host, int port, int timeout_ms) {
    const std::string target = reachable_host(host);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    // An address that connects but does not answer 200 (another server, or ours not ready on
    // that family) moves on to the next one.
    return util::with_tcp_connection(target, std::to_string(port), deadline, [&](int fd) {
        auto left = std::chrono::duration_cast<std::chrono::microseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() < 1000) left = std::chrono::microseconds(1000);
        timeval tv{static_cast<time_t>(left.count() / 1000000),
                   static_cast<suseconds_t>(left.count() % 1000000)};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        std::string req = "GET /health HTTP/1.0\r\nHost: " + host_and_port(target, port) +
                          "\r\nConnection: close\r\n\r\n";
        if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size()))
            return false;
        char buf[64] = {};
        ssize_t got = 0;
        while (got < 12) {
            ssize_t n = ::recv(fd, buf + got, sizeof buf - 1 - static_cast<size_t>(got), 0);
            if (n <= 0) break;
            got += n;
        }
        // "HTTP/1.x 200"
        return got >= 12 && std::strncmp(buf, "HTTP/1.", 7) == 0 &&
               std::strncmp(buf + 8, " 200", 4) == 0;
    });
}

int detach_gateway(const std::string& host, int port) {
    DaemonFiles files = daemon_files();
    try {
        util::ensure_private_dir(files.dir);
    } catch (const std::exception& e) {
        print_error(e.what());
        return k_exit_failure;
    }
    int fd = ::open(files.pidfile.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        print_error(files.pidfile.string() + ": " + std::strerror(errno));
        return k_exit_failure;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        DaemonInfo info;
        read_pidfile(fd, info);
        ::close(fd);
        print_error("otari is already running (pid " + std::to_string(info.pid) +
                    "); stop it with `otari down`");
        return k_exit_failure;
    }
    std::cout.flush();
    std::cerr.flush();
    pid_t child = ::fork();
    if (child < 0) {
        print_error(std::string("fork: ") + std::strerror(errno));
        ::close(fd);
        return k_exit_failure;
    }
    std::string url = gateway_url(host, port);
    if (child == 0) {
        // The lock lives on the open file description we inherited; keep `fd` open for life.
        if (!become_daemon(files.logfile)) std::_Exit(k_exit_failure);
        std::string content = std::to_string(::getpid()) + "\n" + url + "\n";
        if (::ftruncate(fd, 0) != 0 ||
            ::pwrite(fd, content.data(), content.size(), 0) != static_cast<ssize_t>(content.size()))
            std::_Exit(k_exit_failure);
        return -1;
    }
    ::close(fd);  // the child's copy keeps the lock

    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(k_start_timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(child, &status, WNOHANG) == child) {
            print_error("otari exited during startup" +
                        (WIFEXITED(status) ? " with status " + std::to_string(WEXITSTATUS(status))
                                           : std::string()));
            print_log_tail(files.logfile);
            return k_exit_failure;
        }
        if (health_answers(host, port, 500)) {
            std::cout << "otari running on " << url << " (pid " << child << ")\n"
                      << "  log: " << files.logfile.string() << "\n";
            return k_exit_ok;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    print_error("otari did not answer " + url + "/health within 10 s (pid " +
                std::to_string(child) + " still running; stop it with `otari down`)");
    print_log_tail(files.logfile);
    return k_exit_failure;
}

}  // namespace otari::cli
