#pragma once
#include <filesystem>
#include <string>

namespace otari::util {

// XDG base directories (spec 0.8): the variable when set to an absolute path, else the
// default under $HOME.
std::filesystem::path xdg_config_home();
std::filesystem::path xdg_data_home();
std::filesystem::path xdg_state_home();

// Expand a leading "~" or "~/" to $HOME.
std::filesystem::path expand_home(const std::string& path);

// Create `dir` and its parents with mode 0700 for the ones created.
void ensure_private_dir(const std::filesystem::path& dir);

}  // namespace otari::util
