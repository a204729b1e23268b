#pragma once
// Assembles a runnable gateway from a config: key ring, recorder (log line, later the ledger),
// endpoint context and route table. Shared by `otari up` and the integration tests.
#include <memory>
#include <vector>

#include "api/context.hpp"
#include "auth/keystore.hpp"
#include "config/config.hpp"
#include "platform/client.hpp"
#include "server/server.hpp"

namespace otari::app {

struct Gateway {
    std::unique_ptr<auth::KeyRing> keys;
    std::unique_ptr<gateway::Accounting> accounting;
    std::unique_ptr<platform::Platform> platform;  // hybrid mode only
    std::unique_ptr<api::Context> context;
};

// Create data_dir (0700) and the parts. `extra_recorder` also sees every finished call (tests).
Gateway make_gateway(const config::Config& config, gateway::Recorder extra_recorder = nullptr);

// When no key exists yet, create "default" and print its token once with a hint.
void announce_first_key(const config::Config& config);

std::vector<server::Route> gateway_routes(api::Context& context);
server::Options server_options(const config::Config& config);

}  // namespace otari::app
