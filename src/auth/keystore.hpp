#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "util/json.hpp"

namespace otari::auth {

// One gateway key. Only the SHA-256 of its token is ever stored.
struct Key {
    std::string name;
    std::string user;  // spend is bound to this user
    std::string token_sha256;
    std::string created_at;  // RFC 3339 UTC
    bool allow_user_mismatch = false;
    json extra = json::object();  // fields added by later versions (budgets), kept on rewrite
};

// The key file `data_dir/keys.json` (mode 0600). Writers take an exclusive lock on
// `keys.lock` around read-modify-write and replace the file atomically, so readers (a running
// `otari up`) always see a whole file.
class KeyFile {
public:
    explicit KeyFile(std::filesystem::path data_dir);

    std::vector<Key> load() const;  // empty when the file does not exist; throws on a corrupt file
    // Create a key and return its token ("tk_" + 40 base62). Throws std::invalid_argument when
    // the name is taken or invalid.
    // `extra` is stored with the key (e.g. {"budget": {...}}).
    std::string create(const std::string& name, const std::string& user, bool allow_user_mismatch,
                       const json& extra = json::object());
    // Remove the key; false when no key has that name.
    bool revoke(const std::string& name);

    const std::filesystem::path& path() const { return m_path; }

private:
    void save(const std::vector<Key>& keys) const;
    std::filesystem::path m_dir;
    std::filesystem::path m_path;
};

// What the server authenticates against: the key file's content, reloaded when the file
// changes (checked at most every `recheck_ms`), so `otari keys create/revoke` take effect on a
// running gateway within a second.
class KeyRing {
public:
    explicit KeyRing(std::filesystem::path data_dir, int recheck_ms = 500);

    // The key whose token this is, or nullopt.
    std::optional<Key> find_by_token(const std::string& token);
    size_t size();

private:
    struct Snapshot {
        std::map<std::string, Key> by_hash;
    };
    std::shared_ptr<const Snapshot> current();
    void reload_locked();

    KeyFile m_file;
    int m_recheck_ms;
    std::mutex m_mutex;
    std::shared_ptr<const Snapshot> m_snapshot;
    int64_t m_checked_at_ms = -1;
    struct FileStamp {
        int64_t mtime_ns = -1, size = -1, inode = -1;
        bool operator==(const FileStamp&) const = default;
    } m_stamp;
};

// "tk_" followed by 40 base62 characters.
bool looks_like_token(std::string_view token);

}  // namespace otari::auth
