#pragma once
// Where otari remembers what `claude-setup` changed in each settings file, so `--remove` can
// undo exactly that: data_dir/claude-setup.json (mode 0600), one SetupRecord per file.
#include <filesystem>

#include "setup/claude_settings.hpp"

namespace otari::setup {

std::filesystem::path setup_record_path(const std::filesystem::path& data_dir);

// The record for `settings_path` (compared as an absolute, normalized path); empty when there
// is none. Throws std::runtime_error when the record file is corrupt.
SetupRecord load_setup_record(const std::filesystem::path& data_dir,
                              const std::filesystem::path& settings_path);

// Store `record` for `settings_path`; an empty record drops the entry.
void save_setup_record(const std::filesystem::path& data_dir,
                       const std::filesystem::path& settings_path, const SetupRecord& record);

}  // namespace otari::setup
