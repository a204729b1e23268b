#!/usr/bin/env bash
# The man pages render without warnings (groff -ww) and pass mandoc's lint at warning level.
# $1 = the source directory's man/ folder.
set -u
dir=$1
passed=0 failed=0
check() {  # name, command...
  local name=$1
  shift
  local out
  if out=$("$@" 2>&1) && [[ -z $out ]]; then
    echo "ok - $name"
    passed=$((passed + 1))
  else
    echo "not ok - $name"
    echo "$out" | sed 's/^/#   /'
    failed=$((failed + 1))
  fi
}
for page in "$dir"/otari.1 "$dir"/otari.toml.5; do
  check "groff -ww renders $(basename "$page") without warnings" \
    sh -c "LC_ALL=C.UTF-8 groff -ww -man -Tutf8 '$page' 2>&1 >/dev/null"
  if command -v mandoc >/dev/null; then
    check "mandoc -Tlint -Wwarning accepts $(basename "$page")" mandoc -Tlint -Wwarning "$page"
  fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
