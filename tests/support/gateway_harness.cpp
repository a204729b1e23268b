#include "support/gateway_harness.hpp"

#include "auth/keystore.hpp"
#include "support/scratch.hpp"

namespace otari::test {

GatewayHarness::GatewayHarness(const std::string& toml, bool allow_user_mismatch) {
    auto dir = scratch_dir("gateway");
    // A config that names its own data_dir (a restart test) keeps it.
    std::string text = toml.rfind("data_dir", 0) == 0 ? toml : "data_dir = \"" + dir.string() + "\"\n" + toml;
    m_config = config::parse(text, "test.toml");
    m_config.port = 0;
    auth::KeyFile keys(m_config.data_dir);
    bool have_tester = false;
    for (const auto& key : keys.load()) have_tester = have_tester || key.name == "tester";
    if (!have_tester) m_token = keys.create("tester", "tester", allow_user_mismatch);
    m_gateway = app::make_gateway(m_config, [this](const gateway::CallRecord& r) {
        std::unique_lock lock(m_mutex);
        if (m_hold) {
            ++m_held;
            m_cv.notify_all();
            m_cv.wait(lock, [&] { return !m_hold; });
            --m_held;
        }
        m_records.push_back(r);
        m_cv.notify_all();
    });
    m_server = std::make_unique<server::Server>(app::server_options(m_config), app::gateway_routes(*m_gateway.context));
    m_server->bind();
    m_thread = std::thread([this] { m_server->run(); });
}

GatewayHarness::~GatewayHarness() {
    release_records();
    m_server->begin_shutdown();
    if (m_thread.joinable()) m_thread.join();
}

void GatewayHarness::hold_records() {
    std::lock_guard lock(m_mutex);
    m_hold = true;
}

void GatewayHarness::release_records() {
    std::lock_guard lock(m_mutex);
    m_hold = false;
    m_cv.notify_all();
}

bool GatewayHarness::wait_held_records(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_cv.wait_for(lock, timeout, [&] { return m_held >= n; });
}

std::vector<gateway::CallRecord> GatewayHarness::records() {
    std::lock_guard lock(m_mutex);
    return m_records;
}

bool GatewayHarness::wait_records(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_cv.wait_for(lock, timeout, [&] { return m_records.size() >= n; });
}

std::string messages_body(const std::string& model, bool stream, const std::string& extra_fields) {
    std::string body = R"({"model":")" + model + R"(","max_tokens":64,"messages":[{"role":"user","content":"Say hi"}])";
    if (stream) body += R"(,"stream":true)";
    if (!extra_fields.empty()) body += "," + extra_fields;
    body += "}";
    return body;
}

}  // namespace otari::test
