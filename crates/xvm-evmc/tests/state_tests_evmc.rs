//! The whole shared Ethereum state-test suite through the C ABI: xvm-ethereum's world state as
//! the EVMC host, `libxvm.so` (loaded by xvm's own loader) as the VM. Every entry must pass, with
//! the same outcome as the native interpreter gives (failing files are re-run natively to compare).

mod common;

use common::*;
use std::path::PathBuf;
use xvm_ethereum::statetest::{
    collect_files, fixtures_dir_for_test, fixtures_root, format_summary, run_files, Outcome,
    RunOptions,
};
use xvm_evm::Interpreter;

#[test]
fn state_tests_through_libxvm_match_the_native_path() {
    let Some(dir) = fixtures_dir_for_test("ethereum/state") else {
        return;
    };
    let files = collect_files(&[dir]).expect("walk fixtures");
    assert!(!files.is_empty(), "no fixture files found");
    let opts = RunOptions {
        filter: std::env::var("XVM_STATETEST_FILTER").ok(),
        ..RunOptions::default()
    };

    let vm = load_xvm();
    let start = std::time::Instant::now();
    let through_c = run_files(&files, &vm, &opts, &|_| {});
    let c_time = start.elapsed();
    println!(
        "through libxvm.so (EVMC):\n{}",
        format_summary(&through_c, 100)
    );

    println!(
        "elapsed: {:.1}s through the C ABI, {} files",
        c_time.as_secs_f64(),
        files.len()
    );
    assert!(!through_c.is_empty(), "no post entries ran");

    // The C ABI layer must not change any outcome. An entry that passes through the C ABI has the
    // native outcome too (xvm-ethereum's suite test asserts every entry passes natively), so only
    // files with a failure are run again natively, entry by entry, to tell the two apart.
    let mut failing_files: Vec<PathBuf> = through_c
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
        .map(|r| PathBuf::from(&r.file))
        .collect();
    failing_files.sort();
    failing_files.dedup();
    if !failing_files.is_empty() {
        let native = run_files(&failing_files, &Interpreter, &opts, &|_| {});
        let key = |r: &xvm_ethereum::statetest::EntryResult| {
            (r.file.clone(), r.test.clone(), r.fork.clone(), r.index)
        };
        let native_outcomes: std::collections::HashMap<_, _> =
            native.iter().map(|r| (key(r), &r.outcome)).collect();
        let differing: Vec<_> = through_c
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Failed(_)))
            .filter(|c| native_outcomes.get(&key(c)) != Some(&&c.outcome))
            .collect();
        assert!(
            differing.is_empty(),
            "{} entries differ between the C ABI and the native path, e.g. {:?}",
            differing.len(),
            differing.first()
        );
    }
    // ... and every entry passes.
    let failed: Vec<_> = through_c
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
        .collect();
    assert!(
        failed.is_empty(),
        "{} entries failed (natively too), e.g. {:?}",
        failed.len(),
        failed.first()
    );
    let passed = through_c
        .iter()
        .filter(|r| r.outcome == Outcome::Passed)
        .count();
    println!("{passed} passed, 0 failed");
}

/// Not a check, a measurement (run with `--ignored --nocapture`, in release): the benchmark
/// contracts (filled as state tests) on one thread, through the C ABI and natively.
#[test]
#[ignore = "measurement; run explicitly"]
fn benchmarks_through_libxvm_vs_native() {
    let dir = fixtures_root()
        .join("ethereum")
        .join("benchmarks")
        .join("main");
    if !dir.is_dir() {
        eprintln!("skipping: no benchmarks at {}", dir.display());
        return;
    }
    let files = collect_files(&[dir]).expect("walk benchmarks");
    let opts = RunOptions {
        jobs: 1,
        ..RunOptions::default()
    };
    let vm = load_xvm();
    for f in &files {
        let one = std::slice::from_ref(f);
        let start = std::time::Instant::now();
        let c = run_files(one, &vm, &opts, &|_| {});
        let c_time = start.elapsed();
        let start = std::time::Instant::now();
        let n = run_files(one, &Interpreter, &opts, &|_| {});
        let n_time = start.elapsed();
        let ok = |r: &[xvm_ethereum::statetest::EntryResult]| {
            r.iter().all(|e| e.outcome == Outcome::Passed)
        };
        println!(
            "{:<28} C ABI {:>8.1} ms  native {:>8.1} ms  ratio {:.2}  (passed: {} / {})",
            f.file_name().unwrap().to_string_lossy(),
            c_time.as_secs_f64() * 1e3,
            n_time.as_secs_f64() * 1e3,
            c_time.as_secs_f64() / n_time.as_secs_f64(),
            ok(&c),
            ok(&n)
        );
    }
}
