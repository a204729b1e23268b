#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "setup/claude_settings.hpp"
#include "setup/settings_file.hpp"
#include "setup/setup_record.hpp"
#include "util/fileio.hpp"

using otari::json;
namespace setup = otari::setup;
namespace fs = std::filesystem;

namespace {

const std::string k_url = "http://127.0.0.1:8000";
const std::string k_token = "tk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

std::vector<setup::EnvEntry> wanted(const std::string& url = k_url) {
    return {{setup::k_env_base_url, url},
            {setup::k_env_auth_token, k_token},
            {setup::k_env_opus, "claude-opus-4-8"},
            {setup::k_env_sonnet, "claude-sonnet-4-6"},
            {setup::k_env_haiku, "claude-haiku-4-5"}};
}

std::vector<std::string> keys_of(const json& object) {
    std::vector<std::string> out;
    for (auto it = object.begin(); it != object.end(); ++it) out.push_back(it.key());
    return out;
}

// A fresh directory under the system temp dir, removed at scope exit.
struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() / ("otari-setup-test-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(counter()++));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
    static int& counter() {
        static int n = 0;
        return n;
    }
};

}  // namespace

TEST_SUITE_BEGIN("setup");

TEST_CASE("setup: apply_setup keeps every other key and their order") {
    json in = json::parse(
        R"({"theme":"dark","env":{"FOO":"1","ANTHROPIC_BASE_URL":"http://127.0.0.1:8000","BAR":"2"},"permissions":{"allow":["Bash"]}})");
    auto out = setup::apply_setup(in, wanted(), {}, false, true);
    CHECK(keys_of(out.settings) == std::vector<std::string>{"theme", "env", "permissions"});
    CHECK(keys_of(out.settings["env"]) ==
          std::vector<std::string>{"FOO", "ANTHROPIC_BASE_URL", "BAR", "ANTHROPIC_AUTH_TOKEN",
                                   "ANTHROPIC_DEFAULT_OPUS_MODEL", "ANTHROPIC_DEFAULT_SONNET_MODEL",
                                   "ANTHROPIC_DEFAULT_HAIKU_MODEL"});
    CHECK(out.settings["permissions"] == in["permissions"]);
    CHECK(out.settings["env"]["FOO"] == "1");
    CHECK(out.settings["env"][setup::k_env_auth_token] == k_token);
    CHECK(out.changes.size() == 4);  // BASE_URL was already right
}

TEST_CASE("setup: a second run changes nothing") {
    json in = json::parse(R"({"env":{"X":"y"}})");
    auto first = setup::apply_setup(in, wanted(), {}, false, true);
    REQUIRE_FALSE(first.changes.empty());
    auto second = setup::apply_setup(first.settings, wanted(), first.record, false, true);
    CHECK(second.changes.empty());
    CHECK(second.settings == first.settings);
    CHECK(second.record.to_json() == first.record.to_json());
}

TEST_CASE("setup: a file without env gets one; a wrong shape is refused") {
    auto out = setup::apply_setup(json::object(), wanted(), {}, false, false);
    CHECK(out.settings["env"].size() == 5);
    CHECK(out.record.created_env);
    CHECK(out.record.created_file);

    CHECK_THROWS_AS(setup::apply_setup(json::parse(R"({"env":"nope"})"), wanted(), {}, true, true),
                    setup::SettingsError);
    CHECK_THROWS_AS(setup::apply_setup(json::parse(R"({"env":["A"]})"), wanted(), {}, true, true),
                    setup::SettingsError);
    CHECK_THROWS_AS(setup::apply_setup(json::parse("[1,2]"), wanted(), {}, true, true),
                    setup::SettingsError);
}

TEST_CASE("setup: a foreign ANTHROPIC_BASE_URL needs --force") {
    json in = json::parse(R"({"env":{"ANTHROPIC_BASE_URL":"https://other.example","KEEP":"k"}})");
    auto conflicts = setup::find_conflicts(in, k_url, {});
    REQUIRE(conflicts.size() == 1);
    CHECK(conflicts[0].name == setup::k_env_base_url);
    CHECK_THROWS_AS(setup::apply_setup(in, wanted(), {}, false, true), setup::SettingsError);

    auto forced = setup::apply_setup(in, wanted(), {}, true, true);
    CHECK(forced.settings["env"][setup::k_env_base_url] == k_url);
    CHECK(keys_of(forced.settings["env"]).front() == setup::k_env_base_url);  // replaced in place
    CHECK(forced.changes.front().kind == setup::ChangeKind::replaced);
}

TEST_CASE("setup: ANTHROPIC_API_KEY is a conflict, removed with --force") {
    json in = json::parse(R"({"env":{"ANTHROPIC_API_KEY":"sk-ant-secret","A":"1"}})");
    auto conflicts = setup::find_conflicts(in, k_url, {});
    REQUIRE(conflicts.size() == 1);
    CHECK(conflicts[0].name == setup::k_env_api_key);
    CHECK_THROWS_AS(setup::apply_setup(in, wanted(), {}, false, true), setup::SettingsError);
    auto forced = setup::apply_setup(in, wanted(), {}, true, true);
    CHECK_FALSE(forced.settings["env"].contains(setup::k_env_api_key));
    CHECK(forced.settings["env"]["A"] == "1");
}

TEST_CASE("setup: a base URL otari wrote earlier is not a conflict") {
    auto first =
        setup::apply_setup(json::object(), wanted("http://127.0.0.1:7000"), {}, false, true);
    CHECK(setup::find_conflicts(first.settings, k_url, first.record).empty());
    CHECK_FALSE(setup::find_conflicts(first.settings, k_url, {}).empty());
    auto moved = setup::apply_setup(first.settings, wanted(), first.record, false, true);
    CHECK(moved.settings["env"][setup::k_env_base_url] == k_url);
}

TEST_CASE("setup: --remove is the exact inverse") {
    json in = json::parse(
        R"({"model":"opus","env":{"ANTHROPIC_API_KEY":"sk-ant-x","ANTHROPIC_BASE_URL":"https://other","ANTHROPIC_DEFAULT_HAIKU_MODEL":"claude-haiku-4-5","MINE":"m"},"hooks":{}})");
    auto set = setup::apply_setup(in, wanted(), {}, true, true);
    REQUIRE(set.settings != in);
    auto removed = setup::apply_remove(set.settings, set.record);
    CHECK(removed.settings == in);
    CHECK(keys_of(removed.settings["env"]) == keys_of(in["env"]));
    CHECK(removed.kept.empty());
    CHECK_FALSE(removed.delete_file);
}

TEST_CASE("setup: --remove drops env and the file when otari created them") {
    auto set = setup::apply_setup(json::object(), wanted(), {}, false, false);
    auto removed = setup::apply_remove(set.settings, set.record);
    CHECK(removed.settings == json::object());
    CHECK(removed.delete_file);

    json with_other = json::parse(R"({"theme":"dark"})");
    auto set2 = setup::apply_setup(with_other, wanted(), {}, false, true);
    auto removed2 = setup::apply_remove(set2.settings, set2.record);
    CHECK(removed2.settings == with_other);
    CHECK_FALSE(removed2.delete_file);
}

TEST_CASE("setup: --remove leaves values the user changed since, and nothing else") {
    json in = json::parse(R"({"env":{"OTHER":"o"}})");
    auto set = setup::apply_setup(in, wanted(), {}, false, true);
    json edited = set.settings;
    edited["env"][setup::k_env_sonnet] = "my-own-model";
    edited["env"]["ADDED_LATER"] = "z";
    auto removed = setup::apply_remove(edited, set.record);
    CHECK(removed.kept == std::vector<std::string>{setup::k_env_sonnet});
    CHECK(removed.settings["env"][setup::k_env_sonnet] == "my-own-model");
    CHECK(removed.settings["env"]["ADDED_LATER"] == "z");
    CHECK(removed.settings["env"]["OTHER"] == "o");
    CHECK_FALSE(removed.settings["env"].contains(setup::k_env_base_url));
    CHECK_FALSE(removed.settings["env"].contains(setup::k_env_auth_token));
}

TEST_CASE("setup: the record survives a JSON round trip") {
    json in = json::parse(R"({"env":{"ANTHROPIC_API_KEY":"k"}})");
    auto set = setup::apply_setup(in, wanted(), {}, true, true);
    set.record.key_name = "claude-code";
    auto back = setup::SetupRecord::from_json(set.record.to_json());
    CHECK(back.to_json() == set.record.to_json());
    CHECK(setup::apply_remove(set.settings, back).settings == in);
}

TEST_CASE("setup: secrets are masked for display") {
    CHECK(setup::display_value(setup::k_env_auth_token, k_token) == "tk_AAAA…");
    CHECK(setup::display_value(setup::k_env_base_url, k_url) == k_url);
}

TEST_CASE("setup: settings path for user, CLAUDE_CONFIG_DIR and project scope") {
    using setup::SettingsScope;
    CHECK(setup::claude_settings_path(SettingsScope::user, std::nullopt, "/home/u", "/w") ==
          fs::path("/home/u/.claude/settings.json"));
    CHECK(setup::claude_settings_path(SettingsScope::user, std::string("/cfg/claude"), "/home/u",
                                      "/w") == fs::path("/cfg/claude/settings.json"));
    CHECK(setup::claude_settings_path(SettingsScope::user, std::string(""), "/home/u", "/w") ==
          fs::path("/home/u/.claude/settings.json"));
    CHECK(setup::claude_settings_path(SettingsScope::project, std::string("/cfg/claude"), "/home/u",
                                      "/w") == fs::path("/w/.claude/settings.local.json"));
}

TEST_CASE("setup: read_settings refuses invalid JSON and names the path") {
    TempDir dir;
    auto path = dir.path / "settings.json";
    otari::util::write_file_atomic(path, "{\"env\": {\"A\": 1,}\n");
    try {
        setup::read_settings(path);
        FAIL("expected SettingsError");
    } catch (const setup::SettingsError& e) {
        std::string what = e.what();
        CHECK(what.find(path.string()) != std::string::npos);
        CHECK(what.find("not valid JSON") != std::string::npos);
        CHECK(what.find("parse error") != std::string::npos);
    }
    CHECK(*otari::util::read_file(path) == "{\"env\": {\"A\": 1,}\n");

    otari::util::write_file_atomic(path, "{\"env\": 5}");
    CHECK_THROWS_WITH_AS(setup::read_settings(path), doctest::Contains("\"env\" is number"),
                         setup::SettingsError);
}

TEST_CASE("setup: read_settings keeps indentation and the final newline") {
    TempDir dir;
    auto path = dir.path / "settings.json";
    otari::util::write_file_atomic(path, "{\n\t\"b\": 1,\n\t\"a\": {\n\t\t\"x\": true\n\t}\n}");
    auto file = setup::read_settings(path);
    CHECK(file.exists);
    CHECK(file.indent == 1);
    CHECK(file.indent_char == '\t');
    CHECK_FALSE(file.final_newline);
    CHECK(setup::render_settings(file, file.document) == file.original);

    otari::util::write_file_atomic(path, "{\n    \"b\": 1\n}\n");
    auto four = setup::read_settings(path);
    CHECK(four.indent == 4);
    CHECK(setup::render_settings(four, four.document) == four.original);

    auto missing = setup::read_settings(dir.path / "nope.json");
    CHECK_FALSE(missing.exists);
    CHECK(missing.document == json::object());
    CHECK(setup::render_settings(missing, json::parse(R"({"a":1})")) == "{\n  \"a\": 1\n}\n");
}

TEST_CASE("setup: write_settings is 0600, backup keeps the original bytes") {
    TempDir dir;
    auto path = dir.path / "sub" / "settings.json";
    fs::create_directories(path.parent_path());
    otari::util::write_file_atomic(path, "{\"a\":  1}\n", 0644);
    auto file = setup::read_settings(path);
    auto backup = setup::backup_settings(file);
    CHECK(backup.string().find("settings.json.otari-bak-") != std::string::npos);
    CHECK(*otari::util::read_file(backup) == "{\"a\":  1}\n");
    setup::write_settings(file, json::parse(R"({"a":2})"));
    CHECK(json::parse(*otari::util::read_file(path)) == json::parse(R"({"a":2})"));
    CHECK((fs::status(path).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("setup: the record store keeps one entry per settings file") {
    TempDir dir;
    auto set = setup::apply_setup(json::object(), wanted(), {}, false, false);
    setup::save_setup_record(dir.path, "/a/settings.json", set.record);
    CHECK(setup::load_setup_record(dir.path, "/a/settings.json").to_json() == set.record.to_json());
    CHECK(setup::load_setup_record(dir.path, "/b/settings.json").empty());
    setup::save_setup_record(dir.path, "/a/settings.json", {});
    CHECK(setup::load_setup_record(dir.path, "/a/settings.json").empty());
}

TEST_SUITE_END();
