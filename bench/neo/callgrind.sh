#!/usr/bin/env bash
# Host instructions per VM instruction for each `xvm neo bench` script, counted by callgrind
# inside ExecutionEngine::execute only (process start-up, assembling and checking are left out).
#
#   cargo build --release -p xvm-cli && bench/neo/callgrind.sh [FILTER]
#
# BENCH_CMD overrides the command (default: target/release/xvm neo bench).
set -euo pipefail
cmd=${BENCH_CMD:-target/release/xvm neo bench}
filter=${1:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-12s %12s %16s %14s\n' script "VM instr" "host instr" "host/VM instr"
for name in $($cmd --list ${filter:+--filter "$filter"} | sed -n 's/^; \([a-z0-9-]*\) --.*/\1/p'); do
    json=$(valgrind --tool=callgrind --callgrind-out-file="$out/cg.$name" \
        --toggle-collect='xvm_neovm::engine::ExecutionEngine::execute' \
        $cmd --filter "$name" --runs 1 --no-warmup --json 2>"$out/log.$name")
    vm=$(sed -n 's/.*"vm_instructions":\([0-9]*\).*/\1/p' <<<"$json")
    ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/log.$name")
    awk -v n="$name" -v vm="$vm" -v ir="$ir" \
        'BEGIN { printf "%-12s %12d %16d %14.1f\n", n, vm, ir, ir / vm }'
done
