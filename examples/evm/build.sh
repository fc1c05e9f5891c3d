#!/usr/bin/env bash
# Rebuilds the example contracts' artifacts in build/ from contracts/ with the pinned compilers:
# solc (npm, package.json) for XvmToken.sol, vyper (PyPI; $VYPER or `vyper` on PATH) for
# Counter.vy. With --check, builds into a temporary folder and fails unless the result is
# byte-identical to the committed artifacts.
set -euo pipefail
cd "$(dirname "$0")"
VYPER=${VYPER:-vyper}
out=build
if [ "${1:-}" = "--check" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
[ -d node_modules/solc ] || { echo "run 'npm ci' in $(pwd) first" >&2; exit 2; }
command -v "$VYPER" >/dev/null || { echo "vyper not found (set VYPER=/path/to/vyper)" >&2; exit 2; }
mkdir -p "$out"
node build.js > "$out/XvmToken.json"
"$VYPER" -f combined_json contracts/Counter.vy > "$out/Counter.json"
if [ "$out" != build ]; then
  for f in XvmToken.json Counter.json; do
    if ! cmp -s "$out/$f" "build/$f"; then
      echo "build/$f differs from a fresh build: run examples/evm/build.sh and commit" >&2
      exit 1
    fi
  done
  echo "examples/evm: artifacts are byte-identical to a fresh build (solc $(node -p 'require("solc/package.json").version'), vyper $("$VYPER" --version))"
fi
