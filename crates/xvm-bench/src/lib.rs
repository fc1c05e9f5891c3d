//! EVM benchmark inputs and measurement helpers, shared by `xvm evm bench` and the criterion
//! benchmark against revm (`cargo bench -p xvm-bench`).
//!
//! - [`fixtures`]: the benchmark files of `../shared/fixtures/ethereum/benchmarks/` read the way
//!   evmone's benchmark reads them: the contract at `pre[to].code`, one input per `data[i]`.
//! - [`synthetic`]: loop programs, one per opcode family, that make the per-instruction cost visible.
//! - [`host`]: a minimal in-memory [`xvm_evm::Host`] (storage maps, warm sets, logs in a vector).
//! - [`measure`]: runs a case through any [`xvm_evm::Vm`] and times it.

#![deny(missing_docs)]

pub mod fixtures;
pub mod host;
pub mod measure;
pub mod synthetic;

/// One benchmark input: a contract and the call data it runs on.
#[derive(Clone, Debug)]
pub struct Case {
    /// Where it comes from: `main/snailtracer`, `synthetic/PUSH1`, ...
    pub group: String,
    /// The input's label (`_info.labels[i]` for a fixture, the loop body for a synthetic case).
    pub label: String,
    /// The contract's code.
    pub code: Vec<u8>,
    /// The call data.
    pub input: Vec<u8>,
}

impl Case {
    /// `group/label`, the name the tools print.
    pub fn name(&self) -> String {
        format!("{}/{}", self.group, self.label)
    }
}

/// Gas given to every benchmark call (the fixtures' transaction gas limit).
pub const GAS: i64 = 1_000_000_000;
