#include "setup/settings_file.hpp"

#include <cstdlib>
#include <ctime>
#include <system_error>

#include "util/fileio.hpp"
#include "util/paths.hpp"

namespace otari::setup {
namespace {

namespace fs = std::filesystem;

bool blank(const std::string& text) {
    return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

// The indentation of the first indented line; 2 spaces when there is none, -1 for a
// non-empty document written on one line.
void detect_style(SettingsFile& file) {
    const std::string& text = file.original;
    file.final_newline = text.empty() || text.back() == '\n';
    size_t first_newline = text.find('\n');
    if (!blank(text) && (first_newline == std::string::npos || first_newline + 1 == text.size()) &&
        !file.document.empty()) {
        file.indent = -1;
        return;
    }
    for (size_t pos = first_newline; pos != std::string::npos; pos = text.find('\n', pos + 1)) {
        size_t start = pos + 1;
        if (start >= text.size() || (text[start] != ' ' && text[start] != '\t')) continue;
        char c = text[start];
        size_t end = text.find_first_not_of(c, start);
        if (end == std::string::npos || text[end] == '\n' || text[end] == '\r') continue;
        file.indent_char = c;
        file.indent = int(end - start);
        return;
    }
}

std::string utc_stamp() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

}  // namespace

fs::path claude_settings_path(SettingsScope scope,
                              const std::optional<std::string>& claude_config_dir,
                              const fs::path& home, const fs::path& cwd) {
    if (scope == SettingsScope::project) return cwd / ".claude" / "settings.local.json";
    if (claude_config_dir && !claude_config_dir->empty()) {
        return fs::path(*claude_config_dir) / "settings.json";
    }
    return home / ".claude" / "settings.json";
}

fs::path claude_settings_path(SettingsScope scope) {
    std::optional<std::string> config_dir;
    if (const char* v = std::getenv("CLAUDE_CONFIG_DIR")) config_dir = v;
    fs::path home;
    if (scope == SettingsScope::user && (!config_dir || config_dir->empty())) {
        home = util::expand_home("~");
    }
    return claude_settings_path(scope, config_dir, home, fs::current_path());
}

SettingsFile read_settings(const fs::path& path) {
    SettingsFile file;
    file.path = path;
    file.write_path = fs::is_symlink(path) ? fs::weakly_canonical(path) : path;
    auto text = util::read_file(file.write_path);
    if (!text) return file;
    file.exists = true;
    file.original = std::move(*text);
    if (!blank(file.original)) {
        try {
            file.document = json::parse(file.original);
        } catch (const json::parse_error& e) {
            throw SettingsError(path.string() + ": not valid JSON, left untouched: " + e.what());
        }
    }
    try {
        check_settings_shape(file.document);
    } catch (const SettingsError& e) {
        throw SettingsError(path.string() + ": " + e.what() + "; left untouched");
    }
    detect_style(file);
    return file;
}

std::string render_settings(const SettingsFile& file, const json& document) {
    std::string out =
        document.dump(file.indent, file.indent_char, false, json::error_handler_t::replace);
    if (file.final_newline) out += "\n";
    return out;
}

fs::path backup_settings(const SettingsFile& file) {
    fs::path base = file.write_path;
    base += ".otari-bak-" + utc_stamp();
    fs::path backup = base;
    for (int n = 2; fs::exists(backup); ++n) {
        backup = base;
        backup += "-" + std::to_string(n);
    }
    util::write_file_atomic(backup, file.original, 0600);
    return backup;
}

void write_settings(const SettingsFile& file, const json& document) {
    fs::path dir = file.write_path.parent_path();
    if (!dir.empty()) util::ensure_private_dir(dir);
    util::write_file_atomic(file.write_path, render_settings(file, document), 0600);
}

void delete_settings(const SettingsFile& file) {
    std::error_code ec;
    if (!fs::remove(file.write_path, ec) && ec) {
        throw std::system_error(ec, "cannot delete " + file.write_path.string());
    }
}

}  // namespace otari::setup
