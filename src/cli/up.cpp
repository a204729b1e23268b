// otari up [--port N] [--host ADDR] [--log-level LEVEL] [--json-logs] [--detach]
//   Run the gateway in the foreground until SIGINT/SIGTERM; with --detach, in the background
//   (see cli/daemon.hpp).
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <thread>

#include "api/context.hpp"
#include "app/gateway_app.hpp"
#include "cli/commands.hpp"
#include "cli/daemon.hpp"
#include "config/config.hpp"
#include "otari_version.h"
#include "server/server.hpp"
#include "upstream/port_probe.hpp"
#include "util/log.hpp"
#include "util/paths.hpp"

namespace otari::cli {
namespace {

struct UpOptions {
    std::optional<int> port;
    std::optional<std::string> host;
    std::string log_level = "info";
    bool json_logs = false;
    int grace_seconds = 20;
    bool detach = false;
};

// Blocks SIGINT/SIGTERM in every thread (call before any thread starts); a dedicated thread
// takes them with sigwait.
sigset_t block_shutdown_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return set;
}

// A keyless server (ollama, llama.cpp, vLLM... or a [providers] entry without api_key) listens at
// all. Quick, so the banner is not held up by a dead port.
bool local_server_listens(const config::Provider& provider) {
    return upstream::accepts_connections(provider.base_url, std::chrono::milliseconds(300));
}

void print_banner(const config::Config& config, const server::Server& server, const app::Gateway& parts) {
    std::string url = gateway_url(config.host, server.port());
    std::cerr << "otari " OTARI_VERSION " listening on " << url << "  (pid " << ::getpid() << ")\n";
    std::cerr << "  config:    " << config.source << "\n";
    if (parts.platform) {
        bool reachable = parts.platform->reachable();
        std::cerr << "  mode:      hybrid: the platform at " << config.platform.base_url
                  << " authorizes each call and supplies provider keys ("
                  << (reachable ? "reachable" : "NOT reachable now") << ")\n";
        std::cerr << "  ledger:    " << (config.data_dir / "ledger.jsonl").string() << "\n";
        std::cerr << "  Claude Code: ANTHROPIC_BASE_URL=" << url << " ANTHROPIC_AUTH_TOKEN=<your platform tk_ token> claude\n";
        for (const auto& w : config.warnings) LOG_WARN("%s", w.c_str());
        return;
    }
    std::cerr << "  providers: ";
    bool first = true;
    for (const auto& [name, provider] : config.providers) {
        std::cerr << (first ? "" : ", ") << name;
        if (provider.needs_key && provider.api_key.empty()) {
            std::cerr << " (no key: set " << provider.key_env << ")";
        } else if (!provider.needs_key && !local_server_listens(provider)) {
            std::cerr << " (not reachable now)";
        }
        first = false;
    }
    if (first) std::cerr << "none (set ANTHROPIC_API_KEY, OPENAI_API_KEY, ... or add [providers.NAME])";
    std::cerr << "\n";
    std::cerr << "  ledger:    " << (config.data_dir / "ledger.jsonl").string() << "  (otari usage)\n";
    std::cerr << "  keys:      " << parts.keys->size() << " (otari keys list)\n";
    std::cerr << "  Claude Code: ANTHROPIC_BASE_URL=" << url << " ANTHROPIC_AUTH_TOKEN=<otari key> claude\n";
    for (const auto& w : config.warnings) LOG_WARN("%s", w.c_str());
}

int run_up(const GlobalOptions& global, const UpOptions& opts) {
    log::Level level;
    if (!log::parse_level(opts.log_level, level)) {
        print_error("--log-level: expected error, warn, info or debug");
        return k_exit_usage;
    }
    log::set_level(level);
    log::set_json(opts.json_logs);

    auto loaded = load_config(global);
    if (!loaded) return k_exit_config;
    config::Config config = std::move(*loaded);
    if (opts.port) config.port = *opts.port;
    if (opts.host) config.host = *opts.host;
    if (!server::is_loopback_host(config.host)) {
        LOG_WARN("listening on %s: reachable from other machines; every request still needs an otari key",
                 config.host.c_str());
    }

    // Before a detach, so the first key's token reaches the terminal rather than the log.
    try {
        if (config.mode == config::Mode::standalone) app::announce_first_key(config);
    } catch (const std::exception& e) {
        print_error(e.what());
        return k_exit_failure;
    }

    if (opts.detach) {
        // Fork now: no thread may exist yet. The child goes on below.
        int rc = detach_gateway(config.host, config.port);
        if (rc >= 0) return rc;
    }

    sigset_t signals = block_shutdown_signals();

    app::Gateway parts;
    try {
        parts = app::make_gateway(config);
    } catch (const std::exception& e) {
        print_error(e.what());
        return k_exit_failure;
    }
    server::Server server(app::server_options(config), app::gateway_routes(*parts.context));
    try {
        server.bind();
    } catch (const server::BindError& e) {
        print_error(e.what());
        return k_exit_port_taken;
    }
    print_banner(config, server, parts);

    std::thread signal_thread([&server, &parts, signals, grace = opts.grace_seconds] {
        int sig = 0;
        sigwait(&signals, &sig);
        LOG_INFO("%s: no longer accepting connections; waiting up to %d s for %zu request(s) in flight",
                 sig == SIGINT ? "SIGINT" : "SIGTERM", grace, server.in_flight());
        server.begin_shutdown();
        bool drained = server.wait_drained(std::chrono::seconds(grace));
        if (!drained) LOG_WARN("grace time over with %zu request(s) still open; exiting", server.in_flight());
        if (parts.platform) parts.platform->reporter().shutdown();
        LOG_INFO("otari stopped");
        // Idle keep-alive connections would hold the server open for seconds more; every
        // record is already written (one write(2) each), so leave now.
        std::_Exit(0);
    });
    signal_thread.detach();
    server.run();
    return k_exit_ok;
}

}  // namespace

Runner add_up(CLI::App& app, GlobalOptions& global) {
    auto* cmd = app.add_subcommand("up", "Run the gateway in the foreground");
    auto opts = std::make_shared<UpOptions>();
    cmd->add_option("-p,--port", opts->port, "Port to listen on (default: port in the config, 8000)");
    cmd->add_option("--host", opts->host, "Address to listen on (default: host in the config, 127.0.0.1)");
    cmd->add_option("--log-level", opts->log_level, "error, warn, info or debug")->capture_default_str();
    cmd->add_flag("--json-logs", opts->json_logs, "Log one JSON object per line");
    cmd->add_option("--grace", opts->grace_seconds, "Seconds to let open streams finish on SIGINT/SIGTERM")
        ->capture_default_str()
        ->check(CLI::Range(0, 3600));
    cmd->add_flag("-d,--detach", opts->detach,
                  "Run in the background (log and pidfile in $XDG_STATE_HOME/otari; stop with otari down)");
    return [&global, opts] { return run_up(global, *opts); };
}

}  // namespace otari::cli
