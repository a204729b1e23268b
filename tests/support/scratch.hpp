#pragma once
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace otari::test {

// The per-run scratch root: $TMPDIR/otari-test-<pid>.
inline std::filesystem::path scratch_root() {
    static const std::filesystem::path root = [] {
        const char* tmp = std::getenv("TMPDIR");
        std::filesystem::path base = tmp && *tmp ? tmp : "/tmp";
        auto dir = base / ("otari-test-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        return dir;
    }();
    return root;
}

// A fresh, empty directory for one test.
inline std::filesystem::path scratch_dir(const std::string& name) {
    static std::atomic<int> counter{0};
    auto dir = scratch_root() / (name + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

}  // namespace otari::test
