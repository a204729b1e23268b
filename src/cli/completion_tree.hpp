#pragma once
// The command tree as shell completion sees it, read from the CLI11 tree that is parsed, so
// completion scripts never drift from the real options.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace otari::cli {

// What an option's (or a positional's) value completes to.
enum class ValueKind {
    none,       // a flag: takes no value
    text,       // free text: nothing to offer
    choice,     // one of `choices`
    file,       // a path
    models,     // `otari __complete models`
    providers,  // `otari __complete providers`
    keys,       // `otari __complete keys`
};

struct CompletionOption {
    std::vector<std::string> names;  // "-m", "--model"
    std::string help;
    ValueKind kind = ValueKind::none;
    std::vector<std::string> choices;
};

struct CompletionCommand {
    std::string name;  // "" for the root
    std::string path;  // "keys create"; "" for the root
    std::string help;
    std::vector<CompletionOption> options;
    ValueKind positional = ValueKind::none;  // what a bare word after it completes to
    std::vector<std::string> positional_choices;
    std::vector<CompletionCommand> subcommands;
};

// Walk `app`: visible subcommands and options (hidden ones, group "", are left out). The value
// kind comes from the option's type name: MODEL, PROVIDER, KEY, PATH/FILE/DIR, or the set of
// a CLI::IsMember check.
CompletionCommand describe_command_tree(const CLI::App& app);

// The command at `path` ("" = root), or nullptr.
const CompletionCommand* find_command(const CompletionCommand& root, const std::string& path);

}  // namespace otari::cli
