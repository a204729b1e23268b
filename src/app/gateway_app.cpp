#include "app/gateway_app.hpp"

#include <iostream>

#include "ledger/money.hpp"
#include "util/log.hpp"
#include "util/paths.hpp"

namespace otari::app {
namespace {

void log_call(const gateway::CallRecord& r, std::optional<int64_t> cost_micro_usd) {
    if (!log::enabled(log::Level::info)) return;
    std::string model = r.model_requested.empty() ? "-" : r.model_requested;
    std::string cost = cost_micro_usd ? ledger::format_usd(*cost_micro_usd) : "-";
    std::string status = log::paint(std::to_string(r.http_status), r.ok ? log::Paint::green
                                                                   : r.http_status >= 500 ? log::Paint::red
                                                                                          : log::Paint::yellow);
    if (r.ok) {
        LOG_INFO("%s %s key=%s model=%s status=%s in=%lld out=%lld cost=%s %.0fms%s", r.request_id.c_str(),
                 r.endpoint.c_str(), r.key.empty() ? "-" : r.key.c_str(), model.c_str(), status.c_str(),
                 (long long)r.usage.input_tokens, (long long)r.usage.output_tokens, cost.c_str(), r.latency_ms,
                 r.usage_source == gateway::UsageSource::estimated ? " (estimated)" : "");
    } else {
        LOG_INFO("%s %s key=%s model=%s status=%s error=\"%s\" %.0fms", r.request_id.c_str(), r.endpoint.c_str(),
                 r.key.empty() ? "-" : r.key.c_str(), model.c_str(), status.c_str(), r.error.c_str(), r.latency_ms);
    }
}

}  // namespace

Gateway make_gateway(const config::Config& config, gateway::Recorder extra_recorder) {
    util::ensure_private_dir(config.data_dir);
    Gateway g;
    g.keys = std::make_unique<auth::KeyRing>(config.data_dir);
    g.accounting = std::make_unique<gateway::Accounting>(config);
    gateway::Recorder recorder = [extra_recorder, accounting = g.accounting.get()](const gateway::CallRecord& r) {
        log_call(r, accounting->finish(r));
        if (extra_recorder) extra_recorder(r);
    };
    if (config.mode == config::Mode::hybrid) g.platform = std::make_unique<platform::Platform>(config.platform, config.data_dir);
    g.context = std::unique_ptr<api::Context>(
        new api::Context{config, *g.keys, std::move(recorder), g.accounting.get(), g.platform.get()});
    return g;
}

void announce_first_key(const config::Config& config) {
    auth::KeyFile file(config.data_dir);
    if (!file.load().empty()) return;
    std::string token = file.create("default", "default", true);
    std::cerr << "No otari key existed, so one was created (shown once, store it now):\n\n    " << token
              << "\n\nUse it as ANTHROPIC_AUTH_TOKEN / the OpenAI api key, or run `otari claude-setup`.\n"
                 "More keys: otari keys create NAME\n\n";
}

std::vector<server::Route> gateway_routes(api::Context& ctx) {
    using api::Flavor;
    auto bind = [&ctx](auto fn) {
        return [&ctx, fn](http::Request& req, const http::ClientProbe& probe) { return fn(ctx, req, probe); };
    };
    return {
        // Public: no key needed.
        {"GET", "/", Flavor::anthropic, bind(api::get_health)},
        {"GET", "/health", Flavor::anthropic, bind(api::get_health)},
        // Authenticated.
        {"POST", "/v1/messages", Flavor::anthropic, bind(api::post_messages)},
        {"POST", "/v1/messages/count_tokens", Flavor::anthropic, bind(api::post_count_tokens)},
        {"GET", "/v1/models", Flavor::anthropic, bind(api::get_models)},
        {"POST", "/v1/chat/completions", Flavor::openai, bind(api::post_chat_completions)},
    };
}

server::Options server_options(const config::Config& config) {
    server::Options o;
    o.host = config.host;
    o.port = config.port;
    if (config.threaded_io) o.io = server::Options::Io::threads;
    return o;
}

}  // namespace otari::app
