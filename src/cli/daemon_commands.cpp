// otari status   whether the background gateway runs, its URL, pid, start time, today's spend
//   Exit 0 when running, 3 when not.
// otari down     SIGTERM the background gateway and wait for it to drain and exit
//   Exit 0 when it stopped or was not running, 1 when it would not stop.
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/daemon.hpp"
#include "config/config.hpp"
#include "ledger/money.hpp"
#include "ledger/reader.hpp"
#include "upstream/port_probe.hpp"

namespace otari::cli {
namespace {

inline constexpr int k_exit_not_running = 3;
constexpr auto k_stop_timeout = std::chrono::seconds(25);  // the gateway drains for up to 20 s

// Split "http://HOST:PORT" (HOST may be "[v6]"); false when malformed.
bool split_url(const std::string& url, std::string& host, int& port) {
    auto parts = upstream::url_host_port(url);
    if (!parts) return false;
    host = parts->host;
    try {
        port = std::stoi(parts->port);
    } catch (const std::exception&) {
        return false;
    }
    return true;
}

std::string local_time(std::time_t t) {
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", &tm);
    return buf;
}

// Today's (UTC day) spend and request count from the ledger; prints nothing when the config
// cannot be loaded.
void print_today(const GlobalOptions& global) {
    config::Config config;
    try {
        config = config::load(config::locate(global.config_path));
    } catch (const config::ConfigError&) {
        return;
    }
    std::string today = util::format_utc_date(util::Clock::now());
    int64_t micro = 0;
    size_t requests = 0;
    try {
        ledger::for_each_record(ledger::ledger_path(config.data_dir),
                                [&](const ledger::LedgerRecord& r) {
                                    if (util::format_utc_date(r.ts) != today) return;
                                    ++requests;
                                    micro += r.cost_micro_usd.value_or(0);
                                });
    } catch (const std::exception& e) {
        std::cout << "  today:   ledger unreadable (" << e.what() << ")\n";
        return;
    }
    std::cout << "  today:   " << ledger::format_usd(micro) << " over " << requests
              << " request(s) (UTC day " << today << ")\n";
}

int run_status(const GlobalOptions& global) {
    DaemonFiles files = daemon_files();
    DaemonInfo info = probe_daemon(files);
    std::string host;
    int port = 0;
    if (!info.running || !split_url(info.url, host, port)) {
        std::cout << "otari is not running\n";
        return k_exit_not_running;
    }
    bool healthy = health_answers(host, port, 2000);
    std::cout << "otari is running" << (healthy ? "" : " but /health does not answer") << "\n";
    std::cout << "  url:     " << info.url << "\n";
    std::cout << "  pid:     " << info.pid << "\n";
    struct stat st {};
    if (::stat(files.pidfile.c_str(), &st) == 0)
        std::cout << "  since:   " << local_time(st.st_mtime) << "\n";
    std::cout << "  log:     " << files.logfile.string() << "\n";
    print_today(global);
    return healthy ? k_exit_ok : k_exit_not_running;
}

int run_down() {
    DaemonFiles files = daemon_files();
    DaemonInfo info = probe_daemon(files);
    if (!info.running) {
        std::cout << "otari is not running\n";
        return k_exit_ok;
    }
    if (info.pid <= 0 || ::kill(info.pid, SIGTERM) != 0) {
        print_error("cannot signal otari (pid " + std::to_string(info.pid) + ")");
        return k_exit_failure;
    }
    std::cout << "stopping otari (pid " << info.pid << ")...\n" << std::flush;
    auto deadline = std::chrono::steady_clock::now() + k_stop_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!probe_daemon(files).running) {
            std::cout << "otari stopped\n";
            return k_exit_ok;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    print_error("otari (pid " + std::to_string(info.pid) + ") did not exit within 25 s");
    return k_exit_failure;
}

}  // namespace

Runner add_status(CLI::App& app, GlobalOptions& global) {
    app.add_subcommand("status", "Show whether the background gateway runs, and today's spend");
    return [&global] { return run_status(global); };
}

Runner add_down(CLI::App& app, GlobalOptions&) {
    app.add_subcommand("down", "Stop the background gateway (started with `otari up --detach`)");
    return [] { return run_down(); };
}

}  // namespace otari::cli
