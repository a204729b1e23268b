#pragma once
#include "auth/keystore.hpp"
#include "config/config.hpp"
#include "gateway/accounting.hpp"
#include "gateway/call.hpp"
#include "http/message.hpp"

namespace otari::platform {
class Platform;
}

namespace otari::api {

// What every endpoint handler needs; owned by `otari up` (or a test) for the server's lifetime.
struct Context {
    const config::Config& config;
    auth::KeyRing& keys;
    gateway::Recorder recorder;
    gateway::Accounting* accounting = nullptr;  // budgets and pricing; null in tests that skip them
    platform::Platform* platform = nullptr;     // set in hybrid mode: the platform authorizes calls
};

// Handlers return the response, or throw ApiError before any byte is written.
// `client_alive` reports whether the caller is still connected while the handler waits.
http::Response post_messages(Context& ctx, http::Request& req, const http::ClientProbe& client_alive);
http::Response post_chat_completions(Context& ctx, http::Request& req, const http::ClientProbe& client_alive);
http::Response post_count_tokens(Context& ctx, http::Request& req, const http::ClientProbe& client_alive);
http::Response get_models(Context& ctx, http::Request& req, const http::ClientProbe& client_alive);
http::Response get_health(Context& ctx, http::Request& req, const http::ClientProbe& client_alive);

}  // namespace otari::api
