//! Runs every shared Ethereum state test (all folders under `ethereum/state/`), prints the
//! per-fork table and the final counts line, and fails on any failure.

use std::io::Write;
use xvm_ethereum::statetest::{
    collect_files, fixtures_dir_for_test, format_summary, run_files, Outcome, RunOptions,
};
use xvm_evm::Interpreter;

#[test]
fn ethereum_state_tests() {
    let Some(dir) = fixtures_dir_for_test("ethereum/state") else {
        return;
    };
    let mut files = collect_files(&[dir]).expect("walk fixtures");
    assert!(!files.is_empty(), "no fixture files found");
    // Unoptimised builds run every 16th file (the whole suite is for `cargo test --release`),
    // unless XVM_STATETEST_FULL=1.
    if cfg!(debug_assertions) && std::env::var("XVM_STATETEST_FULL").is_err() {
        files = files.into_iter().step_by(16).collect();
        eprintln!(
            "debug build: running {} of the state-test files",
            files.len()
        );
    }
    let opts = RunOptions {
        filter: std::env::var("XVM_STATETEST_FILTER").ok(),
        ..RunOptions::default()
    };
    let start = std::time::Instant::now();
    let results = run_files(&files, &Interpreter, &opts, &|_| {});
    let elapsed = start.elapsed();
    // Written to the process's stdout directly (not through `println!`, which the test harness
    // captures) so that the table and the counts show in every run's log.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "state tests: {} files in {:.1}s",
        files.len(),
        elapsed.as_secs_f64()
    );
    let _ = writeln!(out, "{}", format_summary(&results, 100));
    let _ = out.flush();
    let failed = results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
        .count();
    assert!(!results.is_empty(), "no post entries ran");
    assert_eq!(failed, 0, "{failed} state-test entries failed");
}
