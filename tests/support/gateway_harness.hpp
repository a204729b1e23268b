#pragma once
// The gateway started in-process on an ephemeral loopback port, with its own data dir and a
// key, configured by TOML text. Every finished call's record is kept for assertions.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/gateway_app.hpp"
#include "config/config.hpp"
#include "gateway/call.hpp"
#include "server/server.hpp"

namespace otari::test {

class GatewayHarness {
public:
    // `toml` is the config file's text (data_dir is added). A key "tester" is created, bound
    // to user "tester"; `allow_user_mismatch` for it as given.
    explicit GatewayHarness(const std::string& toml, bool allow_user_mismatch = false);
    ~GatewayHarness();

    int port() const { return m_server->port(); }
    const std::string& token() const { return m_token; }
    std::string auth_header() const { return "Authorization: Bearer " + m_token; }
    const config::Config& config() const { return m_config; }
    std::filesystem::path data_dir() const { return m_config.data_dir; }

    std::vector<gateway::CallRecord> records();
    // Wait until at least `n` calls were recorded.
    bool wait_records(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    server::Server& server() { return *m_server; }
    // While held, a finished call's recording waits (on the gateway's thread) until released:
    // what a client receives before its call is recorded can be observed.
    void hold_records();
    void release_records();
    // Wait until `n` calls' recordings are waiting on the hold.
    bool wait_held_records(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  private:
    config::Config m_config;
    app::Gateway m_gateway;
    std::unique_ptr<server::Server> m_server;
    std::thread m_thread;
    std::string m_token;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<gateway::CallRecord> m_records;
    bool m_hold = false;
    size_t m_held = 0;
};

// A Messages request body.
std::string messages_body(const std::string& model, bool stream, const std::string& extra_fields = "");

}  // namespace otari::test
