//! The bodies of xvm's fuzz targets, as plain functions of the input bytes.
//!
//! `fuzz/` (a cargo-fuzz project outside the workspace) wraps each one in `fuzz_target!`;
//! `cargo test -p xvm-fuzz` replays the committed seed corpora (`fuzz/corpus/<target>/`) and the
//! crash regressions (`fuzz/regressions/<target>/`) through the same functions on stable Rust.
//! A target panics only when it finds a bug: a panic in the code under test, or a broken
//! property (gas that grows, a limit that does not hold, a leaked result, a reference count that
//! differs from a recount, xvm and revm that disagree).

#![deny(missing_docs)]

mod bytes;
pub mod evm;
pub mod mutate;
pub mod neovm;
pub mod parsers;
pub mod rpc;

/// A fuzz target body.
pub type Target = fn(&[u8]);

/// Every target by name (the names of `fuzz/fuzz_targets/*.rs` and the corpus folders).
pub const TARGETS: &[(&str, Target)] = &[
    ("evm_exec", evm::evm_exec),
    ("differential", evm::differential),
    ("evmc", evm::evmc),
    ("neovm_exec", neovm::neovm_exec),
    ("neovm_refcount", neovm::neovm_refcount),
    ("statetest_json", parsers::statetest_json),
    ("hex", parsers::hex),
    ("neovm_asm", parsers::neovm_asm),
    ("nef", parsers::nef),
    ("manifest", parsers::manifest),
    ("abi_args", parsers::abi_args),
    ("raw_tx", parsers::raw_tx),
    ("json_rpc", rpc::json_rpc),
];
