#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace otari::util {

// Whole file as bytes; nullopt when it does not exist. Throws std::system_error on other errors.
std::optional<std::string> read_file(const std::filesystem::path& path);

// Replace `path` atomically: write a temporary file in the same directory with `mode`, fsync
// it, rename it over `path`, fsync the directory. A reader sees the old or the new content,
// never a mix. Throws std::system_error.
void write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       unsigned mode = 0600);

}  // namespace otari::util
