//! Throughput measurement (ignored by default): `cargo test -p xvm-neovm --release --test bench -- --ignored --nocapture`.

use std::time::Instant;
use xvm_neovm::asm::assemble;
use xvm_neovm::engine::{ExecutionEngine, NoInterop, VmState};
use xvm_neovm::{Limits, Script};

fn measure(name: &str, src: &str, instructions_per_iteration: u64, iterations: u64) {
    // NEOVM_BENCH_DIVISOR shrinks the loops (e.g. for running under callgrind).
    let divisor: u64 = std::env::var("NEOVM_BENCH_DIVISOR")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let iterations = iterations / divisor;
    let src = src
        .replace("1000000", &(1_000_000 / divisor).to_string())
        .replace("200000", &(200_000 / divisor).to_string());
    let script = Script::new(assemble(&src).unwrap());
    let mut e = ExecutionEngine::new(Limits::default());
    e.load_script(script, -1, 0).unwrap();
    let t = Instant::now();
    assert_eq!(
        e.execute(&mut NoInterop),
        VmState::Halt,
        "{:?}",
        e.fault_message()
    );
    let secs = t.elapsed().as_secs_f64();
    let n = instructions_per_iteration * iterations;
    println!(
        "{name}: {n} instructions in {secs:.3} s = {:.1} M instructions/s",
        n as f64 / secs / 1e6
    );
}

#[test]
#[ignore]
fn throughput() {
    let loop_sum = "
        INITSLOT 2 0
        PUSHINT32 1000000
        STLOC0
        PUSH0
        STLOC1
    loop:
        LDLOC1
        LDLOC0
        ADD
        STLOC1
        LDLOC0
        DEC
        DUP
        STLOC0
        JMPIF loop
        LDLOC1";
    measure("slot loop", loop_sum, 9, 1_000_000);
    let big = "
        PUSHINT32 1000000
    loop:
        PUSHINT256 57896044618658097711785492504343953926634992332820282019728792003956564819
        PUSHINT256 3
        MUL
        PUSHINT128 12345678901234567890123
        MOD
        DROP
        DEC
        DUP
        JMPIF loop";
    measure("256-bit arithmetic loop", big, 9, 1_000_000);
    let arrays = "
        PUSHINT32 200000
    loop:
        PUSH3
        NEWARRAY
        DUP
        PUSH0
        PUSH7
        SETITEM
        PUSH0
        PICKITEM
        DROP
        DEC
        DUP
        JMPIF loop";
    measure("array loop", arrays, 12, 200_000);
}
