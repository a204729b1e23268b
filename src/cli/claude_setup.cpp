// otari claude-setup [--project] [--url URL] [--model M] [--opus M] [--sonnet M] [--haiku M]
//                    [--key NAME] [--token TOKEN|-] [--user USER] [--force] [--dry-run]
// otari claude-setup --remove [--project] [--dry-run]
//   Point Claude Code at otari through the `env` block of its settings file.
#include <iostream>

#include "auth/keystore.hpp"
#include "cli/commands.hpp"
#include "cli/daemon.hpp"
#include "config/config.hpp"
#include "gateway/router.hpp"
#include "setup/claude_models.hpp"
#include "setup/claude_settings.hpp"
#include "setup/line_diff.hpp"
#include "setup/settings_file.hpp"
#include "setup/setup_record.hpp"
#include "util/sha256.hpp"

namespace otari::cli {
namespace {

constexpr const char* k_default_key_name = "claude-code";

struct ClaudeSetupOptions {
    bool project = false;
    std::string url;
    setup::ModelRequest models;
    std::string key_name;
    std::string token;
    std::string user;
    bool force = false;
    bool dry_run = false;
    bool remove = false;
};

// How the token in ANTHROPIC_AUTH_TOKEN is obtained.
struct TokenPlan {
    std::string token;     // empty until a key is created
    std::string key_name;  // the key it belongs to (or will)
    bool create = false;   // create `key_name` on a real run
    std::string how;       // for the summary
};

std::string base_url_for(const config::Config& config) {
    return gateway_url(reachable_host(config.host), config.port);
}

// Claude Code appends /v1/messages itself, so the URL is otari's root.
std::optional<std::string> normalize_url(std::string url) {
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) return std::nullopt;
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.size() > 3 && url.compare(url.size() - 3, 3, "/v1") == 0) url.resize(url.size() - 3);
    return url;
}

const auth::Key* key_by_token(const std::vector<auth::Key>& keys, const std::string& token) {
    std::string hash = util::sha256_hex(token);
    for (const auto& k : keys) {
        if (k.token_sha256 == hash) return &k;
    }
    return nullptr;
}

bool key_exists(const std::vector<auth::Key>& keys, const std::string& name) {
    for (const auto& k : keys) {
        if (k.name == name) return true;
    }
    return false;
}

// Throws std::invalid_argument with a message for the user.
// Hybrid mode: the platform knows the caller's tk_ token, otari has no keys to create or check.
TokenPlan plan_platform_token(const ClaudeSetupOptions& opts, const json& settings) {
    if (!opts.key_name.empty()) {
        throw std::invalid_argument("--key: otari has no keys of its own in hybrid mode; pass your platform token with --token");
    }
    if (!opts.token.empty()) {
        std::string token = opts.token;
        if (token == "-" && !std::getline(std::cin, token)) {
            throw std::invalid_argument("--token -: nothing on standard input");
        }
        return {token, "", false, "the given platform token"};
    }
    if (auto env = settings.find("env"); env != settings.end()) {
        if (auto t = env->find(setup::k_env_auth_token); t != env->end() && t->is_string() && !t->get<std::string>().empty()) {
            return {t->get<std::string>(), "", false, "kept: the platform token already in the file"};
        }
    }
    throw std::invalid_argument(
        "hybrid mode: the platform issues tokens, so otari creates none. Pass yours with --token tk_... "
        "(or --token - to read it from stdin)");
}

TokenPlan plan_token(const ClaudeSetupOptions& opts, const std::vector<auth::Key>& keys,
                     const json& settings) {
    TokenPlan plan;
    if (!opts.token.empty()) {
        std::string token = opts.token;
        if (token == "-" && !std::getline(std::cin, token)) {
            throw std::invalid_argument("--token -: nothing on standard input");
        }
        const auth::Key* key = key_by_token(keys, token);
        if (!key)
            throw std::invalid_argument(
                "--token: not the token of any otari key (see `otari keys list`)");
        if (!opts.key_name.empty() && key->name != opts.key_name) {
            throw std::invalid_argument("--token belongs to key '" + key->name + "', not '" +
                                        opts.key_name + "'");
        }
        return {token, key->name, false, "the given token of key '" + key->name + "'"};
    }
    std::string existing;
    if (auto env = settings.find("env"); env != settings.end()) {
        if (auto t = env->find(setup::k_env_auth_token); t != env->end() && t->is_string()) {
            existing = t->get<std::string>();
        }
    }
    if (const auth::Key* key = existing.empty() ? nullptr : key_by_token(keys, existing)) {
        if (opts.key_name.empty() || key->name == opts.key_name) {
            return {existing, key->name, false, "kept: key '" + key->name + "'"};
        }
    }
    if (!opts.key_name.empty()) {
        if (key_exists(keys, opts.key_name)) {
            throw std::invalid_argument(
                "key '" + opts.key_name +
                "' exists, but otari stores only its hash: pass its token with --token tk_... "
                "(or --token - to read it from stdin), or name a new key");
        }
        return {"", opts.key_name, true, "new key '" + opts.key_name + "'"};
    }
    std::string name = k_default_key_name;
    for (int n = 2; key_exists(keys, name); ++n)
        name = std::string(k_default_key_name) + "-" + std::to_string(n);
    return {"", name, true, "new key '" + name + "'"};
}

void warn_unserved(const config::Config& config, const std::string& model) {
    try {
        gateway::resolve_model(config, model);
    } catch (const std::exception& e) {
        std::cerr << "otari: warning: " << model << ": " << e.what() << "\n";
    }
}

void print_changes(const std::vector<setup::Change>& changes) {
    for (const auto& c : changes) {
        switch (c.kind) {
            case setup::ChangeKind::added:
                std::cout << "  + " << c.name << " = " << setup::display_value(c.name, *c.after)
                          << "\n";
                break;
            case setup::ChangeKind::replaced:
                std::cout << "  ~ " << c.name << " = " << setup::display_value(c.name, *c.after)
                          << "  (was " << setup::display_value(c.name, *c.before) << ")\n";
                break;
            case setup::ChangeKind::removed:
                std::cout << "  - " << c.name << "  (was "
                          << setup::display_value(c.name, *c.before) << ")\n";
                break;
        }
    }
}

// The diff shown by --dry-run; secrets masked on both sides.
std::string masked_diff(const setup::SettingsFile& file, const json& after) {
    auto mask = [](json doc) {
        if (doc.is_object() && doc.contains("env") && doc["env"].is_object()) {
            for (auto& [name, value] : doc["env"].items())
                value = setup::display_value(name, value);
        }
        return doc;
    };
    std::string before_text = file.exists ? setup::render_settings(file, mask(file.document)) : "";
    std::string after_text = setup::render_settings(file, mask(after));
    return setup::unified_diff(before_text, after_text, file.path.string(),
                               file.path.string() + " (after)");
}

int run_remove(const config::Config& config, const ClaudeSetupOptions& opts,
               const setup::SettingsFile& file) {
    auto record = setup::load_setup_record(config.data_dir, file.write_path);
    if (record.empty()) {
        std::cout << "Nothing to remove: otari has not changed " << file.path.string()
                  << " (no record in " << setup::setup_record_path(config.data_dir).string()
                  << ").\n";
        return k_exit_ok;
    }
    auto result = setup::apply_remove(file.document, record);
    for (const auto& name : result.kept) {
        std::cerr << "otari: warning: " << name
                  << " was changed after otari set it; left as it is\n";
    }
    if (opts.dry_run) {
        std::cout << (result.changes.empty() ? "Nothing to remove.\n"
                                             : masked_diff(file, result.settings));
        return k_exit_ok;
    }
    if (!result.changes.empty()) {
        if (result.delete_file) {
            setup::delete_settings(file);
            std::cout << "Removed " << file.path.string() << " (otari had created it).\n";
        } else {
            auto backup = setup::backup_settings(file);
            setup::write_settings(file, result.settings);
            std::cout << "Updated " << file.path.string() << " (backup: " << backup.string()
                      << ")\n";
        }
        print_changes(result.changes);
    } else {
        std::cout << "Nothing to remove from " << file.path.string() << ".\n";
    }
    setup::save_setup_record(config.data_dir, file.write_path, {});
    if (!record.key_name.empty()) {
        std::cout << "The key '" << record.key_name
                  << "' still exists; revoke it with: otari keys revoke " << record.key_name
                  << "\n";
    }
    return k_exit_ok;
}

int run_setup(const config::Config& config, const ClaudeSetupOptions& opts,
              const setup::SettingsFile& file) {
    std::string base_url = base_url_for(config);
    if (!opts.url.empty()) {
        auto url = normalize_url(opts.url);
        if (!url) {
            print_error("--url: expected an http:// or https:// URL, got \"" + opts.url + "\"");
            return k_exit_usage;
        }
        base_url = *url;
    }
    auto record = setup::load_setup_record(config.data_dir, file.write_path);
    auto conflicts = setup::find_conflicts(file.document, base_url, record);
    for (const auto& c : conflicts) {
        std::cerr << (opts.force ? "otari: replacing " : "otari: ") << c.name << " = "
                  << setup::display_value(c.name, c.current) << ": " << c.why << "\n";
    }
    if (!conflicts.empty() && !opts.force) {
        print_error(file.path.string() + " left untouched; rerun with --force to replace " +
                    (conflicts.size() == 1 ? conflicts[0].name : "them"));
        return k_exit_failure;
    }

    setup::ModelPlan models;
    try {
        models = setup::plan_models(config, opts.models);
    } catch (const setup::NoServableModel& e) {
        print_error(e.what());
        return k_exit_usage;
    }
    for (const auto* flag :
         {&opts.models.main, &opts.models.opus, &opts.models.sonnet, &opts.models.haiku}) {
        if (*flag) warn_unserved(config, **flag);
    }

    auth::KeyFile key_file(config.data_dir);
    TokenPlan token;
    try {
        token = config.mode == config::Mode::hybrid ? plan_platform_token(opts, file.document)
                                                    : plan_token(opts, key_file.load(), file.document);
    } catch (const std::invalid_argument& e) {
        print_error(e.what());
        return k_exit_usage;
    }

    auto wanted = [&](const std::string& auth_token) {
        std::vector<setup::EnvEntry> env = {{setup::k_env_base_url, base_url},
                                            {setup::k_env_auth_token, auth_token}};
        if (models.main) env.push_back({setup::k_env_model, *models.main});
        env.push_back({setup::k_env_opus, models.opus});
        env.push_back({setup::k_env_sonnet, models.sonnet});
        env.push_back({setup::k_env_haiku, models.haiku});
        return env;
    };
    std::string placeholder = "<" + token.how + ">";
    auto merged =
        setup::apply_setup(file.document, wanted(token.create ? placeholder : token.token), record,
                           opts.force, file.exists);
    if (merged.changes.empty()) {
        std::cout << "Already set up: " << file.path.string() << " points Claude Code at "
                  << base_url << " (token: " << token.how << "). Nothing changed.\n";
        return k_exit_ok;
    }
    if (opts.dry_run) {
        std::cout << masked_diff(file, merged.settings) << "(dry run: nothing written"
                  << (token.create ? ", no key created" : "") << ")\n";
        return k_exit_ok;
    }

    if (token.create) {
        try {
            token.token = key_file.create(token.key_name, opts.user, true);
        } catch (const std::invalid_argument& e) {
            print_error(e.what());
            return k_exit_usage;
        }
        merged =
            setup::apply_setup(file.document, wanted(token.token), record, opts.force, file.exists);
        merged.record.key_name = token.key_name;
    }
    std::optional<std::filesystem::path> backup;
    try {
        if (file.exists) backup = setup::backup_settings(file);
        setup::save_setup_record(config.data_dir, file.write_path, merged.record);
        setup::write_settings(file, merged.settings);
    } catch (const std::exception& e) {
        if (token.create) key_file.revoke(token.key_name);
        throw;
    }

    std::cout << (file.exists ? "Updated " : "Created ") << file.path.string();
    if (backup) std::cout << " (backup: " << backup->string() << ")";
    std::cout << "\n";
    print_changes(merged.changes);
    std::cout << "Token: " << token.how
              << (token.create ? ", may send usage for any user (Claude Code)" : "")
              << "\nModels: from " << models.source << "\n"
              << "Next: start the gateway (otari up) if it is not running, then try:\n"
              << "  claude -p \"hello\"\n";
    return k_exit_ok;
}

int run_claude_setup(const GlobalOptions& global, const ClaudeSetupOptions& opts) {
    auto loaded = load_config(global);
    if (!loaded) return k_exit_config;
    config::Config config = std::move(*loaded);
    try {
        auto path = setup::claude_settings_path(opts.project ? setup::SettingsScope::project
                                                             : setup::SettingsScope::user);
        auto file = setup::read_settings(path);
        return opts.remove ? run_remove(config, opts, file) : run_setup(config, opts, file);
    } catch (const std::exception& e) {
        print_error(e.what());
        return k_exit_failure;
    }
}

}  // namespace

Runner add_claude_setup(CLI::App& app, GlobalOptions& global) {
    auto* cmd = app.add_subcommand(
        "claude-setup", "Point Claude Code at otari (writes the env block of its settings.json)");
    auto opts = std::make_shared<ClaudeSetupOptions>();
    cmd->add_flag("--project", opts->project,
                  "Write ./.claude/settings.local.json (personal, git-ignored) instead of "
                  "~/.claude/settings.json ($CLAUDE_CONFIG_DIR/settings.json when set)");
    cmd->add_option(
           "--url", opts->url,
           "otari's root URL for ANTHROPIC_BASE_URL (default: from the config's host and port)")
        ->type_name("URL");
    auto model = [&](const char* name, std::optional<std::string>& target, const char* help) {
        return cmd
            ->add_option_function<std::string>(
                name, [&target](const std::string& v) { target = v; }, help)
            ->type_name("MODEL");
    };
    std::vector<CLI::Option*> setup_only;
    setup_only.push_back(model("-m,--model", opts->models.main,
                               "ANTHROPIC_MODEL: Claude Code's main model (default: unset)"));
    setup_only.push_back(
        model("--opus", opts->models.opus,
              "ANTHROPIC_DEFAULT_OPUS_MODEL (default: a model this config serves)"));
    setup_only.push_back(
        model("--sonnet", opts->models.sonnet,
              "ANTHROPIC_DEFAULT_SONNET_MODEL (default: a model this config serves)"));
    setup_only.push_back(model("--haiku", opts->models.haiku,
                               "ANTHROPIC_DEFAULT_HAIKU_MODEL, also used for background calls"));
    setup_only.push_back(
        cmd->add_option(
               "--key", opts->key_name,
               "otari key to use: a new name creates it; an existing key needs its token via "
               "--token "
               "(default: keep the valid token already in the file, else create 'claude-code')")
            ->type_name("KEY"));
    setup_only.push_back(cmd->add_option("--token", opts->token,
                                         "Token of an existing otari key to write ('-' reads it "
                                         "from stdin); checked against the key store")
                             ->type_name("TOKEN"));
    setup_only.push_back(
        cmd->add_option("--user", opts->user,
                        "User a newly created key's spend is bound to (default: the key name)")
            ->type_name("USER"));
    setup_only.push_back(cmd->add_flag(
        "--force", opts->force,
        "Replace an ANTHROPIC_BASE_URL that points elsewhere and remove ANTHROPIC_API_KEY"));
    cmd->add_flag("--dry-run", opts->dry_run,
                  "Print the diff of the settings file and write nothing (no key is created)");
    cmd->add_flag(
        "--remove", opts->remove,
        "Undo what otari set: its keys go, values it replaced come back; nothing else changes");
    cmd->footer(
        "The settings file keeps every other key and its order; the original is backed up to "
        "<file>.otari-bak-<UTC time> before each write. Running it again changes nothing. What "
        "otari "
        "changed is recorded in DATA_DIR/claude-setup.json for --remove.");

    return [&global, opts, setup_only]() {
        for (const auto* opt : setup_only) {
            if (opts->remove && opt->count() > 0) {
                print_error("--remove takes only --project and --dry-run, not " + opt->get_name());
                return k_exit_usage;
            }
        }
        return run_claude_setup(global, *opts);
    };
}

}  // namespace otari::cli
