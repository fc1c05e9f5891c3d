//! xvm's local Ethereum chain on the embedded store.
//!
//! A development chain as anvil or hardhat's network keep one, but with no server: every `xvm`
//! command opens the state folder ([`xvm_store`]), runs real transactions through
//! [`xvm_ethereum`] (signed by unlocked default accounts, nonces, intrinsic gas, EIP-1559 fees,
//! refunds), mines each into its own block with a receipt and logs, and commits the block
//! atomically. Calls (`eth_call`) and exact gas estimates run on the same state without writing.
//!
//! Also here, for every user of the chain (the CLI, the JSON-RPC node, the profiler):
//! [`artifact`] reads compiler outputs (raw hex, solc combined-JSON and standard-JSON, foundry,
//! hardhat, vyper) and [`abi`] codes arguments and decodes results, logs and errors.

#![deny(missing_docs)]

pub mod abi;
pub mod accounts;
pub mod artifact;
mod block;
mod calls;
mod chain;
mod config;
mod dev;
mod error;
mod mining;
mod records;
pub mod srcmap;
mod tables;
pub mod tracers;
mod txconv;

pub use accounts::{DevAccount, DEFAULT_MNEMONIC};
pub use calls::AccountOverride;
pub use chain::{CallRequest, CallResult, Chain, Mined, TxRequest};
pub use config::{ChainConfig, GenesisOptions};
pub use dev::Snapshot;
pub use error::{invalid_tx_text, ChainError};
pub use mining::{decode_raw, MinedBlock, PendingTx};
pub use records::{AccountInfo, BlockRecord, ContractInfo, LogRecord, TxRecord};
pub use txconv::envelope_to_transaction;
