#!/usr/bin/env bash
# The main job on the embedded default state (.xvm in the working folder, or $XVM_STATE):
# deploy the example ERC20, transfer 5 XVM from account 0 to account 1, print both balances
# and the Transfer event. Each step is a separate `xvm` process on the same persistent state.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p xvm-cli
xvm="${CARGO_TARGET_DIR:-$root/target}/release/xvm"
a0=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
a1=0x70997970C51812dc3A010C7d01b50e0d17dc79C8

echo "\$ xvm evm deploy examples/evm/build/XvmToken.json 1000ether 2000ether"
out=$("$xvm" evm deploy "$root/examples/evm/build/XvmToken.json" 1000ether 2000ether)
echo "$out"
token=$(echo "$out" | sed -n 's/^contract XvmToken deployed at //p')

echo; echo "\$ xvm evm call $token transfer $a1 5ether"
"$xvm" evm call "$token" transfer "$a1" 5ether

for who in "$a0" "$a1"; do
  echo; echo "\$ xvm evm call $token balanceOf $who --static"
  "$xvm" evm call "$token" balanceOf "$who" --static
done
