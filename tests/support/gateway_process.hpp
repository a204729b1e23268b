#pragma once
// The real `otari` binary (OTARI_BINARY, set by meson test) run as a child process.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace otari::test {

// The binary's path; empty when the tests run outside meson test.
std::string otari_binary();

// `otari keys create` against `config_path`: the token it prints (its last line).
std::string create_key(const std::string& config_path);

using Environment = std::vector<std::pair<std::string, std::string>>;

// `otari up` on `port`, its stdout and stderr written to `log`, with `extra_env` added to the
// environment it inherits; returns its pid.
pid_t start_gateway(const std::string& config_path, int port, const std::filesystem::path& log,
                    const Environment& extra_env = {});

// Polls GET /health until it answers 200 (true) or 10 s pass.
bool wait_healthy(int port);

}  // namespace otari::test
