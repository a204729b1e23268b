#!/usr/bin/env bash
# End-to-end tests with real clients (Claude Code CLI, @anthropic-ai/sdk, openai) installed from npm.
#   tests/e2e/run.sh /path/to/otari [--only a0,a,a2,b,c]
# Installs tests/e2e/node_modules with `npm ci` when it is missing or older than package-lock.json,
# then runs run.mjs. Needs node >= 18 and npm (the README's setup installs them) and the npm registry.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
otari="${1:-${OTARI_BINARY:-}}"
if [[ -z "$otari" ]]; then
    echo "usage: $0 /path/to/otari [--only SCENARIOS]" >&2
    exit 2
fi
shift || true
if [[ ! -x "$otari" ]]; then
    echo "e2e: otari binary not found or not executable: $otari" >&2
    exit 2
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "e2e: FAIL: node and npm are required for the end-to-end tests but were not found on PATH." >&2
    echo "e2e: install Node.js >= 18 (20 tested) with npm (see README.md, Setup), then re-run." >&2
    exit 1
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 18 )); then
    echo "e2e: FAIL: node >= 18 is required, found $(node --version)." >&2
    exit 1
fi

# Several build directories may run this suite at once from the same source tree: hold a shared lock
# while running (fd 9 stays open in node) and an exclusive one while (re)installing node_modules.
have_flock=0
if command -v flock >/dev/null 2>&1; then
    have_flock=1
    exec 9>"${TMPDIR:-/tmp}/otari-e2e-$(printf '%s' "$here" | cksum | cut -d' ' -f1).lock"
    flock -s 9
fi

# Reinstall when node_modules is missing or was installed from another package.json/package-lock.json.
stamp="$here/node_modules/.otari-e2e-lock"
want="$(cd "$here" && cat package.json package-lock.json | cksum | cut -d' ' -f1)"
stale() { [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; }
if stale; then
    (( have_flock )) && flock -x 9
    if stale; then
        echo "e2e: installing npm dependencies in $here (npm ci)"
        if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error); then
            echo "e2e: FAIL: npm ci failed in $here (is the npm registry reachable?)." >&2
            exit 1
        fi
        echo "$want" > "$stamp"
    fi
    (( have_flock )) && flock -s 9
fi

exec node "$here/run.mjs" "$otari" "$@"
