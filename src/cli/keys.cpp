// otari keys create NAME [--user USER] [--allow-user-mismatch]
// otari keys list [--json]
// otari keys revoke NAME
#include <iomanip>
#include <iostream>

#include "auth/keystore.hpp"
#include "cli/commands.hpp"
#include "config/config.hpp"
#include "util/json.hpp"

namespace otari::cli {
namespace {

struct KeysOptions {
    std::string name;
    std::string user;
    bool allow_user_mismatch = false;
    bool json = false;
    std::optional<double> budget_usd;
    std::string period = "month";
    std::optional<int64_t> max_tokens;
    std::optional<int64_t> max_requests;
};

// The key's budget as stored in the key file, or an empty object.
json budget_extra(const KeysOptions& opts) {
    json budget = json::object();
    if (opts.budget_usd) budget["usd"] = *opts.budget_usd;
    if (opts.max_tokens) budget["max_tokens"] = *opts.max_tokens;
    if (opts.max_requests) budget["max_requests"] = *opts.max_requests;
    if (budget.empty()) return json::object();
    budget["period"] = opts.period;
    return {{"budget", budget}};
}

std::string describe_budget(const auth::Key& key) {
    auto it = key.extra.find("budget");
    if (it == key.extra.end() || !it->is_object()) return "-";
    std::string out;
    if (it->contains("usd")) out += "$" + (*it)["usd"].dump();
    if (it->contains("max_tokens")) out += std::string(out.empty() ? "" : ", ") + (*it)["max_tokens"].dump() + " tokens";
    if (it->contains("max_requests")) out += std::string(out.empty() ? "" : ", ") + (*it)["max_requests"].dump() + " requests";
    return out + " / " + it->value("period", "month");
}

int run_create(const GlobalOptions& global, const KeysOptions& opts) {
    auto config = load_config(global);
    if (!config) return k_exit_config;
    try {
        auth::KeyFile file(config->data_dir);
        std::string token = file.create(opts.name, opts.user, opts.allow_user_mismatch, budget_extra(opts));
        std::cerr << "Created key '" << opts.name << "' for user '" << (opts.user.empty() ? opts.name : opts.user)
                  << "'" << (opts.allow_user_mismatch ? " (user mismatch allowed)" : "")
                  << ". The token is shown once; store it now:\n";
        std::cout << token << std::endl;
        return k_exit_ok;
    } catch (const std::invalid_argument& e) {
        print_error(e.what());
        return k_exit_usage;
    } catch (const std::exception& e) {
        print_error(e.what());
        return k_exit_failure;
    }
}

int run_list(const GlobalOptions& global, const KeysOptions& opts) {
    auto config = load_config(global);
    if (!config) return k_exit_config;
    std::vector<auth::Key> keys;
    try {
        keys = auth::KeyFile(config->data_dir).load();
    } catch (const std::exception& e) {
        print_error(e.what());
        return k_exit_failure;
    }
    if (opts.json) {
        json out = json::array();
        for (const auto& k : keys) {
            out.push_back({{"name", k.name}, {"user", k.user}, {"created_at", k.created_at},
                           {"allow_user_mismatch", k.allow_user_mismatch},
                           {"budget", k.extra.value("budget", json(nullptr))}});
        }
        std::cout << out.dump(2) << std::endl;
        return k_exit_ok;
    }
    if (keys.empty()) {
        std::cout << "No keys yet. Create one with: otari keys create NAME" << std::endl;
        return k_exit_ok;
    }
    size_t name_w = 4, user_w = 4;
    for (const auto& k : keys) {
        name_w = std::max(name_w, k.name.size());
        user_w = std::max(user_w, k.user.size());
    }
    std::cout << std::left << std::setw(int(name_w)) << "NAME" << "  " << std::setw(int(user_w)) << "USER"
              << "  " << std::setw(20) << "CREATED" << "  " << std::setw(13) << "USER MISMATCH" << "  BUDGET\n";
    for (const auto& k : keys) {
        std::cout << std::setw(int(name_w)) << k.name << "  " << std::setw(int(user_w)) << k.user << "  "
                  << std::setw(20) << k.created_at << "  " << std::setw(13)
                  << (k.allow_user_mismatch ? "allowed" : "rejected") << "  " << describe_budget(k) << "\n";
    }
    std::cout.flush();
    return k_exit_ok;
}

int run_revoke(const GlobalOptions& global, const KeysOptions& opts) {
    auto config = load_config(global);
    if (!config) return k_exit_config;
    try {
        if (!auth::KeyFile(config->data_dir).revoke(opts.name)) {
            print_error("no key named '" + opts.name + "' (see `otari keys list`)");
            return k_exit_failure;
        }
    } catch (const std::exception& e) {
        print_error(e.what());
        return k_exit_failure;
    }
    std::cerr << "Revoked key '" << opts.name << "'. A running gateway refuses it within a second.\n";
    return k_exit_ok;
}

}  // namespace

Runner add_keys(CLI::App& app, GlobalOptions& global) {
    auto* cmd = app.add_subcommand("keys", "Create, list and revoke otari keys (tk_...)");
    cmd->require_subcommand(1);
    auto opts = std::make_shared<KeysOptions>();

    auto* create = cmd->add_subcommand("create", "Create a key and print its token once");
    create->add_option("name", opts->name, "Key name")->required();
    create->add_option("-u,--user", opts->user, "User the key's spend is bound to (default: the key name)");
    create->add_flag("--allow-user-mismatch", opts->allow_user_mismatch,
                     "Accept requests whose metadata.user_id names another user (needed for Claude Code)");
    create->add_option("--budget-usd", opts->budget_usd, "Spend limit in USD per period")->check(CLI::NonNegativeNumber);
    create->add_option("--period", opts->period, "Budget period: day, week, month or total (UTC calendar)")
        ->check(CLI::IsMember({"day", "week", "month", "total"}))
        ->capture_default_str();
    create->add_option("--max-tokens", opts->max_tokens, "Input + output token cap per period")->check(CLI::NonNegativeNumber);
    create->add_option("--max-requests", opts->max_requests, "Request cap per period")->check(CLI::NonNegativeNumber);
    auto* list = cmd->add_subcommand("list", "List keys (never their tokens)");
    list->add_flag("--json", opts->json, "Print JSON");
    auto* revoke = cmd->add_subcommand("revoke", "Revoke a key");
    revoke->add_option("name", opts->name, "Key name")->required()->type_name("KEY");

    return [&global, opts, create, list, revoke]() {
        if (create->parsed()) return run_create(global, *opts);
        if (list->parsed()) return run_list(global, *opts);
        if (revoke->parsed()) return run_revoke(global, *opts);
        return k_exit_usage;
    };
}

}  // namespace otari::cli
