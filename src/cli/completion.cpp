// otari completion bash|zsh|fish
//   Print a completion script generated from the command tree that is parsed.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/completion_scripts.hpp"
#include "cli/completion_tree.hpp"

namespace otari::cli {

Runner add_completion(CLI::App& app, GlobalOptions&) {
    auto* cmd =
        app.add_subcommand("completion", "Print a shell completion script (bash, zsh or fish)");
    auto shell = std::make_shared<std::string>();
    cmd->add_option("shell", *shell, "The shell")
        ->required()
        ->check(CLI::IsMember({"bash", "zsh", "fish"}));
    cmd->footer(
        "bash: source <(otari completion bash)   (or save it as "
        "~/.local/share/bash-completion/completions/otari)\n"
        "zsh:  otari completion zsh > \"${fpath[1]}/_otari\"   (or source <(otari completion zsh) "
        "after compinit)\n"
        "fish: otari completion fish > ~/.config/fish/completions/otari.fish");
    CLI::App* root = &app;
    return [root, shell]() {
        CompletionCommand tree = describe_command_tree(*root);
        if (*shell == "bash") std::cout << bash_completion_script(tree);
        if (*shell == "zsh") std::cout << zsh_completion_script(tree);
        if (*shell == "fish") std::cout << fish_completion_script(tree);
        std::cout.flush();
        return k_exit_ok;
    };
}

}  // namespace otari::cli
