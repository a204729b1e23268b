#include "config/config.hpp"

#include <toml++/toml.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "config/builtin_providers.hpp"
#include "util/fileio.hpp"
#include "util/paths.hpp"

namespace otari::config {
namespace {

// Parsing state for one file: where errors point, and warnings gathered on the way.
struct Reader {
    std::string origin;
    std::vector<std::string> warnings;

    [[noreturn]] void fail(const toml::node& node, const std::string& message) const {
        const auto& where = node.source().begin;
        throw ConfigError(origin + ":" + std::to_string(where.line) + ":" +
                          std::to_string(where.column) + ": " + message);
    }

    // "${VAR}" reads the environment. An unset variable expands to "" and is reported once.
    std::string expand(const toml::node& node, const std::string& key, std::string text) {
        std::string out;
        size_t pos = 0;
        while (pos < text.size()) {
            size_t start = text.find("${", pos);
            if (start == std::string::npos) {
                out.append(text, pos);
                break;
            }
            size_t end = text.find('}', start + 2);
            if (end == std::string::npos) fail(node, key + ": unterminated ${ in \"" + text + "\"");
            out.append(text, pos, start - pos);
            std::string var = text.substr(start + 2, end - start - 2);
            if (var.empty()) fail(node, key + ": empty ${} in \"" + text + "\"");
            const char* value = std::getenv(var.c_str());
            if (value) {
                out += value;
            } else {
                warnings.push_back(origin + ":" + std::to_string(node.source().begin.line) +
                                   ": " + key + " uses ${" + var + "}, which is not set");
            }
            pos = end + 1;
        }
        return out;
    }

    std::string string(const toml::node& node, const std::string& key) {
        if (!node.is_string()) fail(node, key + ": expected a string");
        return expand(node, key, node.as_string()->get());
    }

    bool boolean(const toml::node& node, const std::string& key) {
        if (!node.is_boolean()) fail(node, key + ": expected true or false");
        return node.as_boolean()->get();
    }

    int64_t integer(const toml::node& node, const std::string& key, int64_t min, int64_t max) {
        if (!node.is_integer()) fail(node, key + ": expected an integer");
        int64_t v = node.as_integer()->get();
        if (v < min || v > max) {
            fail(node, key + ": expected an integer from " + std::to_string(min) + " to " +
                           std::to_string(max) + ", got " + std::to_string(v));
        }
        return v;
    }

    const toml::table& table(const toml::node& node, const std::string& key) {
        if (!node.is_table()) fail(node, key + ": expected a table");
        return *node.as_table();
    }

    std::vector<std::string> string_list(const toml::node& node, const std::string& key) {
        if (!node.is_array()) fail(node, key + ": expected an array of strings");
        std::vector<std::string> out;
        for (const auto& item : *node.as_array()) out.push_back(string(item, key + "[]"));
        return out;
    }
};

bool valid_provider_name(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
    }
    return true;
}

void validate_base_url(Reader& r, const toml::node& node, const std::string& key, const std::string& url) {
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
        r.fail(node, key + ": expected an http:// or https:// URL, got \"" + url + "\"");
    }
}

Provider read_provider(Reader& r, const std::string& name, const toml::table& t) {
    const std::string prefix = "providers." + name;
    if (!valid_provider_name(name)) {
        r.fail(t, prefix + ": a provider name may use letters, digits, '_', '-' and '.'");
    }
    Provider p;
    p.name = name;
    p.profile = name;
    const BuiltinProvider* builtin = find_builtin(name);
    if (builtin) {
        p.type = builtin->type;
        p.base_url = std::string(builtin->base_url);
        p.key_env = std::string(builtin->key_env);
        p.needs_key = !builtin->key_env.empty();
        if (const char* key = p.key_env.empty() ? nullptr : std::getenv(p.key_env.c_str())) p.api_key = key;
    }
    bool has_type = false, has_url = false;
    for (const auto& [k, node] : t) {
        const std::string key(k.str());
        const std::string full = prefix + "." + key;
        if (key == "type") {
            std::string type = r.string(node, full);
            if (type == "anthropic") {
                p.type = ProviderType::anthropic;
            } else if (type == "openai") {
                p.type = ProviderType::openai;
            } else {
                r.fail(node, full + ": expected \"anthropic\" or \"openai\", got \"" + type + "\"");
            }
            has_type = true;
        } else if (key == "base_url") {
            p.base_url = r.string(node, full);
            validate_base_url(r, node, full, p.base_url);
            while (!p.base_url.empty() && p.base_url.back() == '/') p.base_url.pop_back();
            has_url = true;
        } else if (key == "api_key") {
            p.api_key = r.string(node, full);
            p.key_env.clear();
            p.needs_key = true;
        } else if (key == "models") {
            p.models = r.string_list(node, full);
        } else if (key == "profile") {
            p.profile = r.string(node, full);
        } else if (key == "ca_file") {
            std::filesystem::path path = util::expand_home(r.string(node, full));
            // Relative to the config file, as a file kept beside it would be written.
            if (path.is_relative()) path = std::filesystem::path(r.origin).parent_path() / path;
            p.ca_file = path.string();
            // Checked here: a path that cannot be read would otherwise fail every call.
            errno = 0;
            std::FILE* file = std::fopen(p.ca_file.c_str(), "rb");
            if (!file) {
                r.fail(node, full + ": cannot read \"" + p.ca_file + "\"" +
                                 (errno ? std::string(" (") + std::strerror(errno) + ")" : ""));
            }
            std::fclose(file);
        } else {
            r.fail(node, "unknown key " + full +
                             " (expected type, base_url, api_key, models, profile or ca_file)");
        }
    }
    if (!builtin) {
        if (!has_type) r.fail(t, prefix + ": missing type = \"anthropic\" or \"openai\"");
        if (!has_url) r.fail(t, prefix + ": missing base_url");
        // A custom server without api_key is taken as keyless (a local server).
        if (p.api_key.empty() && t.find("api_key") == t.end()) p.needs_key = false;
    }
    return p;
}

// A price in USD per million tokens: an integer or float from 0 to 1,000,000.
double read_price(Reader& r, const toml::node& node, const std::string& key) {
    std::optional<double> value;
    if (node.is_integer()) value = double(node.as_integer()->get());
    if (node.is_floating_point()) value = node.as_floating_point()->get();
    if (!value || !(*value >= 0 && *value <= 1e6)) {
        r.fail(node, key + ": expected a price in USD per million tokens from 0 to 1000000");
    }
    return *value;
}

// [pricing."provider:model"]: the key names a model the way requests do.
PriceOverride read_price_override(Reader& r, const std::string& selector, const toml::table& t) {
    const std::string prefix = "pricing.\"" + selector + "\"";
    const size_t colon = selector.find(':');
    if (colon == std::string::npos || colon + 1 == selector.size() ||
        !valid_provider_name(selector.substr(0, colon))) {
        r.fail(t, prefix + ": expected a \"provider:model\" key, e.g. \"anthropic:claude-opus-4-5\"");
    }
    PriceOverride o;
    for (const auto& [k, node] : t) {
        const std::string key(k.str());
        const std::string full = prefix + "." + key;
        if (key == "input_per_mtok") {
            o.input_per_mtok = read_price(r, node, full);
        } else if (key == "output_per_mtok") {
            o.output_per_mtok = read_price(r, node, full);
        } else if (key == "cache_read_per_mtok") {
            o.cache_read_per_mtok = read_price(r, node, full);
        } else if (key == "cache_write_per_mtok") {
            o.cache_write_per_mtok = read_price(r, node, full);
        } else if (key == "context_window") {
            o.context_window = r.integer(node, full, 1, 1'000'000'000);
        } else {
            r.fail(node, "unknown key " + full +
                             " (expected input_per_mtok, output_per_mtok, cache_read_per_mtok, "
                             "cache_write_per_mtok or context_window)");
        }
    }
    return o;
}

// Built-in providers become usable when their key is in the environment (or need none).
void add_builtin_providers(Config& config) {
    for (const auto& b : builtin_providers()) {
        std::string name(b.name);
        if (config.providers.count(name)) continue;
        Provider p;
        p.name = name;
        p.type = b.type;
        p.base_url = std::string(b.base_url);
        p.key_env = std::string(b.key_env);
        p.needs_key = !b.key_env.empty();
        p.builtin = true;
        p.profile = name;
        if (p.needs_key) {
            const char* key = std::getenv(p.key_env.c_str());
            if (!key || !*key) continue;
            p.api_key = key;
        }
        config.providers.emplace(name, std::move(p));
    }
}

PlatformSettings read_platform(Reader& r, const toml::table& t) {
    PlatformSettings p;
    for (const auto& [k, node] : t) {
        const std::string key(k.str());
        const std::string full = "platform." + key;
        if (key == "token") {
            p.token = r.string(node, full);
        } else if (key == "base_url") {
            p.base_url = r.string(node, full);
            validate_base_url(r, node, full, p.base_url);
        } else if (key == "health_url") {
            p.health_url = r.string(node, full);
            validate_base_url(r, node, full, p.health_url);
        } else if (key == "resolve_timeout_ms") {
            p.resolve_timeout_ms = long(r.integer(node, full, 100, 600000));
        } else if (key == "usage_timeout_ms") {
            p.usage_timeout_ms = long(r.integer(node, full, 100, 600000));
        } else if (key == "usage_max_retries") {
            p.usage_max_retries = int(r.integer(node, full, 0, 20));
        } else if (key == "first_chunk_timeout_ms") {
            p.first_chunk_timeout_ms = long(r.integer(node, full, 100, 600000));
        } else {
            r.fail(node, "unknown key " + full +
                             " (expected token, base_url, health_url, resolve_timeout_ms, usage_timeout_ms, "
                             "usage_max_retries or first_chunk_timeout_ms)");
        }
    }
    return p;
}

std::string env_or_empty(const char* name) {
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

// Settle the mode from the token (file or $OTARI_AI_TOKEN) and check that a declared mode
// ("mode" in the file or $OTARI_MODE) agrees with it.
void settle_mode(Config& c, const std::string& origin, const std::optional<std::string>& declared,
                 bool has_configured_providers) {
    if (std::string token = env_or_empty("OTARI_AI_TOKEN"); !token.empty()) c.platform.token = token;
    std::string url = env_or_empty("OTARI_PLATFORM_URL");
    if (url.empty()) url = env_or_empty("PLATFORM_BASE_URL");  // the Python gateway's name
    if (!url.empty()) {
        if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
            throw ConfigError("OTARI_PLATFORM_URL: expected an http:// or https:// URL, got \"" + url + "\"");
        }
        c.platform.base_url = url;
    }
    while (!c.platform.base_url.empty() && c.platform.base_url.back() == '/') c.platform.base_url.pop_back();
    if (c.platform.health_url.empty()) c.platform.health_url = c.platform.base_url + "/utils/health-check/";
    c.mode = c.platform.token.empty() ? Mode::standalone : Mode::hybrid;
    std::string wanted = declared.value_or("");
    if (std::string env_mode = env_or_empty("OTARI_MODE"); !env_mode.empty()) wanted = env_mode;
    if (wanted == "platform") wanted = "hybrid";
    if (wanted == "hybrid" && c.mode != Mode::hybrid) {
        throw ConfigError(origin + ": mode is \"hybrid\" but no platform gateway token is set: set OTARI_AI_TOKEN=gw_... "
                          "or [platform] token");
    }
    if (wanted == "standalone" && c.mode == Mode::hybrid) {
        throw ConfigError(origin + ": mode is \"standalone\" but a platform gateway token is set (" +
                          (env_or_empty("OTARI_AI_TOKEN").empty() ? "[platform] token" : "OTARI_AI_TOKEN") +
                          "): remove it, or set mode = \"hybrid\"");
    }
    if (!wanted.empty() && wanted != "hybrid" && wanted != "standalone") {
        throw ConfigError(origin + ": mode: expected \"standalone\" or \"hybrid\", got \"" + wanted + "\"");
    }
    if (c.mode == Mode::hybrid && has_configured_providers) {
        std::string names;
        for (const auto& [name, provider] : c.providers) names += (names.empty() ? "" : ", ") + name;
        throw ConfigError(origin + ": [providers] (" + names +
                          ") cannot be used in hybrid mode: the platform hands out provider credentials. "
                          "Remove them, or unset the platform token to run standalone");
    }
    if (c.mode == Mode::hybrid && c.platform.token.rfind("gw_", 0) != 0) {
        c.warnings.push_back("the platform token does not start with gw_: is it a gateway token?");
    }
}

// $OTARI_IO: how connections are served (see server::Options::Io).
void settle_io(Config& c) {
    std::string io = env_or_empty("OTARI_IO");
    if (io.empty() || io == "fibers") return;
    if (io == "threads") {
        c.threaded_io = true;
        return;
    }
    throw ConfigError("OTARI_IO: expected \"fibers\" or \"threads\", got \"" + io + "\"");
}

Config read_root(Reader& r, const toml::table& root) {
    Config c;
    std::optional<std::string> declared_mode;
    c.data_dir = util::xdg_data_home() / "otari";
    for (const auto& [k, node] : root) {
        const std::string key(k.str());
        if (key == "host") {
            c.host = r.string(node, key);
            if (c.host.empty()) r.fail(node, "host: expected an address such as \"127.0.0.1\"");
        } else if (key == "port") {
            c.port = int(r.integer(node, key, 0, 65535));
        } else if (key == "data_dir") {
            c.data_dir = util::expand_home(r.string(node, key));
        } else if (key == "reject_user_mismatch") {
            c.reject_user_mismatch = r.boolean(node, key);
        } else if (key == "providers") {
            for (const auto& [name, pnode] : r.table(node, key)) {
                std::string pname(name.str());
                c.providers[pname] = read_provider(r, pname, r.table(pnode, "providers." + pname));
            }
        } else if (key == "aliases") {
            for (const auto& [alias, target] : r.table(node, key)) {
                std::string full = "aliases." + std::string(alias.str());
                std::string value = r.string(target, full);
                if (value.find(':') == std::string::npos && value.find('/') == std::string::npos) {
                    r.fail(target, full + ": expected \"provider:model\", got \"" + value + "\"");
                }
                c.aliases[std::string(alias.str())] = value;
            }
        } else if (key == "users") {
            for (const auto& [name, unode] : r.table(node, key)) {
                const std::string where = "users." + std::string(name.str());
                UserBudget budget;
                for (const auto& [field, value] : r.table(unode, where)) {
                    const std::string full = where + "." + std::string(field.str());
                    if (field.str() == "budget_usd") {
                        if (!value.is_number() || value.value<double>().value_or(-1) < 0) {
                            r.fail(value, full + ": expected a number of dollars >= 0");
                        }
                        budget.budget_usd = value.value<double>();
                    } else if (field.str() == "period") {
                        budget.period = r.string(value, full);
                        if (budget.period != "day" && budget.period != "week" && budget.period != "month" &&
                            budget.period != "total") {
                            r.fail(value, full + ": expected \"day\", \"week\", \"month\" or \"total\"");
                        }
                    } else if (field.str() == "max_tokens") {
                        budget.max_tokens = r.integer(value, full, 0, INT64_MAX);
                    } else if (field.str() == "max_requests") {
                        budget.max_requests = r.integer(value, full, 0, INT64_MAX);
                    } else {
                        r.fail(value, "unknown key " + full + " (expected budget_usd, period, max_tokens or max_requests)");
                    }
                }
                c.users[std::string(name.str())] = budget;
            }
        } else if (key == "otlp") {
            for (const auto& [field, value] : r.table(node, key)) {
                const std::string full = "otlp." + std::string(field.str());
                if (field.str() == "endpoint") {
                    c.otlp_endpoint = r.string(value, full);
                    validate_base_url(r, value, full, c.otlp_endpoint);
                } else {
                    r.fail(value, "unknown key " + full + " (expected endpoint)");
                }
            }
        } else if (key == "mode") {
            declared_mode = r.string(node, key);
            if (*declared_mode != "standalone" && *declared_mode != "hybrid" && *declared_mode != "platform") {
                r.fail(node, "mode: expected \"standalone\" or \"hybrid\", got \"" + *declared_mode + "\"");
            }
        } else if (key == "platform") {
            c.platform = read_platform(r, r.table(node, key));
        } else if (key == "require_pricing") {
            c.require_pricing = r.boolean(node, key);
        } else if (key == "trace_bodies") {
            c.trace_bodies = r.boolean(node, key);
        } else if (key == "pricing") {
            for (const auto& [selector, pnode] : r.table(node, key)) {
                std::string name(selector.str());
                const std::string where = "pricing.\"" + name + "\"";
                c.pricing[name] = read_price_override(r, name, r.table(pnode, where));
            }
        } else {
            r.fail(node, "unknown key " + key +
                             " (expected host, port, data_dir, reject_user_mismatch, mode, "
                             "require_pricing, trace_bodies, [providers.NAME], [aliases], [users.NAME], [otlp], [platform] or "
                             "[pricing.\"provider:model\"])");
        }
    }
    c.warnings = std::move(r.warnings);
    settle_mode(c, r.origin, declared_mode, !c.providers.empty());
    settle_io(c);
    // Hybrid mode never consults local provider keys: the platform supplies credentials.
    if (c.mode == Mode::standalone) add_builtin_providers(c);
    if (c.mode == Mode::hybrid && !c.users.empty()) {
        c.warnings.push_back("[users] budgets do not apply in hybrid mode: the platform enforces budgets");
    }
    return c;
}

}  // namespace

std::string_view mode_name(Mode mode) { return mode == Mode::hybrid ? "hybrid" : "standalone"; }

std::optional<std::filesystem::path> locate(const std::optional<std::string>& cli_path) {
    if (cli_path) {
        if (!std::filesystem::exists(*cli_path)) throw ConfigError(*cli_path + ": no such file (from --config)");
        return std::filesystem::path(*cli_path);
    }
    if (const char* env = std::getenv("OTARI_CONFIG"); env && *env) {
        if (!std::filesystem::exists(env)) throw ConfigError(std::string(env) + ": no such file (from $OTARI_CONFIG)");
        return std::filesystem::path(env);
    }
    auto user = util::xdg_config_home() / "otari" / "config.toml";
    if (std::filesystem::exists(user)) return user;
    return std::nullopt;
}

Config parse(const std::string& toml_text, const std::string& origin) {
    Reader reader{origin, {}};
    toml::table root;
    try {
        root = toml::parse(toml_text, origin);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        throw ConfigError(origin + ":" + std::to_string(where.line) + ":" +
                          std::to_string(where.column) + ": " + std::string(e.description()));
    }
    Config c = read_root(reader, root);
    c.source = origin;
    return c;
}

Config load(const std::optional<std::filesystem::path>& path) {
    if (!path) return parse("", "embedded defaults");
    std::optional<std::string> text;
    try {
        text = util::read_file(*path);
    } catch (const std::exception& e) {
        throw ConfigError(e.what());
    }
    if (!text) throw ConfigError(path->string() + ": no such file");
    return parse(*text, path->string());
}

}  // namespace otari::config
