#!/usr/bin/env bash
# The README's commands, run as written (placeholders filled in) in a temporary HOME against a
# fake Anthropic provider on loopback: keys, up --detach/status/down, the curl example, usage,
# models, claude-setup (both forms), hybrid mode's start, and the configuration example parsed
# from the README itself. Claude Code, the OpenAI SDK snippet, completion and the man pages have
# their own suites (e2e, completion, man).
# Usage: test_readme.sh OTARI_BINARY README
set -u
otari=$(realpath "$1")
readme=$(realpath "$2")
tmp=$(mktemp -d)
export HOME="$tmp/home" XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data"
export PATH="$tmp/bin:$PATH"
mkdir -p "$HOME" "$tmp/bin" "$XDG_CONFIG_HOME/otari"
ln -s "$otari" "$tmp/bin/otari"
unset OTARI_CONFIG ANTHROPIC_API_KEY OPENAI_API_KEY OTARI_AI_TOKEN OTARI_PLATFORM_URL OTARI_MODE CLAUDE_CONFIG_DIR
pass=0 fail=0
fake_pid=""
cleanup() {
    otari down >/dev/null 2>&1
    [[ -n $fake_pid ]] && kill "$fake_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
check() {  # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then echo "ok - $what"; pass=$((pass + 1)); else echo "not ok - $what"; fail=$((fail + 1)); fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# A fake Anthropic provider: every POST /v1/messages gets one short message.
fake_port=$(free_port)
python3 - "$fake_port" <<'PY' &
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
        out = json.dumps({"id": "msg_readme", "type": "message", "role": "assistant", "model": body["model"],
                          "content": [{"type": "text", "text": "Hello from the README test"}],
                          "stop_reason": "end_turn", "stop_sequence": None,
                          "usage": {"input_tokens": 11, "output_tokens": 7}}).encode()
        self.send_response(200 if self.headers.get("x-api-key") == "sk-ant-readme" else 401)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
fake_pid=$!
# otari forwards the curl example to the fake: it must be listening first (started in parallel
# with other tests, python can take a while).
python3 - "$fake_port" <<'PY' || { echo "not ok - the fake provider did not start"; exit 1; }
import socket, sys, time
deadline = time.monotonic() + 20
while True:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(1)
        time.sleep(0.02)
PY

# The configuration example, exactly as the README shows it, with the fake provider's URL.
port=$(free_port)
awk '/^```toml/{f=1; next} /^```/{f=0} f' "$readme" > "$tmp/example.toml"
check "the README has a configuration example" test -s "$tmp/example.toml"
sed -e "s|^port = 8000|port = $port|" -e "s|https://api.anthropic.com|http://127.0.0.1:$fake_port|" \
    "$tmp/example.toml" > "$XDG_CONFIG_HOME/otari/config.toml"
export ANTHROPIC_API_KEY=sk-ant-readme
check "the configuration example is accepted (otari models)" bash -c 'otari models > "$0/models.out" 2>&1' "$tmp"
check "otari models lists the example's home_lab:qwen3" grep -q "qwen3" "$tmp/models.out"

# Keys.
token=$(otari keys create readme --user alice --allow-user-mismatch 2>/dev/null | tail -n1)
check "otari keys create NAME --user USER --allow-user-mismatch prints the token" bash -c '[[ $0 == tk_* ]]' "$token"
check "otari keys list shows the key, never a token" bash -c 'out=$(otari keys list); [[ $out == *readme* && $out != *tk_* ]]'
check "otari keys create ci --budget-usd 20 --period month" bash -c 'otari keys create ci --budget-usd 20 --period month 2>/dev/null | tail -n1 | grep -q "^tk_"'
check "otari keys revoke NAME" bash -c 'otari keys revoke ci >/dev/null 2>&1 && ! otari keys list | grep -qw ci'

# The gateway in the background, the curl example, then status, usage and down.
check "otari up --detach returns once /health answers" bash -c 'otari up --detach > "$0/up.out" 2>&1' "$tmp"
check "the README's curl example answers" bash -c '
  curl -s http://127.0.0.1:'"$port"'/v1/messages \
    -H "Authorization: Bearer '"$token"'" -H "content-type: application/json" \
    -d '"'"'{"model":"anthropic:claude-sonnet-4-6","max_tokens":256,
         "messages":[{"role":"user","content":"Hello"}]}'"'"' > "$0/curl.out"
  grep -q "Hello from the README test" "$0/curl.out"' "$tmp" || sed 's/^/# /' "$tmp/curl.out"
check "otari status says it runs" bash -c 'otari status | grep -q "running"'
check "otari usage shows the call" bash -c 'otari usage | grep -Eq "1 request|requests *1|^ *1 "' || otari usage | sed 's/^/# /'
otari usage --by day,model --since 7d > "$tmp/usage_by.out" 2>&1
check "otari usage --by day,model --since 7d groups by day and model" grep -Eq "$(date -u +%Y-%m-%d).*claude-sonnet-4-6" "$tmp/usage_by.out" || sed 's/^/# /' "$tmp/usage_by.out"
check "otari usage --json is exact" bash -c 'otari usage --json | python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"totals\"][\"requests\"] == 1, d"'
check "otari down stops it" bash -c 'otari down >/dev/null && ! otari status >/dev/null'

# Claude Code setup, both forms from the README.
check "otari claude-setup writes the env block and creates a key" bash -c '
  otari claude-setup >/dev/null && python3 -c "
import json, os; env = json.load(open(os.path.expanduser(\"~/.claude/settings.json\")))[\"env\"]
assert env[\"ANTHROPIC_BASE_URL\"] == \"http://127.0.0.1:'"$port"'\", env
assert env[\"ANTHROPIC_AUTH_TOKEN\"].startswith(\"tk_\"), env"'
check "otari claude-setup --model ... --haiku ... sets the tiers" bash -c '
  OPENAI_API_KEY=sk-readme otari claude-setup --model openai:gpt-4o --opus openai:gpt-4o --sonnet openai:gpt-4o --haiku openai:gpt-4o-mini >/dev/null &&
  python3 -c "
import json, os; env = json.load(open(os.path.expanduser(\"~/.claude/settings.json\")))[\"env\"]
assert env[\"ANTHROPIC_MODEL\"] == \"openai:gpt-4o\" and env[\"ANTHROPIC_DEFAULT_HAIKU_MODEL\"] == \"openai:gpt-4o-mini\", env"'

# Hybrid mode: OTARI_AI_TOKEN=gw_... otari up refuses the example's [providers]; without them it
# starts and reports its mode. claude-setup --token writes the platform token.
check "hybrid mode refuses [providers] with a clear message" bash -c '
  OTARI_AI_TOKEN=gw_readme otari up 2>&1 | grep -q "cannot be used in hybrid mode"'
printf 'port = %s\n' "$port" > "$XDG_CONFIG_HOME/otari/config.toml"
check "OTARI_AI_TOKEN=gw_... otari up --detach starts in hybrid mode" bash -c '
  OTARI_AI_TOKEN=gw_readme OTARI_PLATFORM_URL=http://127.0.0.1:9/api/v1 otari up --detach >/dev/null 2>&1 &&
  curl -fsS http://127.0.0.1:'"$port"'/health | grep -q "\"mode\":\"hybrid\""'
otari down >/dev/null 2>&1
check "otari claude-setup --token tk_... writes the platform token" bash -c '
  OTARI_AI_TOKEN=gw_readme otari claude-setup --token tk_platform_readme >/dev/null &&
  grep -q "tk_platform_readme" ~/.claude/settings.json'

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
