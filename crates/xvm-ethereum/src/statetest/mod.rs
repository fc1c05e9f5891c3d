//! Loading and running filled Ethereum state tests (see `shared/specs/ethereum-state-tests.md`).

pub mod fixture;
mod runner;

pub use runner::{
    collect_files, format_summary, run_files, run_test_bytes, run_test_file, summarize,
    EntryResult, ForkCounts, Outcome, RunOptions,
};

/// The shared fixtures folder (the one holding `ethereum/` and `neovm/`): `$XVM_FIXTURES` when set,
/// else `../shared/fixtures` beside the workspace.
pub fn fixtures_root() -> std::path::PathBuf {
    match std::env::var_os("XVM_FIXTURES") {
        Some(p) => std::path::PathBuf::from(p),
        None => std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures"
        )),
    }
}

/// The fixtures sub-folder `sub` (e.g. `ethereum/state`) for a conformance test. When it is
/// missing: panics under `CI=true` (a CI run must not pass without its fixtures), otherwise
/// prints the reason and returns `None` so that the test can skip.
pub fn fixtures_dir_for_test(sub: &str) -> Option<std::path::PathBuf> {
    let dir = fixtures_root().join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    let msg = format!("fixtures not found at {}", dir.display());
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg} (set XVM_FIXTURES to the folder that holds ethereum/ and neovm/)");
    }
    eprintln!("skipping: {msg}");
    None
}
