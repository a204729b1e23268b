#pragma once
// The pure part of `otari claude-setup`: given a parsed Claude Code settings document, compute
// the document with otari's `env` entries set (or taken out again) and the list of changes.
// No I/O here; src/setup/settings_file.hpp reads and writes the files.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/json.hpp"

namespace otari::setup {

inline constexpr const char* k_env_base_url = "ANTHROPIC_BASE_URL";
inline constexpr const char* k_env_auth_token = "ANTHROPIC_AUTH_TOKEN";
inline constexpr const char* k_env_api_key = "ANTHROPIC_API_KEY";
inline constexpr const char* k_env_model = "ANTHROPIC_MODEL";
inline constexpr const char* k_env_opus = "ANTHROPIC_DEFAULT_OPUS_MODEL";
inline constexpr const char* k_env_sonnet = "ANTHROPIC_DEFAULT_SONNET_MODEL";
inline constexpr const char* k_env_haiku = "ANTHROPIC_DEFAULT_HAIKU_MODEL";

// A settings document otari must not touch: the root is not an object, or `env` is not one.
struct SettingsError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One `env` entry otari wants, in the order it is added.
struct EnvEntry {
    std::string name;
    std::string value;
};

// A value already in `env` that otari would overwrite but does not own: a base URL pointing
// elsewhere, or an ANTHROPIC_API_KEY (sent as x-api-key next to the token).
struct Conflict {
    std::string name;
    json current;
    std::string why;
};

enum class ChangeKind { added, replaced, removed };

struct Change {
    ChangeKind kind;
    std::string name;
    std::optional<json> before;  // absent for `added`
    std::optional<json> after;   // absent for `removed`
};

// One `env` key otari set or removed in one settings file: enough to undo it exactly.
struct OwnedKey {
    std::string name;
    std::string written_sha256;    // SHA-256 of the string otari wrote; "" when otari removed it
    std::optional<json> previous;  // the user's value before otari touched it, if any
    size_t position = 0;           // its index in `env` then, to restore it in place
};

// What otari changed in one settings file (kept in data_dir, see setup_record.hpp).
struct SetupRecord {
    bool created_file = false;  // the file did not exist before otari wrote it
    bool created_env = false;   // the file had no `env` object before
    std::string key_name;       // the otari key created for this file, if any
    std::vector<OwnedKey> keys;

    bool empty() const { return keys.empty(); }
    const OwnedKey* find(const std::string& name) const;
    json to_json() const;
    static SetupRecord from_json(const json& j);  // throws json::exception on a bad shape
};

struct MergeResult {
    json settings;
    std::vector<Change> changes;  // empty: nothing to write
    SetupRecord record;           // the record to keep after writing `settings`
};

// Throws SettingsError when `settings` is not an object or its `env` exists and is not one.
void check_settings_shape(const json& settings);

// The values otari would overwrite without owning them (see Conflict). A key whose current
// value is the one `record` says otari wrote is otari's and never a conflict.
std::vector<Conflict> find_conflicts(const json& settings, const std::string& base_url,
                                     const SetupRecord& record);

// Set every entry of `wanted` in settings.env (other keys and their order untouched; a new
// key goes at the end) and remove ANTHROPIC_API_KEY. Throws SettingsError when the shape is
// wrong, or when find_conflicts() is not empty and `force` is false. `file_existed` feeds
// the record so --remove can delete a file otari created.
MergeResult apply_setup(const json& settings, const std::vector<EnvEntry>& wanted,
                        const SetupRecord& record, bool force, bool file_existed);

struct RemoveResult {
    json settings;
    std::vector<Change> changes;
    std::vector<std::string> kept;  // recorded keys the user changed since; left alone
    bool delete_file = false;       // otari created the file and it is back to `{}`
};

// Undo `record`: a key whose value is still what otari wrote goes back to its previous value
// (or away when it had none); a key otari removed comes back at its old position unless the
// user set it again. Nothing else changes. Throws SettingsError on a wrong shape.
RemoveResult apply_remove(const json& settings, const SetupRecord& record);

// "tk_AbCd…" for secrets (tokens, API keys), the value itself for anything else.
std::string display_value(const std::string& name, const json& value);

}  // namespace otari::setup
