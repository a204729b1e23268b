#pragma once
// Reading and writing Claude Code settings files for `otari claude-setup`: where they live,
// strict parsing, backups, and atomic 0600 writes that keep the file's indentation.
#include <filesystem>
#include <optional>
#include <string>

#include "setup/claude_settings.hpp"
#include "util/json.hpp"

namespace otari::setup {

enum class SettingsScope {
    user,     // $CLAUDE_CONFIG_DIR/settings.json, else ~/.claude/settings.json
    project,  // ./.claude/settings.local.json (personal, git-ignored; never settings.json)
};

// The settings file for `scope`. An empty `claude_config_dir` counts as unset.
std::filesystem::path claude_settings_path(SettingsScope scope,
                                           const std::optional<std::string>& claude_config_dir,
                                           const std::filesystem::path& home,
                                           const std::filesystem::path& cwd);
// The same, from $CLAUDE_CONFIG_DIR, $HOME and the working directory.
std::filesystem::path claude_settings_path(SettingsScope scope);

struct SettingsFile {
    std::filesystem::path path;        // as shown to the user
    std::filesystem::path write_path;  // `path`, or the file its symlink points to
    bool exists = false;
    std::string original;            // the bytes read
    json document = json::object();  // `{}` for a missing or blank file
    int indent = 2;                  // -1: the file is one line
    char indent_char = ' ';
    bool final_newline = true;
};

// Read and parse strictly. Throws SettingsError naming the path and the parse error (or the
// wrong shape, see check_settings_shape), and std::system_error when it cannot be read.
SettingsFile read_settings(const std::filesystem::path& path);

// `document` serialized the way `file` was: same indentation, same final newline.
std::string render_settings(const SettingsFile& file, const json& document);

// Copy the original bytes to "<file>.otari-bak-<UTC stamp>" (mode 0600) and return that path.
std::filesystem::path backup_settings(const SettingsFile& file);

// Replace the file with `document` atomically (mode 0600), creating its directory if needed.
void write_settings(const SettingsFile& file, const json& document);

// Delete the file (for --remove when otari created it).
void delete_settings(const SettingsFile& file);

}  // namespace otari::setup
