//! The host boundary: the only way the engine reaches the world. Shaped exactly like EVMC's
//! callback API (`evmc_host_interface`), so that an EVMC host and a Rust host are interchangeable.
//!
//! # Division of work between engine and host (as in EVMC and evmone)
//! The **engine** charges all gas of an instruction (including EIP-2929 access costs, found out
//! through [`Host::access_account`] / [`Host::access_storage`], the 25000 new-account cost, the
//! value-transfer cost, memory expansion and the EIP-150 63/64 rule plus the 2300 stipend) and
//! checks, before calling [`Host::call`]: static-mode violations, call depth (`depth >= 1024` makes
//! the call fail without calling the host), the caller's balance for a value transfer (too low:
//! fails without calling the host), and the EIP-3860 init-code size limit of CREATE/CREATE2.
//! For EIP-7702 (Prague on) the engine also charges the access of a delegated account's delegate
//! when CALL*-ing an account whose code is a delegation designator.
//!
//! The **host**, in [`Host::call`], does the rest: a checkpoint of the world state, the value
//! transfer, for creates the sender's nonce bump, address derivation, warming of the new address,
//! collision check, code-deposit cost and rules; precompile dispatch; loading (and resolving
//! delegated) code and running it via [`crate::execute`]; reverting the checkpoint when the
//! sub-execution did not succeed. It returns the sub-execution's result with `gas_left` (0 unless
//! success or revert) and `gas_refund` (0 unless success).

use crate::message::{Message, TxContext};
use crate::status::{AccessStatus, ExecResult, StorageStatus};
use crate::trace::Step;
use alloy_primitives::{Address, B256, U256};

/// EVMC's callback API, as a Rust trait. Engines are generic over it (monomorphised, no `dyn`).
pub trait Host {
    /// Whether the account exists. From Spurious Dragon on, an empty account (EIP-161) does not
    /// count as existing.
    fn account_exists(&mut self, addr: &Address) -> bool;
    /// The current value of a storage slot (0 when unset).
    fn get_storage(&mut self, addr: &Address, key: &U256) -> U256;
    /// Writes a storage slot, and tells how the write relates to the slot's original and current
    /// values (EVMC storage status).
    fn set_storage(&mut self, addr: &Address, key: &U256, value: &U256) -> StorageStatus;
    /// The account's balance (0 when absent).
    fn get_balance(&mut self, addr: &Address) -> U256;
    /// The account's code size (0 when absent). Delegation designators are not followed.
    fn get_code_size(&mut self, addr: &Address) -> usize;
    /// The account's code hash; zero for an absent or empty account.
    fn get_code_hash(&mut self, addr: &Address) -> B256;
    /// Copies the account's code from `offset` into `buf`; returns the number of bytes copied.
    fn copy_code(&mut self, addr: &Address, offset: usize, buf: &mut [u8]) -> usize;
    /// Registers `addr` for self-destruction with `beneficiary` receiving its balance. Returns true
    /// the first time `addr` is registered in this transaction (pre-London SELFDESTRUCT refund).
    fn selfdestruct(&mut self, addr: &Address, beneficiary: &Address) -> bool;
    /// Runs a nested call or create (see the module docs for who checks what).
    fn call(&mut self, msg: &Message) -> ExecResult;

    /// A nested call or create whose input is `input`, borrowed from the caller's memory for
    /// the duration of the call; `msg.input` is empty on entry. The engine makes every nested
    /// call through this method. The default copies `input` into the message and runs
    /// [`Host::call`]; a host that only reads the input while the call runs (xvm's EVMC adapter
    /// hands it straight to a C host) overrides it to skip that copy.
    ///
    /// When the copy cannot be allocated the call fails with OUT_OF_GAS (its gas used up)
    /// instead of aborting the process.
    fn call_with_input(&mut self, msg: &mut Message, input: &[u8]) -> ExecResult {
        match crate::instructions::try_copy(input) {
            Ok(copy) => msg.input = copy,
            Err(status) => return ExecResult::failure(status),
        }
        self.call(msg)
    }
    /// The transaction and block context.
    fn get_tx_context(&mut self) -> &TxContext;
    /// The hash of block `number` (one of the 256 most recent; the engine checks the range).
    fn get_block_hash(&mut self, number: i64) -> B256;
    /// Records a log.
    fn emit_log(&mut self, addr: &Address, topics: &[B256], data: &[u8]);
    /// Marks the account warm and tells whether it was cold (EIP-2929).
    fn access_account(&mut self, addr: &Address) -> AccessStatus;
    /// Marks the storage slot warm and tells whether it was cold (EIP-2929).
    fn access_storage(&mut self, addr: &Address, key: &U256) -> AccessStatus;
    /// Reads transient storage (EIP-1153).
    fn get_transient_storage(&mut self, addr: &Address, key: &U256) -> U256;
    /// Writes transient storage (EIP-1153).
    fn set_transient_storage(&mut self, addr: &Address, key: &U256, value: &U256);

    /// The memory cap, in bytes: no memory access may end past it, nor may the live frames of
    /// the call stack hold more than it together; an expansion past either ends the frame with
    /// OUT_OF_GAS. Asked once per frame. The default is [`crate::MAX_MEMORY_SIZE`] (2^32 − 1).
    fn memory_limit(&self) -> u64 {
        crate::MAX_MEMORY_SIZE
    }

    /// Whether the engine should report every step to [`Host::on_step`]. Asked once per frame; when
    /// false the engine runs a loop with no tracing code at all.
    fn tracing(&self) -> bool {
        false
    }
    /// Called before each instruction when [`Host::tracing`] is true.
    fn on_step(&mut self, _step: &Step<'_>) {}
    /// Called when a traced frame ends, with its result.
    fn on_frame_end(&mut self, _depth: i32, _result: &ExecResult) {}
}
