#!/usr/bin/env bash
# Shell completion tests: load each generated script in its real shell (bash, zsh, fish) and
# check what completing a few command lines offers; check the committed copies in
# completions/ equal what the binary prints.
# Usage: test_completion.sh PATH/TO/otari     Needs: bash-completion, zsh, fish (apt names).
# Prints "ok - ..." / "not ok - ..." per check and "N passed, N failed"; exits 1 on a failure.
set -u

binary=$(realpath "${1:?usage: test_completion.sh PATH/TO/otari}")
source_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
check() {  # check DESCRIPTION EXPECTED ACTUAL_LINES: EXPECTED must be one of the lines
    if printf '%s\n' "$3" | grep -qxF -- "$2"; then
        echo "ok - $1"
        passed=$((passed + 1))
    else
        echo "not ok - $1: expected '$2' among: $(printf '%s' "$3" | tr '\n' ' ')"
        failed=$((failed + 1))
    fi
}
check_absent() {  # check_absent DESCRIPTION UNEXPECTED ACTUAL_LINES
    if printf '%s\n' "$3" | grep -qxF -- "$2"; then
        echo "not ok - $1: did not expect '$2'"
        failed=$((failed + 1))
    else
        echo "ok - $1"
        passed=$((passed + 1))
    fi
}
skip() {
    echo "ok - $1 # SKIP $2"
}

# An isolated environment: otari on PATH, a config with a local provider, no user files.
mkdir -p "$work/bin" "$work/home" "$work/xdg/config" "$work/xdg/data"
ln -s "$binary" "$work/bin/otari"
export PATH="$work/bin:$PATH" HOME="$work/home" XDG_CONFIG_HOME="$work/xdg/config" XDG_DATA_HOME="$work/xdg/data"
unset OTARI_CONFIG ANTHROPIC_API_KEY OPENAI_API_KEY
cat > "$work/config.toml" <<'TOML'
[providers.home_lab]
type = "openai"
base_url = "http://127.0.0.1:9/v1"
models = ["qwen3"]
TOML
cat > "$work/other.toml" <<'TOML'
[providers.other_box]
type = "openai"
base_url = "http://127.0.0.1:9/v1"
models = ["llama"]
TOML
export OTARI_CONFIG="$work/config.toml"

for shell in bash zsh fish; do
    otari completion "$shell" > "$work/script.$shell" || echo "# failed" > "$work/script.$shell"
done

# --- the committed copies never drift -------------------------------------------------------
for pair in "bash:otari.bash" "zsh:_otari" "fish:otari.fish"; do
    shell=${pair%%:*} file=${pair#*:}
    if cmp -s "$work/script.$shell" "$source_root/completions/$file"; then
        echo "ok - completions/$file equals \`otari completion $shell\`"
        passed=$((passed + 1))
    else
        echo "not ok - completions/$file differs from \`otari completion $shell\` (regenerate it)"
        failed=$((failed + 1))
    fi
done

values=$(otari __complete models)
check "__complete models lists declared models" "home_lab:qwen3" "$values"
check "__complete providers lists configured providers" "home_lab" "$(otari __complete providers)"
check "__complete honours --config" "other_box:llama" "$(otari --config "$work/other.toml" __complete models)"

# --- bash ----------------------------------------------------------------------------------
# Complete LINE (the cursor at its end) the way bash calls a -F function; print COMPREPLY.
bash_complete() {
    bash --norc --noprofile -c '
        source "$1" || exit 1
        COMP_LINE=$2
        COMP_POINT=${#COMP_LINE}
        read -r -a COMP_WORDS <<< "$COMP_LINE"
        [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        _otari otari "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}"' _ "$work/script.bash" "$1" 2>&1
}
out=$(bash_complete "otari cl")
check "bash: 'otari cl' completes to claude-setup" "claude-setup" "$out"
check_absent "bash: 'otari cl' offers nothing else" "completion" "$out"
out=$(bash_complete "otari claude-setup --model home_")
check "bash: a model prefix completes" "home_lab:qwen3" "$out"
out=$(bash_complete "otari claude-setup --model=home_lab:q")
check "bash: --model=provider:prefix replies after bash's ':' word break" "qwen3" "$out"
out=$(bash_complete "otari claude-setup --dry-run --model home_")
check "bash: a flag takes no value" "home_lab:qwen3" "$out"
out=$(bash_complete "otari claude-setup --dr")
check "bash: options of the subcommand" "--dry-run" "$out"
out=$(bash_complete "otari keys ")
check "bash: nested subcommands" "revoke" "$out"
out=$(bash_complete "otari completion f")
check "bash: a positional's choices" "fish" "$out"
out=$(bash_complete "otari --config $work/other.toml claude-setup --opus ")
check "bash: --config on the line is passed to __complete" "other_box:llama" "$out"
check_absent "bash: ... instead of \$OTARI_CONFIG" "home_lab:qwen3" "$out"
out=$(bash_complete "otari __")
check_absent "bash: the hidden __complete is not offered" "__complete" "$out"
if [[ -f /usr/share/bash-completion/bash_completion ]]; then
    mkdir -p "$XDG_DATA_HOME/bash-completion/completions"
    cp "$work/script.bash" "$XDG_DATA_HOME/bash-completion/completions/otari"
    out=$(bash --norc --noprofile -c '
        source /usr/share/bash-completion/bash_completion
        _completion_loader otari
        complete -p otari' 2>&1)
    check "bash: bash-completion loads it on demand from completions/otari" "complete -F _otari otari" "$out"
else
    skip "bash: bash-completion loads it on demand" "bash-completion not installed"
fi

# --- zsh -----------------------------------------------------------------------------------
if command -v zsh >/dev/null; then
    # Call _otari with words/CURRENT set; compadd is replaced by a function that prints the
    # matches zsh would keep for the current word's prefix.
    zsh_complete() {
        zsh -f -c '
            compdef() { : }
            _files() { : }
            compadd() {
                local a seen=0
                for a in "$@"; do
                    if (( seen )); then
                        [[ "$a" == "${words[CURRENT]}"* ]] && print -r -- "$a"
                    elif [[ "$a" == -- ]]; then
                        seen=1
                    fi
                done
            }
            source "$1" || exit 1
            words=(${(z)2})
            [[ "$2" == *" " ]] && words+=("")
            CURRENT=${#words}
            _otari' _ "$work/script.zsh" "$1" 2>&1
    }
    out=$(zsh_complete "otari cl")
    check "zsh: 'otari cl' completes to claude-setup" "claude-setup" "$out"
    out=$(zsh_complete "otari claude-setup --model home_")
    check "zsh: a model prefix completes" "home_lab:qwen3" "$out"
    out=$(zsh_complete "otari claude-setup --model=home_")
    check "zsh: --model=prefix completes" "--model=home_lab:qwen3" "$out"
    out=$(zsh_complete "otari claude-setup --force --haiku home_")
    check "zsh: a flag takes no value" "home_lab:qwen3" "$out"
    out=$(zsh_complete "otari keys ")
    check "zsh: nested subcommands" "create" "$out"
    mkdir -p "$work/zfunc"
    cp "$work/script.zsh" "$work/zfunc/_otari"
    out=$(zsh -f -c 'fpath=("$1" $fpath); autoload -U compinit; compinit -u -d "$2"; print -r -- "$_comps[otari]"' \
        _ "$work/zfunc" "$work/zcompdump" 2>&1)
    check "zsh: compinit picks up #compdef otari from \$fpath" "_otari" "$out"
else
    skip "zsh checks" "zsh not installed"
fi

# --- fish ----------------------------------------------------------------------------------
if command -v fish >/dev/null; then
    fish_complete() {
        fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$work/script.fish" "$1" 2>&1 | cut -f1
    }
    out=$(fish_complete "otari cl")
    check "fish: 'otari cl' completes to claude-setup" "claude-setup" "$out"
    out=$(fish_complete "otari claude-setup --model home_")
    check "fish: a model prefix completes" "home_lab:qwen3" "$out"
    out=$(fish_complete "otari claude-setup --dr")
    check "fish: options of the subcommand" "--dry-run" "$out"
    out=$(fish_complete "otari --config $work/other.toml claude-setup --haiku ")
    check "fish: --config on the line is passed to __complete" "other_box:llama" "$out"
    out=$(fish_complete "otari completion ")
    check "fish: a positional's choices" "zsh" "$out"
else
    skip "fish checks" "fish not installed"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
