#!/usr/bin/env bash
# otari up --detach / status / down against a temporary HOME, state dir and config.
# Usage: test_daemon.sh OTARI_BINARY
set -u
otari=$(realpath "$1")
tmp=$(mktemp -d)
export HOME="$tmp/home" XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config"
mkdir -p "$HOME"
unset OTARI_CONFIG ANTHROPIC_API_KEY OPENAI_API_KEY
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
conf="$tmp/config.toml"
printf 'host = "127.0.0.1"\nport = %s\ndata_dir = "%s/data"\n' "$port" "$tmp" > "$conf"
pass=0 fail=0

cleanup() {
    local pidfile="$XDG_STATE_HOME/otari/otari.pid"
    if [[ -f $pidfile ]]; then
        local pid; pid=$(head -n1 "$pidfile")
        [[ $pid =~ ^[0-9]+$ ]] && kill "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

check() {  # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then echo "ok - $what"; pass=$((pass + 1)); else echo "not ok - $what"; fail=$((fail + 1)); fi
}

out=$("$otari" -c "$conf" up --detach 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check "up --detach exits 0" test "$rc" -eq 0
check "the first key's token is printed to the terminal, not only the log" grep -q "tk_" <<<"$out"
check "/health answers" curl -fsS -o /dev/null "http://127.0.0.1:$port/health"
pid=$(head -n1 "$XDG_STATE_HOME/otari/otari.pid" 2>/dev/null)
check "pidfile names a live process" kill -0 "${pid:-0}"
check "log file written" test -s "$XDG_STATE_HOME/otari/otari.log"

out=$("$otari" -c "$conf" up --detach 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check "second up --detach fails" test "$rc" -ne 0
check "second up --detach names the pid" grep -q "pid $pid" <<<"$out"

out=$("$otari" -c "$conf" status 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check "status exits 0" test "$rc" -eq 0
check "status mentions the pid" grep -q "$pid" <<<"$out"

out=$("$otari" -c "$conf" down 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check "down exits 0" test "$rc" -eq 0
gone() {  # the pid no longer runs (a zombie left for a non-reaping init counts as gone)
    local state; state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
    [[ -z $state || $state == Z ]]
}
check "process gone after down" gone "$pid"

out=$("$otari" -c "$conf" status 2>&1); rc=$?
check "status exits 3 after down" test "$rc" -eq 3
check "status says not running" grep -q "otari is not running" <<<"$out"

"$otari" -c "$conf" down >/dev/null 2>&1; rc=$?
check "down when not running exits 0" test "$rc" -eq 0

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
