#include "providers/exchange.hpp"

#include <algorithm>
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

void CallFinisher::note_upstream(const upstream::TransferStats& s) {
    using clock = std::chrono::steady_clock;
    auto since = [this](clock::time_point t) -> std::optional<double> {
        if (t == clock::time_point{}) return std::nullopt;
        return std::chrono::duration<double, std::milli>(t - m_record.received).count();
    };
    gateway::CallRecord::UpstreamTimings u;
    u.start_ms = since(s.started);
    if (s.headers != clock::time_point{}) u.connected_ms = since(s.connected);
    u.headers_ms = since(s.headers);
    u.first_byte_ms = since(s.first_byte);
    u.last_byte_ms = since(s.last_byte);
    u.bytes_sent = int64_t(s.bytes_sent);
    u.bytes_received = int64_t(s.bytes_received);
    u.reused_connection = s.reused_connection;
    m_record.upstream = u;
    if (m_record.upstream_status == 0) m_record.upstream_status = s.status;
}

void copy_passthrough_headers(const http::Headers& from, http::Headers& to) {
    for (const auto& [name, value] : from.items()) {
        if (http::iequals(name, "retry-after")) {
            double secs = seconds_ceil(value);
            // An HTTP date or garbage is passed on as it is; numbers become whole seconds.
            to.set("retry-after", secs >= 0 ? std::to_string(int64_t(secs)) : value);
        } else if (http::iequals(name, "x-should-retry")) {
            to.set("x-should-retry", value);
        } else if (name.size() > 20 &&
                   http::iequals(std::string_view(name).substr(0, 20), "anthropic-ratelimit-")) {
            to.add(name, value);
        } else if (http::iequals(name, "request-id") || http::iequals(name, "x-request-id")) {
            to.set("x-upstream-request-id", value);
        }
    }
}

namespace {
constexpr std::chrono::milliseconds k_commit_deadline{10000};
}

FirstEventWait first_event_wait(const Exchange& ex) {
    if (ex.first_byte_timeout_ms > 0)
        return {std::chrono::milliseconds(ex.first_byte_timeout_ms), true};
    return {k_commit_deadline, false};
}

http::Response client_gone_response() {
    return http::Response{499, {}, "application/json", "", nullptr};
}

http::Response anthropic_error_response(Exchange& ex, const translate::MappedError& error,
                                        const http::Headers& passthrough) {
    api::ApiError api_error(error.status, error.type, error.message);
    for (const auto& [name, value] : passthrough.items()) {
        if (!http::iequals(name, "retry-after")) api_error.headers.set(name, value);
    }
    if (error.retry_after) api_error.headers.set("retry-after", *error.retry_after);
    ex.finisher->fail(error.status, error.message);
    return api::error_response(api::Flavor::anthropic, api_error, ex.request->request_id);
}

int64_t estimated_input_tokens(const gateway::CallRecord& record) {
    return translate::tokens_from_bytes(size_t(std::max<int64_t>(0, record.request_bytes)));
}

std::optional<http::Response> redirect_refusal(Exchange& ex, upstream::Call& call) {
    const int status = call.status();
    if (status < 300 || status >= 400) return std::nullopt;
    std::string body;
    call.read_all(body, 64u << 10, ex.client_probe);
    std::string message = "provider '" + ex.provider->name + "' redirected the request (HTTP " +
                          std::to_string(status);
    if (auto location = call.headers().get("location")) message += " to " + std::string(*location);
    message += "); otari does not follow redirects: correct the provider's base_url (now " +
               ex.provider->base_url + ")";
    ex.finisher->record().upstream_status = status;
    ex.finisher->record().upstream_failed = true;
    ex.finisher->fail(502, message);
    api::ApiError error(502, "api_error", message);
    return api::error_response(ex.flavor, error, ex.request->request_id);
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
            message =
                "provider '" + name + "' did not answer in time (" + call.error_message() + ")";
            break;
        case upstream::Failure::connect:
            ex.finisher->record().failure_class = "conn_err";
            message = "could not reach provider '" + name + "' at " + ex.provider->base_url + ": " +
                      call.error_message();
            if (call.certificate_rejected()) {
                message += ex.provider->ca_file.empty()
                               ? " (a server with a private CA or a self-signed certificate: "
                                 "set ca_file in [providers." +
                                     name + "] to its certificate's PEM file)"
                               : " (no certificate in ca_file " + ex.provider->ca_file +
                                     " verifies this server)";
            }
            break;
        case upstream::Failure::cancelled:
            ex.finisher->record().client_disconnected = true;
            ex.finisher->fail(499, "client disconnected before the provider answered");
            return client_gone_response();
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

void address(upstream::Request& request, const config::Provider& provider, std::string_view path) {
    request.url = provider.base_url;
    request.url += path;
    request.ca_file = provider.ca_file;
}

void require_api_key(const config::Provider& provider) {
    if (!provider.needs_key || !provider.api_key.empty()) return;
    std::string how = provider.key_env.empty()
                          ? "set api_key in [providers." + provider.name + "]"
                          : "set " + provider.key_env + " in the environment of `otari up`";
    api::ApiError error(502, "api_error",
                        "provider '" + provider.name + "' has no API key: " + how);
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
