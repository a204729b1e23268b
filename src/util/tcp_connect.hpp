#pragma once
// A TCP connection to a host and port, with one deadline over name resolution's results: for
// the short checks otari makes of a server it has not been asked to call yet (the banner's note
// on local servers, `otari up --detach` waiting for its gateway to answer).
#include <chrono>
#include <functional>
#include <string>

namespace otari::util {

// Tries each address `host` resolves to, in order, until `deadline`. `use` gets each socket
// that connects (blocking, closed when `use` returns) and returns true to stop there, false to
// go on to the next address. True when a call of `use` returned true.
bool with_tcp_connection(const std::string& host, const std::string& port,
                         std::chrono::steady_clock::time_point deadline,
                         const std::function<bool(int fd)>& use);

}  // namespace otari::util
