//! The Ethereum state transition on top of xvm-evm: a journaled world state implementing the
//! engine's [`xvm_evm::Host`], transactions and their validation per fork, state roots and logs
//! hashes, and the runner of the Ethereum state tests.
//!
//! Everything that runs code is generic over [`xvm_evm::Vm`], so the same state transition can
//! drive xvm's own interpreter or any EVMC VM.

#![deny(missing_docs)]

mod code_cache;
pub mod host;
pub mod mpt;
pub mod parse;
pub mod state;
pub mod statetest;
pub mod transition;
pub mod trie;
pub mod tx;

pub use host::Evm;
pub use state::{Log, PreAccount, PreState, State};
pub use transition::{execute_transaction, execute_transaction_with, TxHooks, TxOutcome};
pub use tx::{BlockEnv, Transaction, TxError, TxType};
