#include "support/gateway_process.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include "support/http_client.hpp"

namespace otari::test {

using namespace std::chrono_literals;

std::string otari_binary() {
    const char* path = std::getenv("OTARI_BINARY");
    return path ? path : "";
}

std::string create_key(const std::string& config_path) {
    std::string command = otari_binary() + " --config " + config_path +
                          " keys create load --allow-user-mismatch 2>/dev/null";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) throw std::runtime_error("could not run " + command);
    std::string out;
    char buf[256];
    while (std::fgets(buf, sizeof buf, pipe)) out = buf;
    ::pclose(pipe);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

pid_t start_gateway(const std::string& config_path, int port, const std::filesystem::path& log,
                    const Environment& extra_env) {
    // Everything the child needs is built before fork(): the child only calls
    // async-signal-safe functions.
    std::vector<std::string> environment;
    for (const auto& [name, value] : extra_env) environment.push_back(name + "=" + value);
    for (char** entry = environ; *entry; ++entry) {
        std::string_view inherited(*entry);
        bool replaced = false;
        for (const auto& extra : extra_env)
            replaced = replaced || inherited.substr(0, inherited.find('=')) == extra.first;
        if (!replaced) environment.emplace_back(inherited);
    }
    std::vector<char*> envp;
    for (auto& entry : environment) envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::string binary = otari_binary();
    std::string port_text = std::to_string(port);
    std::vector<const char*> argv = {"otari",       "--config", config_path.c_str(),
                                     "up",          "--port",   port_text.c_str(),
                                     "--log-level", "warn",     nullptr};

    pid_t pid = ::fork();
    if (pid == 0) {
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, STDERR_FILENO);
        ::dup2(fd, STDOUT_FILENO);
        ::execve(binary.c_str(), const_cast<char* const*>(argv.data()), envp.data());
        ::_exit(127);
    }
    return pid;
}

bool wait_healthy(int port) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        try {
            HttpClient client(port);
            if (client.request("GET", "/health", "").status == 200) return true;
        } catch (const std::exception&) {
        }
        std::this_thread::sleep_for(20ms);  // polling for the process to start listening
    }
    return false;
}

}  // namespace otari::test
