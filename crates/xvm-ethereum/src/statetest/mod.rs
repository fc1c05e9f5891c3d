//! Loading and running filled Ethereum state tests (see `shared/specs/ethereum-state-tests.md`).

pub mod fixture;
mod runner;

pub use runner::{
    collect_files, format_summary, run_files, run_test_file, summarize, EntryResult, ForkCounts,
    Outcome, RunOptions,
};
