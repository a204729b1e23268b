#pragma once
// Shell completion scripts for otari, generated from the command tree (completion_tree.hpp).
// Dynamic values (models, providers, keys) come from `otari [--config PATH] __complete KIND`
// at completion time, passing on a --config given on the command line being completed.
#include <string>

#include "cli/completion_tree.hpp"

namespace otari::cli {

// For bash (with or without the bash-completion package): defines _otari, `complete -F`.
std::string bash_completion_script(const CompletionCommand& root);
// For zsh: an autoloadable `_otari` (#compdef) that also works when sourced.
std::string zsh_completion_script(const CompletionCommand& root);
// For fish: `complete -c otari` backed by __otari_complete.
std::string fish_completion_script(const CompletionCommand& root);

}  // namespace otari::cli
