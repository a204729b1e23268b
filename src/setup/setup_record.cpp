#include "setup/setup_record.hpp"

#include <stdexcept>

#include "util/fileio.hpp"
#include "util/paths.hpp"

namespace otari::setup {
namespace {

namespace fs = std::filesystem;

std::string record_key(const fs::path& settings_path) {
    return fs::absolute(settings_path).lexically_normal().string();
}

json load_all(const fs::path& data_dir) {
    auto path = setup_record_path(data_dir);
    auto text = util::read_file(path);
    if (!text) return {{"version", 1}, {"files", json::object()}};
    try {
        json doc = json::parse(*text);
        if (!doc.is_object() || !doc["files"].is_object())
            throw std::runtime_error("no \"files\" object");
        return doc;
    } catch (const std::exception& e) {
        throw std::runtime_error(path.string() + ": not a valid claude-setup record: " + e.what());
    }
}

}  // namespace

fs::path setup_record_path(const fs::path& data_dir) { return data_dir / "claude-setup.json"; }

SetupRecord load_setup_record(const fs::path& data_dir, const fs::path& settings_path) {
    json all = load_all(data_dir);
    auto it = all["files"].find(record_key(settings_path));
    if (it == all["files"].end()) return {};
    try {
        return SetupRecord::from_json(*it);
    } catch (const json::exception& e) {
        throw std::runtime_error(setup_record_path(data_dir).string() +
                                 ": not a valid claude-setup record: " + e.what());
    }
}

void save_setup_record(const fs::path& data_dir, const fs::path& settings_path,
                       const SetupRecord& record) {
    json all = load_all(data_dir);
    std::string key = record_key(settings_path);
    if (record.empty()) {
        if (!all["files"].contains(key)) return;
        all["files"].erase(key);
    } else {
        all["files"][key] = record.to_json();
    }
    util::ensure_private_dir(data_dir);
    util::write_file_atomic(setup_record_path(data_dir), all.dump(2) + "\n", 0600);
}

}  // namespace otari::setup
