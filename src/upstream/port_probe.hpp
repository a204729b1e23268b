#pragma once
// Whether a server listens at a base URL's host and port: a TCP connect, nothing sent. For the
// start-up banner's note on local servers (ollama, llama.cpp, vLLM...), which should neither
// hold the banner up nor load libcurl into a gateway that has not been called yet.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace otari::upstream {

struct HostPort {
    std::string host;  // without the brackets of an IPv6 literal
    std::string port;  // the URL's, else the scheme's default (80, 443)
};

// The host and port of an http:// or https:// URL; nullopt for any other form.
std::optional<HostPort> url_host_port(std::string_view url);

// True when a TCP connection to the URL's host and port is accepted within `timeout` (each
// address the host resolves to is tried in turn, within the same overall time).
bool accepts_connections(std::string_view url, std::chrono::milliseconds timeout);

}  // namespace otari::upstream
