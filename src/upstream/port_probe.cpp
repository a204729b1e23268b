#include "upstream/port_probe.hpp"

#include "util/tcp_connect.hpp"

namespace otari::upstream {

std::optional<HostPort> url_host_port(std::string_view url) {
    std::string_view default_port;
    if (url.substr(0, 7) == "http://") {
        url.remove_prefix(7);
        default_port = "80";
    } else if (url.substr(0, 8) == "https://") {
        url.remove_prefix(8);
        default_port = "443";
    } else {
        return std::nullopt;
    }
    std::string_view authority = url.substr(0, url.find_first_of("/?#"));
    if (size_t at = authority.rfind('@'); at != std::string_view::npos)
        authority.remove_prefix(at + 1);
    HostPort out;
    std::string_view rest;
    if (!authority.empty() && authority.front() == '[') {
        size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        out.host = std::string(authority.substr(1, close - 1));
        rest = authority.substr(close + 1);
    } else {
        size_t colon = authority.find(':');
        out.host = std::string(authority.substr(0, colon));
        rest = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
    }
    if (!rest.empty()) {
        if (rest.front() != ':') return std::nullopt;
        rest.remove_prefix(1);
    }
    if (rest.empty()) rest = default_port;
    if (out.host.empty() || rest.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    out.port = std::string(rest);
    return out;
}

bool accepts_connections(std::string_view url, std::chrono::milliseconds timeout) {
    auto target = url_host_port(url);
    if (!target) return false;
    return util::with_tcp_connection(target->host, target->port,
                                     std::chrono::steady_clock::now() + timeout,
                                     [](int) { return true; });
}

}  // namespace otari::upstream
