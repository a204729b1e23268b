#include "cli/completion_scripts.hpp"

#include <functional>

namespace otari::cli {
namespace {

// 'text' for sh (bash, zsh).
std::string sh_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// 'text' for fish, where \ and ' are escaped inside single quotes.
std::string fish_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\\' || c == '\'') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string join(const std::vector<std::string>& items, const std::string& sep = " ") {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
    return out;
}

// The value word the scripts dispatch on: models, providers, keys, file, text,
// "choice:A B C"; "" for a flag.
std::string value_word(ValueKind kind, const std::vector<std::string>& choices) {
    switch (kind) {
        case ValueKind::none:
            return "";
        case ValueKind::text:
            return "text";
        case ValueKind::choice:
            return "choice:" + join(choices);
        case ValueKind::file:
            return "file";
        case ValueKind::models:
            return "models";
        case ValueKind::providers:
            return "providers";
        case ValueKind::keys:
            return "keys";
    }
    return "";
}

// The help's first clause, short enough for a completion menu.
std::string short_help(const std::string& help) {
    std::string out = help.substr(0, help.find(" ("));
    out = out.substr(0, out.find('\n'));
    if (out.size() > 70) out = out.substr(0, 67) + "...";
    return out;
}

void each_command(const CompletionCommand& cmd,
                  const std::function<void(const CompletionCommand&)>& fn) {
    fn(cmd);
    for (const auto& sub : cmd.subcommands) each_command(sub, fn);
}

// The four lookup tables, as sh functions (bash and zsh read them the same way).
std::string sh_tables(const CompletionCommand& root) {
    std::string subs = "_otari_subcommands() {\n    case \"$1\" in\n";
    std::string opts = "_otari_options() {\n    case \"$1\" in\n";
    std::string values =
        "# The value an option takes (see _otari_values); nothing for a flag.\n"
        "_otari_option_value() {\n    case \"$1|$2\" in\n";
    std::string positional = "_otari_positional_value() {\n    case \"$1\" in\n";
    each_command(root, [&](const CompletionCommand& cmd) {
        if (!cmd.subcommands.empty()) {
            std::vector<std::string> names;
            for (const auto& sub : cmd.subcommands) names.push_back(sub.name);
            subs += "        " + sh_quote(cmd.path) + ") echo " + sh_quote(join(names)) + " ;;\n";
        }
        std::vector<std::string> names;
        for (const auto& opt : cmd.options) {
            for (const auto& name : opt.names) names.push_back(name);
            std::string word = value_word(opt.kind, opt.choices);
            if (word.empty()) continue;
            std::vector<std::string> patterns;
            for (const auto& name : opt.names) patterns.push_back(sh_quote(cmd.path + "|" + name));
            values += "        " + join(patterns, "|") + ") echo " + sh_quote(word) + " ;;\n";
        }
        if (!names.empty())
            opts += "        " + sh_quote(cmd.path) + ") echo " + sh_quote(join(names)) + " ;;\n";
        std::string word = value_word(cmd.positional, cmd.positional_choices);
        if (!word.empty())
            positional += "        " + sh_quote(cmd.path) + ") echo " + sh_quote(word) + " ;;\n";
    });
    const std::string end = "    esac\n}\n\n";
    return subs + end + opts + end + values + end + positional + end;
}

constexpr const char* k_sh_value_of =
    R"SH(# An option's value kind in the command at $1, falling back to the root's options.
_otari_value_of() {
    local v
    v=$(_otari_option_value "$1" "$2")
    if [[ -z "$v" && -n "$1" ]]; then v=$(_otari_option_value '' "$2"); fi
    printf '%s' "$v"
}

)SH";

constexpr const char* k_bash_body =
    R"SH(# Candidates for a value kind, one per line: $1 kind, $2 the otari being completed, then
# the --config to pass on.
_otari_values() {
    local kind=$1 cmd=$2
    shift 2
    case "$kind" in
        models|providers|keys) "$cmd" "$@" __complete "$kind" 2>/dev/null ;;
        choice:*) printf '%s\n' ${kind#choice:} ;;
    esac
}

_otari() {
    local line="${COMP_LINE:0:COMP_POINT}" cur="" cmdpath="" pending="" kind="" prefix="" cands=""
    local w sub i c
    local -a words config
    read -r -a words <<< "$line"
    if [[ -n "$line" && "$line" != *[[:space:]] ]]; then
        cur="${words[${#words[@]}-1]}"
        unset "words[${#words[@]}-1]"
    fi
    local cmd="${words[0]:-otari}"
    for ((i = 1; i < ${#words[@]}; i++)); do
        w="${words[i]}"
        if [[ -n "$pending" ]]; then
            [[ "$pending" == config ]] && config=(--config "$w")
            pending=""
            continue
        fi
        case "$w" in
            --config=*) config=(--config "${w#--config=}") ;;
            -c|--config) pending=config ;;
            -*=*) ;;
            -*) [[ -n "$(_otari_value_of "$cmdpath" "$w")" ]] && pending=value ;;
            *)
                for sub in $(_otari_subcommands "$cmdpath"); do
                    if [[ "$sub" == "$w" ]]; then
                        cmdpath="${cmdpath:+$cmdpath }$w"
                        break
                    fi
                done
                ;;
        esac
    done
    if [[ -n "$pending" ]]; then
        kind=$(_otari_value_of "$cmdpath" "${words[${#words[@]}-1]}")
    elif [[ "$cur" == -*=* ]]; then
        kind=$(_otari_value_of "$cmdpath" "${cur%%=*}")
        prefix="${cur%%=*}="
    elif [[ "$cur" == -* ]]; then
        cands=$(printf '%s\n' $(_otari_options "$cmdpath"))
    elif [[ -n "$(_otari_subcommands "$cmdpath")" ]]; then
        cands=$(printf '%s\n' $(_otari_subcommands "$cmdpath"))
    else
        kind=$(_otari_positional_value "$cmdpath")
    fi
    if [[ "$kind" == file ]]; then
        type compopt >/dev/null 2>&1 && compopt -o filenames
        COMPREPLY=($(compgen -f -- "${cur#"$prefix"}"))
        return 0
    fi
    [[ -n "$kind" ]] && cands=$(_otari_values "$kind" "$cmd" "${config[@]}")
    # Bash splits words at ':' and '=' (COMP_WORDBREAKS): reply relative to its current word.
    local word="$cur"
    [[ "$COMP_WORDBREAKS" == *=* ]] && word="${word##*=}"
    [[ "$COMP_WORDBREAKS" == *:* ]] && word="${word##*:}"
    local head="${cur%"$word"}"
    COMPREPLY=()
    while IFS= read -r c; do
        c="$prefix$c"
        [[ -n "$c" && "$c" == "$cur"* ]] && COMPREPLY+=("${c#"$head"}")
    done <<< "$cands"
    return 0
}

complete -F _otari otari
)SH";

constexpr const char* k_zsh_body =
    R"SH(# Candidates for a value kind, one per line: $1 kind, $2 the otari being completed, then
# the --config to pass on.
_otari_values() {
    local kind=$1 cmd=$2
    shift 2
    case "$kind" in
        models|providers|keys) "$cmd" "$@" __complete "$kind" 2>/dev/null ;;
        choice:*) print -l -- ${(s: :)${kind#choice:}} ;;
    esac
}

_otari() {
    emulate -L zsh
    local cur="${words[CURRENT]}" cmd="${words[1]}" cmdpath="" pending="" kind="" prefix="" w sub i
    local -a config cands
    for ((i = 2; i < CURRENT; i++)); do
        w="${words[i]}"
        if [[ -n "$pending" ]]; then
            [[ "$pending" == config ]] && config=(--config "$w")
            pending=""
            continue
        fi
        case "$w" in
            --config=*) config=(--config "${w#--config=}") ;;
            -c|--config) pending=config ;;
            -*=*) ;;
            -*) [[ -n "$(_otari_value_of "$cmdpath" "$w")" ]] && pending=value ;;
            *)
                for sub in ${(s: :)"$(_otari_subcommands "$cmdpath")"}; do
                    if [[ "$sub" == "$w" ]]; then
                        cmdpath="${cmdpath:+$cmdpath }$w"
                        break
                    fi
                done
                ;;
        esac
    done
    if [[ -n "$pending" ]]; then
        kind=$(_otari_value_of "$cmdpath" "${words[CURRENT-1]}")
    elif [[ "$cur" == -*=* ]]; then
        kind=$(_otari_value_of "$cmdpath" "${cur%%=*}")
        prefix="${cur%%=*}="
    elif [[ "$cur" == -* ]]; then
        cands=(${(s: :)"$(_otari_options "$cmdpath")"})
    else
        cands=(${(s: :)"$(_otari_subcommands "$cmdpath")"})
        (( ${#cands} )) || kind=$(_otari_positional_value "$cmdpath")
    fi
    case "$kind" in
        file) _files; return ;;
        ''|text) ;;
        *) cands=(${(f)"$(_otari_values "$kind" "$cmd" "${config[@]}")"}) ;;
    esac
    (( ${#cands} )) && compadd -- "${prefix}${^cands[@]}"
}

if [[ "${funcstack[1]}" == _otari ]]; then
    _otari "$@"
else
    compdef _otari otari
fi
)SH";

std::string fish_tables(const CompletionCommand& root) {
    std::string subs = "function __otari_subcommands\n    switch \"$argv[1]\"\n";
    std::string opts = "function __otari_options\n    switch \"$argv[1]\"\n";
    std::string values =
        "# The value an option takes (see __otari_values); nothing for a flag.\n"
        "function __otari_option_value\n    switch \"$argv[1]|$argv[2]\"\n";
    std::string positional = "function __otari_positional_value\n    switch \"$argv[1]\"\n";
    auto entry = [](const std::string& name, const std::string& help) {
        return "        echo " + fish_quote(name) + "\\t" + fish_quote(short_help(help)) + "\n";
    };
    each_command(root, [&](const CompletionCommand& cmd) {
        if (!cmd.subcommands.empty()) {
            subs += "    case " + fish_quote(cmd.path) + "\n";
            for (const auto& sub : cmd.subcommands) subs += entry(sub.name, sub.help);
        }
        if (!cmd.options.empty()) opts += "    case " + fish_quote(cmd.path) + "\n";
        for (const auto& opt : cmd.options) {
            for (const auto& name : opt.names) opts += entry(name, opt.help);
            std::string word = value_word(opt.kind, opt.choices);
            if (word.empty()) continue;
            std::vector<std::string> patterns;
            for (const auto& name : opt.names)
                patterns.push_back(fish_quote(cmd.path + "|" + name));
            values += "    case " + join(patterns) + "\n        echo " + fish_quote(word) + "\n";
        }
        std::string word = value_word(cmd.positional, cmd.positional_choices);
        if (!word.empty()) {
            positional +=
                "    case " + fish_quote(cmd.path) + "\n        echo " + fish_quote(word) + "\n";
        }
    });
    const std::string end = "    end\nend\n\n";
    return subs + end + opts + end + values + end + positional + end;
}

constexpr const char* k_fish_body = R"SH(function __otari_value_of
    set -l v (__otari_option_value $argv[1] $argv[2])
    if test -z "$v"; and test -n "$argv[1]"
        set v (__otari_option_value '' $argv[2])
    end
    echo $v
end

# Candidates for a value kind: $argv[1] kind, $argv[2] the otari being completed, then the
# --config to pass on.
function __otari_values
    set -l kind $argv[1]
    set -l cmd $argv[2]
    set -e argv[1..2]
    switch $kind
        case models providers keys
            $cmd $argv __complete $kind 2>/dev/null
        case 'choice:*'
            string split ' ' -- (string replace 'choice:' '' -- $kind)
    end
end

function __otari_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmd $tokens[1]
    set -e tokens[1]
    set -l cmdpath ''
    set -l pending ''
    set -l config
    for w in $tokens
        if test -n "$pending"
            if test "$pending" = config
                set config --config $w
            end
            set pending ''
            continue
        end
        switch $w
            case '--config=*'
                set config --config (string replace -- '--config=' '' $w)
            case -c --config
                set pending config
            case '-*=*'
            case '-*'
                set -l v (__otari_value_of $cmdpath $w)
                if test -n "$v"
                    set pending value
                end
            case '*'
                for sub in (__otari_subcommands $cmdpath | string replace -r '\t.*' '')
                    if test "$sub" = "$w"
                        set cmdpath (string trim -- "$cmdpath $w")
                        break
                    end
                end
        end
    end
    set -l kind ''
    set -l prefix ''
    if test -n "$pending"
        set kind (__otari_value_of $cmdpath $tokens[-1])
    else if string match -q -- '-*=*' $cur
        set prefix (string replace -r -- '=.*' '=' $cur)
        set kind (__otari_value_of $cmdpath (string replace -- '=' '' $prefix))
    else if string match -q -- '-*' $cur
        __otari_options $cmdpath
        return
    else
        set -l subs (__otari_subcommands $cmdpath)
        if test (count $subs) -gt 0
            printf '%s\n' $subs
            return
        end
        set kind (__otari_positional_value $cmdpath)
    end
    switch "$kind"
        case file
            __fish_complete_path (string replace -- "$prefix" '' $cur)
        case '' text
        case '*'
            for value in (__otari_values $kind $cmd $config)
                echo $prefix$value
            end
    end
end

complete -c otari -f -a '(__otari_complete)'
)SH";

}  // namespace

std::string bash_completion_script(const CompletionCommand& root) {
    return "# bash completion for otari. Generated by `otari completion bash`; do not edit.\n"
           "# Load it with: source <(otari completion bash)\n\n" +
           sh_tables(root) + k_sh_value_of + k_bash_body;
}

std::string zsh_completion_script(const CompletionCommand& root) {
    return "#compdef otari\n"
           "# zsh completion for otari. Generated by `otari completion zsh`; do not edit.\n"
           "# Install as _otari in a directory on $fpath, or: source <(otari completion zsh)\n\n" +
           sh_tables(root) + k_sh_value_of + k_zsh_body;
}

std::string fish_completion_script(const CompletionCommand& root) {
    return "# fish completion for otari. Generated by `otari completion fish`; do not edit.\n"
           "# Load it with: otari completion fish | source\n\n" +
           fish_tables(root) + k_fish_body;
}

}  // namespace otari::cli
