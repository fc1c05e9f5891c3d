//! xvm's EVM execution engine.
//!
//! No I/O and no world state: [`execute`] runs bytecode for one message and reaches the world
//! only through the [`Host`] trait, which mirrors EVMC's callback API.

#![deny(missing_docs)]

pub mod analysis;
pub mod host;
pub mod message;
pub mod opcodes;
pub mod revision;
pub mod status;
pub mod trace;

mod interpreter;

pub use alloy_primitives::{Address, Bytes, B256, U256};
pub use analysis::AnalyzedCode;
pub use host::Host;
pub use interpreter::{execute, execute_analyzed, execute_with_input, Interpreter, Vm};
pub use message::{CallKind, Message, TxContext};
pub use revision::Revision;
pub use status::{AccessStatus, ExecResult, StatusCode, StorageStatus};
pub use trace::{Eip3155Tracer, Tracer};

/// Maximum call depth (frames beyond the transaction's own).
pub const MAX_CALL_DEPTH: i32 = 1024;
/// Maximum stack height.
pub const STACK_LIMIT: usize = 1024;
/// EIP-170 maximum deployed code size.
pub const MAX_CODE_SIZE: usize = 0x6000;
/// EIP-3860 maximum init-code size.
pub const MAX_INITCODE_SIZE: usize = 2 * MAX_CODE_SIZE;

mod frame_pool;
mod instructions;
mod memory;
mod native_stack;
mod stack;

pub use instructions::{delegate_of, delegation_target, DELEGATION_PREFIX};
pub use memory::{memory_cost, MAX_MEMORY_SIZE};
