//! The message that starts an execution frame (EVMC's `evmc_message`) and the transaction
//! context (EVMC's `evmc_tx_context`).

use alloy_primitives::{Address, Bytes, B256, U256};

/// The kind of a call or create; numbered as EVMC's `evmc_call_kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum CallKind {
    /// CALL (also the kind of a transaction's top-level call).
    Call = 0,
    /// DELEGATECALL.
    DelegateCall = 1,
    /// CALLCODE.
    CallCode = 2,
    /// CREATE (also a contract-creation transaction).
    Create = 3,
    /// CREATE2.
    Create2 = 4,
}

impl CallKind {
    /// True for CREATE and CREATE2.
    pub fn is_create(self) -> bool {
        matches!(self, CallKind::Create | CallKind::Create2)
    }
}

/// A message: everything an execution frame is started with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Call or create kind.
    pub kind: CallKind,
    /// Static mode (STATICCALL and everything under it): no state modification allowed.
    pub is_static: bool,
    /// EVMC's DELEGATED flag: the code runs as the EIP-7702 delegate of `code_address`.
    pub delegated: bool,
    /// Call depth: 0 for the transaction's own frame.
    pub depth: i32,
    /// Gas available to the frame.
    pub gas: i64,
    /// The account whose storage and balance the frame acts on (`ADDRESS`); for creates, the new
    /// contract's address as derived by the host.
    pub recipient: Address,
    /// The caller (`CALLER`).
    pub sender: Address,
    /// Call data, or the init code for creates.
    pub input: Bytes,
    /// Value transferred (`CALLVALUE`); for DELEGATECALL the apparent value.
    pub value: U256,
    /// CREATE2 salt.
    pub salt: B256,
    /// The account whose code runs (differs from `recipient` for DELEGATECALL and CALLCODE).
    pub code_address: Address,
}

impl Default for Message {
    fn default() -> Self {
        Message {
            kind: CallKind::Call,
            is_static: false,
            delegated: false,
            depth: 0,
            gas: 0,
            recipient: Address::ZERO,
            sender: Address::ZERO,
            input: Bytes::new(),
            value: U256::ZERO,
            salt: B256::ZERO,
            code_address: Address::ZERO,
        }
    }
}

/// Transaction and block facts the EVM may read (EVMC's `evmc_tx_context`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TxContext {
    /// Effective gas price (`GASPRICE`).
    pub gas_price: U256,
    /// Transaction sender (`ORIGIN`).
    pub origin: Address,
    /// Block beneficiary (`COINBASE`).
    pub coinbase: Address,
    /// Block number (`NUMBER`).
    pub number: i64,
    /// Block timestamp (`TIMESTAMP`).
    pub timestamp: i64,
    /// Block gas limit (`GASLIMIT`).
    pub gas_limit: i64,
    /// Difficulty before Paris, PREVRANDAO from Paris on (`DIFFICULTY`/`PREVRANDAO`).
    pub prev_randao: B256,
    /// Chain id (`CHAINID`).
    pub chain_id: U256,
    /// Block base fee (`BASEFEE`).
    pub base_fee: U256,
    /// Blob base fee (`BLOBBASEFEE`).
    pub blob_base_fee: U256,
    /// The transaction's blob versioned hashes (`BLOBHASH`).
    pub blob_hashes: Vec<B256>,
}
