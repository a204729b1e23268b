#include "providers/exchange.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "http/sse.hpp"
#include "util/json.hpp"

namespace otari::providers {

double seconds_ceil(std::string_view text) {
    char* end = nullptr;
    std::string s(text);
    double v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || v < 0) return -1;
    return std::ceil(v);
}

void copy_passthrough_headers(const http::Headers& from, http::Headers& to) {
    for (const auto& [name, value] : from.items()) {
        if (http::iequals(name, "retry-after")) {
            double secs = seconds_ceil(value);
            // An HTTP date or garbage is passed on as it is; numbers become whole seconds.
            to.set("retry-after", secs >= 0 ? std::to_string(int64_t(secs)) : value);
        } else if (http::iequals(name, "x-should-retry")) {
            to.set("x-should-retry", value);
        } else if (name.size() > 20 && http::iequals(std::string_view(name).substr(0, 20), "anthropic-ratelimit-")) {
            to.add(name, value);
        } else if (http::iequals(name, "request-id") || http::iequals(name, "x-request-id")) {
            to.set("x-upstream-request-id", value);
        }
    }
}

http::Response transport_failure(Exchange& ex, const upstream::Call& call) {
    const std::string& name = ex.provider->name;
    int status = 502;
    std::string type = "api_error";
    std::string message;
    switch (call.failure()) {
        case upstream::Failure::timeout:
            ex.finisher->record().failure_class = "timeout";
            status = 504;
            type = "timeout_error";
            message = "provider '" + name + "' did not answer in time (" + call.error_message() + ")";
            break;
        case upstream::Failure::connect:
            ex.finisher->record().failure_class = "conn_err";
            message = "could not reach provider '" + name + "' at " + ex.provider->base_url + ": " +
                      call.error_message();
            break;
        case upstream::Failure::cancelled:
            ex.finisher->record().client_disconnected = true;
            ex.finisher->fail(499, "client disconnected before the provider answered");
            return http::Response{499, {}, "application/json", "", nullptr};
        default:
            ex.finisher->record().failure_class = "conn_err";
            message = "provider '" + name + "' failed: " + call.error_message();
            break;
    }
    ex.finisher->record().upstream_failed = true;
    ex.finisher->fail(status, message);
    api::ApiError error(status, type, message);
    return api::error_response(ex.flavor, error, ex.request->request_id);
}

void require_api_key(const config::Provider& provider) {
    if (!provider.needs_key || !provider.api_key.empty()) return;
    std::string how = provider.key_env.empty() ? "set api_key in [providers." + provider.name + "]"
                                               : "set " + provider.key_env + " in the environment of `otari up`";
    api::ApiError error(502, "api_error", "provider '" + provider.name + "' has no API key: " + how);
    error.headers.set("x-should-retry", "false");
    throw error;
}

std::string sse_error_frame(const std::string& type, const std::string& message) {
    json body = {{"type", "error"}, {"error", {{"type", type}, {"message", message}}}};
    std::string out;
    http::append_sse(out, "error", dump_json(body));
    return out;
}

}  // namespace otari::providers
