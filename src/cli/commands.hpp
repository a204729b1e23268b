#pragma once
// One file per subcommand: add_X() declares its options on the CLI11 tree, and the returned
// function runs it after parsing and gives the exit status.
#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace otari::cli {

// Options every subcommand takes.
struct GlobalOptions {
    std::optional<std::string> config_path;
};

using Runner = std::function<int()>;

Runner add_up(CLI::App& app, GlobalOptions& global);
Runner add_keys(CLI::App& app, GlobalOptions& global);
Runner add_claude_setup(CLI::App& app, GlobalOptions& global);
Runner add_completion(CLI::App& app, GlobalOptions& global);
Runner add_completion_values(CLI::App& app, GlobalOptions& global);  // hidden __complete
Runner add_models(CLI::App& app, GlobalOptions& global);
Runner add_usage(CLI::App& app, GlobalOptions& global);
Runner add_status(CLI::App& app, GlobalOptions& global);
Runner add_down(CLI::App& app, GlobalOptions& global);

// Exit statuses (documented in otari(1)).
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_failure = 1;
inline constexpr int k_exit_usage = 2;
inline constexpr int k_exit_config = 3;
inline constexpr int k_exit_port_taken = 4;

// Print "otari: error: MESSAGE" to stderr.
void print_error(const std::string& message);

// The configuration (--config, $OTARI_CONFIG, the XDG file or the embedded defaults); nullopt
// after printing why it cannot be used (the command then exits with k_exit_config).
std::optional<config::Config> load_config(const GlobalOptions& global);

}  // namespace otari::cli
