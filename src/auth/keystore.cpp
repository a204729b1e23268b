#include "auth/keystore.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <stdexcept>
#include <system_error>

#include "util/fileio.hpp"
#include "util/log.hpp"
#include "util/paths.hpp"
#include "util/random.hpp"
#include "util/sha256.hpp"

namespace otari::auth {
namespace {

constexpr int k_file_version = 1;

std::string now_rfc3339() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

bool valid_key_name(const std::string& name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '@')) {
            return false;
        }
    }
    return true;
}

// Holds an exclusive flock on data_dir/keys.lock for its lifetime.
class FileLock {
public:
    explicit FileLock(const std::filesystem::path& path) {
        m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (m_fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path.string());
        while (::flock(m_fd, LOCK_EX) != 0) {
            if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "cannot lock " + path.string());
        }
    }
    ~FileLock() { ::close(m_fd); }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int m_fd = -1;
};

Key key_from_json(const json& j) {
    Key k;
    k.name = j.at("name").get<std::string>();
    k.user = j.value("user", k.name);
    k.token_sha256 = j.at("sha256").get<std::string>();
    k.created_at = j.value("created_at", "");
    k.allow_user_mismatch = j.value("allow_user_mismatch", false);
    for (const auto& [field, value] : j.items()) {
        if (field != "name" && field != "user" && field != "sha256" && field != "created_at" &&
            field != "allow_user_mismatch") {
            k.extra[field] = value;
        }
    }
    return k;
}

json key_to_json(const Key& k) {
    json j = {{"name", k.name},
              {"user", k.user},
              {"sha256", k.token_sha256},
              {"created_at", k.created_at},
              {"allow_user_mismatch", k.allow_user_mismatch}};
    for (const auto& [field, value] : k.extra.items()) j[field] = value;
    return j;
}

int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

bool looks_like_token(std::string_view token) {
    if (token.size() != 43 || token.substr(0, 3) != "tk_") return false;
    for (char c : token.substr(3)) {
        if (!std::isalnum(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

KeyFile::KeyFile(std::filesystem::path data_dir)
    : m_dir(std::move(data_dir)), m_path(m_dir / "keys.json") {}

std::vector<Key> KeyFile::load() const {
    auto text = util::read_file(m_path);
    std::vector<Key> keys;
    if (!text) return keys;
    try {
        json doc = json::parse(*text);
        for (const auto& item : doc.at("keys")) keys.push_back(key_from_json(item));
    } catch (const json::exception& e) {
        throw std::runtime_error(m_path.string() + ": not a valid key file: " + e.what());
    }
    return keys;
}

void KeyFile::save(const std::vector<Key>& keys) const {
    json doc = {{"version", k_file_version}, {"keys", json::array()}};
    for (const auto& k : keys) doc["keys"].push_back(key_to_json(k));
    util::write_file_atomic(m_path, doc.dump(2) + "\n", 0600);
}

std::string KeyFile::create(const std::string& name, const std::string& user, bool allow_user_mismatch,
                            const json& extra) {
    if (!valid_key_name(name)) {
        throw std::invalid_argument("invalid key name '" + name +
                                    "': use 1-64 letters, digits, '_', '-', '.' or '@'");
    }
    if (!user.empty() && !valid_key_name(user)) {
        throw std::invalid_argument("invalid user name '" + user +
                                    "': use 1-64 letters, digits, '_', '-', '.' or '@'");
    }
    util::ensure_private_dir(m_dir);
    FileLock lock(m_dir / "keys.lock");
    auto keys = load();
    for (const auto& k : keys) {
        if (k.name == name) throw std::invalid_argument("a key named '" + name + "' already exists");
    }
    std::string token = "tk_" + util::random_base62(40);
    Key key;
    key.name = name;
    key.user = user.empty() ? name : user;
    key.token_sha256 = util::sha256_hex(token);
    key.created_at = now_rfc3339();
    key.allow_user_mismatch = allow_user_mismatch;
    if (extra.is_object()) key.extra = extra;
    keys.push_back(std::move(key));
    save(keys);
    return token;
}

bool KeyFile::revoke(const std::string& name) {
    if (!std::filesystem::exists(m_path)) return false;
    FileLock lock(m_dir / "keys.lock");
    auto keys = load();
    auto before = keys.size();
    std::erase_if(keys, [&](const Key& k) { return k.name == name; });
    if (keys.size() == before) return false;
    save(keys);
    return true;
}

KeyRing::KeyRing(std::filesystem::path data_dir, int recheck_ms)
    : m_file(std::move(data_dir)), m_recheck_ms(recheck_ms), m_snapshot(std::make_shared<Snapshot>()) {
    std::lock_guard lock(m_mutex);
    reload_locked();
    m_checked_at_ms = steady_ms();
}

void KeyRing::reload_locked() {
    struct stat st{};
    FileStamp stamp;
    if (::stat(m_file.path().c_str(), &st) == 0) {
        stamp = {int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, int64_t(st.st_size),
                 int64_t(st.st_ino)};
    }
    if (stamp == m_stamp && m_checked_at_ms >= 0) return;
    try {
        auto snapshot = std::make_shared<Snapshot>();
        for (auto& k : m_file.load()) snapshot->by_hash.emplace(k.token_sha256, std::move(k));
        m_snapshot = std::move(snapshot);
        m_stamp = stamp;
    } catch (const std::exception& e) {
        // Keep serving with the keys we had; a broken file must not lock everyone out.
        LOG_ERROR("%s (keeping the previous keys)", e.what());
        m_stamp = stamp;
    }
}

std::shared_ptr<const KeyRing::Snapshot> KeyRing::current() {
    std::lock_guard lock(m_mutex);
    int64_t now = steady_ms();
    if (now - m_checked_at_ms >= m_recheck_ms) {
        m_checked_at_ms = now;
        reload_locked();
    }
    return m_snapshot;
}

std::optional<Key> KeyRing::find_by_token(const std::string& token) {
    auto snapshot = current();
    auto it = snapshot->by_hash.find(util::sha256_hex(token));
    if (it == snapshot->by_hash.end()) return std::nullopt;
    return it->second;
}

size_t KeyRing::size() { return current()->by_hash.size(); }

}  // namespace otari::auth
