#include "util/paths.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace otari::util {
namespace {

std::filesystem::path home_dir() {
    const char* home = std::getenv("HOME");
    if (!home || !*home) throw std::runtime_error("HOME is not set");
    return home;
}

std::filesystem::path xdg_dir(const char* variable, const char* fallback) {
    const char* value = std::getenv(variable);
    if (value && value[0] == '/') return value;
    return home_dir() / fallback;
}

}  // namespace

std::filesystem::path xdg_config_home() { return xdg_dir("XDG_CONFIG_HOME", ".config"); }
std::filesystem::path xdg_data_home() { return xdg_dir("XDG_DATA_HOME", ".local/share"); }
std::filesystem::path xdg_state_home() { return xdg_dir("XDG_STATE_HOME", ".local/state"); }

std::filesystem::path expand_home(const std::string& path) {
    if (path == "~") return home_dir();
    if (path.rfind("~/", 0) == 0) return home_dir() / path.substr(2);
    return path;
}

void ensure_private_dir(const std::filesystem::path& dir) {
    if (dir.empty() || std::filesystem::is_directory(dir)) return;
    ensure_private_dir(dir.parent_path());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        throw std::system_error(errno, std::generic_category(), "cannot create " + dir.string());
    }
}

}  // namespace otari::util
