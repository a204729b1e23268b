#include "setup/claude_settings.hpp"

#include <algorithm>

#include "util/sha256.hpp"

namespace otari::setup {
namespace {

bool is_secret(const std::string& name) {
    return name == k_env_auth_token || name == k_env_api_key;
}

// True when `current` is exactly what `owned` says otari left there.
bool still_as_otari_left_it(const OwnedKey& owned, const json* current) {
    if (owned.written_sha256.empty()) return current == nullptr;
    return current && current->is_string() &&
           util::sha256_hex(current->get<std::string>()) == owned.written_sha256;
}

const json* env_value(const json& settings, const std::string& name) {
    auto env = settings.find("env");
    if (env == settings.end()) return nullptr;
    auto it = env->find(name);
    return it == env->end() ? nullptr : &*it;
}

size_t index_of(const json& object, const std::string& name) {
    size_t i = 0;
    for (auto it = object.begin(); it != object.end(); ++it, ++i) {
        if (it.key() == name) return i;
    }
    return i;
}

// Note that otari sets `name` to `written` ("" = removes it). The first touch remembers the
// user's value; later touches of a value otari still owns keep that first memory.
void remember(SetupRecord& record, const std::string& name, const json* current, size_t position,
              const std::string& written) {
    std::string written_sha256 = written.empty() ? "" : util::sha256_hex(written);
    for (auto& owned : record.keys) {
        if (owned.name != name) continue;
        if (!still_as_otari_left_it(owned, current)) {
            owned.previous = current ? std::optional<json>(*current) : std::nullopt;
            owned.position = position;
        }
        owned.written_sha256 = written_sha256;
        return;
    }
    record.keys.push_back(
        {name, written_sha256, current ? std::optional<json>(*current) : std::nullopt, position});
}

json insert_at(const json& object, size_t position, const std::string& name, const json& value) {
    json rebuilt = json::object();
    size_t i = 0;
    bool inserted = false;
    for (auto it = object.begin(); it != object.end(); ++it, ++i) {
        if (i == position) {
            rebuilt[name] = value;
            inserted = true;
        }
        rebuilt[it.key()] = it.value();
    }
    if (!inserted) rebuilt[name] = value;
    return rebuilt;
}

std::string describe_conflicts(const std::vector<Conflict>& conflicts) {
    std::string out;
    for (const auto& c : conflicts) {
        if (!out.empty()) out += "; ";
        out += c.name + " is " + display_value(c.name, c.current) + " (" + c.why + ")";
    }
    return out + "; rerun with --force to replace it";
}

}  // namespace

const OwnedKey* SetupRecord::find(const std::string& name) const {
    for (const auto& k : keys) {
        if (k.name == name) return &k;
    }
    return nullptr;
}

json SetupRecord::to_json() const {
    json out = {{"created_file", created_file},
                {"created_env", created_env},
                {"key_name", key_name},
                {"keys", json::array()}};
    for (const auto& k : keys) {
        json item = {{"name", k.name}, {"written_sha256", k.written_sha256}};
        if (k.previous) item["previous"] = *k.previous;
        item["position"] = k.position;
        out["keys"].push_back(std::move(item));
    }
    return out;
}

SetupRecord SetupRecord::from_json(const json& j) {
    SetupRecord r;
    r.created_file = j.value("created_file", false);
    r.created_env = j.value("created_env", false);
    r.key_name = j.value("key_name", "");
    for (const auto& item : j.at("keys")) {
        OwnedKey k;
        k.name = item.at("name").get<std::string>();
        k.written_sha256 = item.at("written_sha256").get<std::string>();
        if (item.contains("previous")) k.previous = item["previous"];
        k.position = item.value("position", size_t(0));
        r.keys.push_back(std::move(k));
    }
    return r;
}

void check_settings_shape(const json& settings) {
    if (!settings.is_object()) {
        throw SettingsError(std::string("the top level is ") + settings.type_name() +
                            ", expected an object");
    }
    auto env = settings.find("env");
    if (env != settings.end() && !env->is_object()) {
        throw SettingsError(std::string("\"env\" is ") + env->type_name() + ", expected an object");
    }
}

std::vector<Conflict> find_conflicts(const json& settings, const std::string& base_url,
                                     const SetupRecord& record) {
    std::vector<Conflict> out;
    if (const json* url = env_value(settings, k_env_base_url)) {
        const OwnedKey* owned = record.find(k_env_base_url);
        bool ours = owned && still_as_otari_left_it(*owned, url);
        if (!ours && *url != json(base_url)) {
            out.push_back({k_env_base_url, *url, "points elsewhere, not to otari at " + base_url});
        }
    }
    if (const json* key = env_value(settings, k_env_api_key)) {
        out.push_back({k_env_api_key, *key,
                       "Claude Code would send it as x-api-key next to the otari token"});
    }
    return out;
}

MergeResult apply_setup(const json& settings, const std::vector<EnvEntry>& wanted,
                        const SetupRecord& record, bool force, bool file_existed) {
    check_settings_shape(settings);
    std::vector<Conflict> conflicts;
    for (const auto& entry : wanted) {
        if (entry.name == k_env_base_url) conflicts = find_conflicts(settings, entry.value, record);
    }
    if (!conflicts.empty() && !force) throw SettingsError(describe_conflicts(conflicts));

    MergeResult result{settings, {}, record};
    SetupRecord& rec = result.record;
    if (rec.empty()) {
        rec.created_file = !file_existed;
        rec.created_env = !settings.contains("env");
    }
    json& env = result.settings["env"];
    if (env.is_null()) env = json::object();
    for (const auto& entry : wanted) {
        auto it = env.find(entry.name);
        if (it == env.end()) {
            remember(rec, entry.name, nullptr, env.size(), entry.value);
            env[entry.name] = entry.value;
            result.changes.push_back(
                {ChangeKind::added, entry.name, std::nullopt, env[entry.name]});
        } else if (*it != json(entry.value)) {
            json before = *it;
            remember(rec, entry.name, &before, index_of(env, entry.name), entry.value);
            *it = entry.value;
            result.changes.push_back({ChangeKind::replaced, entry.name, before, *it});
        }
    }
    if (auto it = env.find(k_env_api_key); it != env.end()) {
        json before = *it;
        remember(rec, k_env_api_key, &before, index_of(env, k_env_api_key), "");
        env.erase(k_env_api_key);
        result.changes.push_back({ChangeKind::removed, k_env_api_key, before, std::nullopt});
    }
    if (result.changes.empty()) {
        result.settings = settings;
        result.record = record;
    }
    return result;
}

RemoveResult apply_remove(const json& settings, const SetupRecord& record) {
    check_settings_shape(settings);
    RemoveResult result{settings, {}, {}, false};
    json env = settings.contains("env") ? settings["env"] : json::object();
    std::vector<const OwnedKey*> to_restore;
    for (const auto& owned : record.keys) {
        auto it = env.find(owned.name);
        const json* current = it == env.end() ? nullptr : &*it;
        if (!still_as_otari_left_it(owned, current)) {
            if (current) result.kept.push_back(owned.name);
            continue;
        }
        if (owned.written_sha256.empty()) {
            if (owned.previous) to_restore.push_back(&owned);
        } else if (owned.previous) {
            result.changes.push_back({ChangeKind::replaced, owned.name, *it, *owned.previous});
            *it = *owned.previous;
        } else {
            result.changes.push_back({ChangeKind::removed, owned.name, *it, std::nullopt});
            env.erase(it);
        }
    }
    std::sort(to_restore.begin(), to_restore.end(),
              [](const OwnedKey* a, const OwnedKey* b) { return a->position < b->position; });
    for (const OwnedKey* owned : to_restore) {
        env = insert_at(env, owned->position, owned->name, *owned->previous);
        result.changes.push_back({ChangeKind::added, owned->name, std::nullopt, *owned->previous});
    }
    if (result.changes.empty()) return result;
    if (record.created_env && env.empty()) {
        result.settings.erase("env");
    } else {
        result.settings["env"] = std::move(env);
    }
    result.delete_file = record.created_file && result.settings.empty();
    return result;
}

std::string display_value(const std::string& name, const json& value) {
    if (!value.is_string()) return dump_json(value);
    const auto& text = value.get_ref<const std::string&>();
    if (!is_secret(name) || text.rfind("<", 0) == 0) return text;  // "<new key ...>"
    return text.size() > 10 ? text.substr(0, 7) + "…" : "…";
}

}  // namespace otari::setup
