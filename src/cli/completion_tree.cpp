#include "cli/completion_tree.hpp"

#include <algorithm>
#include <cctype>

namespace otari::cli {
namespace {

std::string upper(std::string text) {
    for (char& c : text) c = char(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

// "TEXT:{bash,fish,zsh}" -> {"bash","fish","zsh"}.
std::vector<std::string> member_choices(const std::string& type_name) {
    std::vector<std::string> out;
    size_t open = type_name.find(":{");
    size_t close = type_name.find('}', open == std::string::npos ? 0 : open);
    if (open == std::string::npos || close == std::string::npos) return out;
    std::string list = type_name.substr(open + 2, close - open - 2);
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        std::string item = list.substr(start, comma - start);
        while (!item.empty() && item.front() == ' ') item.erase(item.begin());
        if (!item.empty()) out.push_back(item);
        start = comma + 1;
    }
    return out;
}

void classify(const CLI::Option& opt, ValueKind& kind, std::vector<std::string>& choices) {
    if (opt.get_expected_max() == 0) {  // a flag
        kind = ValueKind::none;
        return;
    }
    std::string type_name = opt.get_type_name();
    choices = member_choices(type_name);
    if (!choices.empty()) {
        kind = ValueKind::choice;
        return;
    }
    std::string base = upper(type_name.substr(0, type_name.find(':')));
    if (base == "MODEL") {
        kind = ValueKind::models;
    } else if (base == "PROVIDER") {
        kind = ValueKind::providers;
    } else if (base == "KEY") {
        kind = ValueKind::keys;
    } else if (base == "PATH" || base == "FILE" || base == "DIR") {
        kind = ValueKind::file;
    } else {
        kind = ValueKind::text;
    }
}

CompletionCommand describe(const CLI::App& app, const std::string& path) {
    CompletionCommand cmd;
    cmd.name = app.get_name();
    cmd.path = path;
    cmd.help = app.get_description();
    for (const CLI::Option* opt : app.get_options()) {
        if (opt->get_group().empty()) continue;
        if (!opt->nonpositional()) {
            classify(*opt, cmd.positional, cmd.positional_choices);
            continue;
        }
        CompletionOption out;
        for (const auto& s : opt->get_snames()) out.names.push_back("-" + s);
        for (const auto& l : opt->get_lnames()) out.names.push_back("--" + l);
        out.help = opt->get_description();
        classify(*opt, out.kind, out.choices);
        cmd.options.push_back(std::move(out));
    }
    for (const CLI::App* sub : app.get_subcommands(
             [](const CLI::App* a) { return !a->get_name().empty() && !a->get_group().empty(); })) {
        std::string sub_path = path.empty() ? sub->get_name() : path + " " + sub->get_name();
        cmd.subcommands.push_back(describe(*sub, sub_path));
    }
    return cmd;
}

}  // namespace

CompletionCommand describe_command_tree(const CLI::App& app) {
    CompletionCommand root = describe(app, "");
    root.name = app.get_name();
    return root;
}

const CompletionCommand* find_command(const CompletionCommand& root, const std::string& path) {
    if (root.path == path) return &root;
    for (const auto& sub : root.subcommands) {
        if (const auto* found = find_command(sub, path)) return found;
    }
    return nullptr;
}

}  // namespace otari::cli
