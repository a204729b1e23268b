#!/usr/bin/env bash
# otari up's log lines: coloured only on a terminal (and not with NO_COLOR), plain in a pipe,
# flushed line by line. Uses script(1) from util-linux for the terminal.
# Usage: test_logs.sh OTARI_BINARY
set -u
otari=$(realpath "$1")
tmp=$(mktemp -d)
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" TERM=xterm
mkdir -p "$HOME"
unset OTARI_CONFIG ANTHROPIC_API_KEY OPENAI_API_KEY NO_COLOR OTARI_AI_TOKEN
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() {  # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then echo "ok - $what"; pass=$((pass + 1)); else echo "not ok - $what"; fail=$((fail + 1)); fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# A config whose ${VAR} is unset: otari up logs a warning at start.
conf="$tmp/config.toml"
printf 'data_dir = "%s/d"\n[providers.home]\ntype = "openai"\nbase_url = "http://127.0.0.1:9/v1"\napi_key = "${OTARI_TEST_UNSET_VAR}"\n' "$tmp" > "$conf"

# run_up OUTFILE [script]: run otari up until its warning appears (or 10 s), then stop it.
run_up() {
    local out=$1 mode=${2:-pipe} port; port=$(free_port)
    if [[ $mode == tty ]]; then
        script -qfec "'$otari' -c '$conf' up --port $port" /dev/null > "$out" 2>&1 &
    else
        "$otari" -c "$conf" up --port "$port" > "$out" 2>&1 &
    fi
    local pid=$!
    for _ in $(seq 100); do grep -q "OTARI_TEST_UNSET_VAR" "$out" 2>/dev/null && break; sleep 0.1; done
    # The line is in the file while the process still runs: written as it happened, not at exit.
    grep -q "OTARI_TEST_UNSET_VAR" "$out"; local seen=$?
    pkill -TERM -f "up --port $port" 2>/dev/null; wait "$pid" 2>/dev/null
    return $seen
}

check "a piped log line is written as it happens" run_up "$tmp/pipe.log"
check "no colour codes in a pipe" bash -c "! grep -q $'\\x1b\\\\[' '$tmp/pipe.log'"
check "the warning line names its level" grep -q " warn: " "$tmp/pipe.log"
check "a terminal log line is written as it happens" run_up "$tmp/tty.log" tty
check "the level is coloured on a terminal" grep -q $'\x1b\\[33mwarn' "$tmp/tty.log"
NO_COLOR=1 check "NO_COLOR: run" run_up "$tmp/nocolor.log" tty
check "NO_COLOR turns colour off" bash -c "! grep -q $'\\x1b\\\\[3' '$tmp/nocolor.log'"
# otari usage shows progress while it reads a large ledger, on a terminal only.
mkdir -p "$tmp/d"
records=$(python3 - "$tmp/d/ledger.jsonl" <<'PY'
import sys
line = ('{"ts":"2026-11-01T09:30:00.123Z","request_id":"req_%08d","key":"ci","user":"alice","endpoint":"/v1/messages",'
        '"provider":"anthropic","model":"sonnet","model_sent":"claude-sonnet-4-6","stream":true,"status":"ok",'
        '"http_status":200,"input_tokens":12,"output_tokens":34,"cache_read_tokens":0,"cache_write_tokens":0,'
        '"cost_usd":0.000546,"latency_ms":812,"ttft_ms":301,"usage":"upstream","client_disconnected":false,'
        '"upstream_failed":false,"error":null,"v":1}\n')
with open(sys.argv[1], "w") as f:
    n = 70 * 1024 * 1024 // len(line % 0) + 1
    for i in range(n):
        f.write(line % i)
print(f"{n:,}")
PY
)
script -qfec "'$otari' -c '$conf' usage" /dev/null > "$tmp/usage_tty.out" 2>&1
check "usage on a terminal shows progress for a large ledger" grep -q "reading ledger.jsonl: [0-9]* MB of [0-9]* MB" "$tmp/usage_tty.out"
"$otari" -c "$conf" usage > "$tmp/usage_pipe.out" 2> "$tmp/usage_pipe.err"
check "usage in a pipe shows no progress" bash -c "! grep -q 'reading ledger' '$tmp/usage_pipe.err' '$tmp/usage_pipe.out'"
check "usage still totals every record ($records)" grep -q "$records" "$tmp/usage_pipe.out"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
