#!/usr/bin/env bash
# xvm node against hardhat's node (hardhat@2 from npm), same client and workload, one run:
#   cd bench/node && npm install && ./run.sh
# Builds xvm, starts each node on a free loopback port with a fresh state, runs bench.mjs
# against it, stops it, and prints both results and the ratios.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p xvm-cli
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 200); do curl -s -o /dev/null -X POST -H 'content-type: application/json' \
  -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$1" && return 0; sleep 0.1; done; return 1; }

state=$(mktemp -d)
port=$(free_port)
"${CARGO_TARGET_DIR:-$root/target}/release/xvm" node --port "$port" --state "$state" > /dev/null &
xvm_pid=$!
wait_up "http://127.0.0.1:$port"
xvm=$(XVM_RPC_URL="http://127.0.0.1:$port" node bench.mjs)
kill "$xvm_pid"; wait "$xvm_pid" 2>/dev/null || true
rm -rf "$state"

port=$(free_port)
node node_modules/hardhat/internal/cli/bootstrap.js node --hostname 127.0.0.1 --port "$port" > /dev/null &
hh_pid=$!
wait_up "http://127.0.0.1:$port"
hh=$(XVM_RPC_URL="http://127.0.0.1:$port" node bench.mjs)
kill "$hh_pid"; wait "$hh_pid" 2>/dev/null || true

echo "xvm:     $xvm"
echo "hardhat: $hh"
python3 - "$xvm" "$hh" <<'PY'
import json, sys
x, h = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for way, sfx in (("provider.send (ethers queue, >=1 ms timer per request)", ""), ("provider._send (same transport, no timer)", "_direct")):
    print(f"{way}: throughput xvm/hardhat {x['tx_per_s' + sfx] / h['tx_per_s' + sfx]:.2f}x, "
          f"eth_call median latency hardhat/xvm {h['call_ms_median' + sfx] / x['call_ms_median' + sfx]:.2f}x")
PY
