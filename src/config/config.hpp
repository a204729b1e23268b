#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace otari::config {

enum class ProviderType { anthropic, openai };

struct Provider {
    std::string name;  // the model-string prefix: "NAME:model"
    ProviderType type = ProviderType::openai;
    std::string base_url;  // anthropic: the root; openai: up to and including /v1
    std::string api_key;   // empty: none (local servers) or missing (see key_env)
    std::string key_env;   // where a built-in provider's key comes from, for messages
    bool needs_key = true;
    bool builtin = false;  // from the well-known table rather than [providers.NAME]
    std::string profile;   // translation quirk profile name (defaults to NAME)
    // PEM file of certificates that verify this provider's TLS certificate, in place of the
    // system's store: a server with a private CA or a self-signed certificate. Empty: system.
    std::string ca_file;
    std::vector<std::string> models;  // declared ids, for the catalog
};

// [users.NAME]: a user's budget per period (calendar periods in UTC). Unset caps do not apply.
struct UserBudget {
    std::optional<double> budget_usd;
    std::string period = "month";  // day, week, month or total
    std::optional<int64_t> max_tokens;
    std::optional<int64_t> max_requests;
};

// [pricing."provider:model"]: prices that replace the embedded catalog's, in USD per million
// tokens as written (pricing/ converts them exactly). Unset fields keep the catalog's values.
struct PriceOverride {
    std::optional<double> input_per_mtok;
    std::optional<double> output_per_mtok;
    std::optional<double> cache_read_per_mtok;
    std::optional<double> cache_write_per_mtok;
    std::optional<int64_t> context_window;
};

// Standalone: otari holds keys, budgets and provider credentials. Hybrid: a platform service
// authorizes each call with the caller's token and hands out provider credentials.
enum class Mode { standalone, hybrid };

// [platform] (hybrid mode). The token also comes from $OTARI_AI_TOKEN and the URL from
// $OTARI_PLATFORM_URL, which win over the file.
struct PlatformSettings {
    std::string token;  // the gateway token (gw_...); set means hybrid mode
    std::string base_url = "https://api.otari.ai/api/v1";  // endpoints are appended literally
    std::string health_url;  // probed for /health; default base_url + "/utils/health-check/"
    long resolve_timeout_ms = 5000;
    long usage_timeout_ms = 5000;
    int usage_max_retries = 3;
    // A streamed attempt that has another one after it must answer (status and headers)
    // within this, else the next attempt is tried.
    long first_chunk_timeout_ms = 2000;
};

struct Config {
    std::string host = "127.0.0.1";
    int port = 8000;
    std::filesystem::path data_dir;
    bool reject_user_mismatch = true;
    std::map<std::string, Provider> providers;    // usable providers, by name
    std::map<std::string, std::string> aliases;   // bare name -> "provider:model"
    std::map<std::string, PriceOverride> pricing;  // by "provider:model"
    std::map<std::string, UserBudget> users;       // [users.NAME] budgets
    bool require_pricing = false;  // refuse models without a known price
    bool trace_bodies = false;     // traces.jsonl also keeps each request body (prompt text)
    std::string otlp_endpoint;     // [otlp] endpoint: export spans there when set
    Mode mode = Mode::standalone;
    PlatformSettings platform;
    bool threaded_io = false;  // $OTARI_IO=threads: a thread per connection instead of fibers
    std::string source = "embedded defaults";     // the file it came from
    std::vector<std::string> warnings;            // shown once at start
};

// A config file that cannot be used; what() names the file, the line and what was expected.
struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Where the config comes from: `--config PATH`, then $OTARI_CONFIG, then
// $XDG_CONFIG_HOME/otari/config.toml, then nothing (embedded defaults).
std::optional<std::filesystem::path> locate(const std::optional<std::string>& cli_path);

// Load and validate. `path` nullopt means embedded defaults. Throws ConfigError.
Config load(const std::optional<std::filesystem::path>& path);

std::string_view mode_name(Mode mode);

// Parse TOML text (for tests); `origin` names it in errors.
Config parse(const std::string& toml_text, const std::string& origin);

}  // namespace otari::config
