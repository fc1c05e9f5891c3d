//! One differential case: a fork, a pre-state, a block and a transaction, in plain data that both
//! runners and the reproducer writer read.

use alloy_primitives::{Address, Bytes, B256, U256};
use std::collections::BTreeMap;
use xvm_evm::Revision;

/// The forks the differential test covers: Frontier to Osaka. Constantinople (with EIP-1283) is
/// left out because revm has no such spec (it goes from Byzantium straight to Petersburg).
pub static FORKS: std::sync::LazyLock<Vec<Revision>> = std::sync::LazyLock::new(|| {
    Revision::ALL
        .into_iter()
        .filter(|r| *r != Revision::Constantinople)
        .collect()
});

/// An account of the pre-state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountSpec {
    /// Nonce.
    pub nonce: u64,
    /// Balance.
    pub balance: U256,
    /// Code (may be an EIP-7702 delegation designator).
    pub code: Bytes,
    /// Storage; zero values are not kept.
    pub storage: BTreeMap<U256, U256>,
}

/// The block the transaction runs in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockSpec {
    /// Beneficiary.
    pub coinbase: Address,
    /// Block gas limit.
    pub gas_limit: u64,
    /// Number.
    pub number: u64,
    /// Timestamp.
    pub timestamp: u64,
    /// Difficulty (used before Paris).
    pub difficulty: U256,
    /// PREVRANDAO (used from Paris on).
    pub prev_randao: B256,
    /// Base fee (London on).
    pub base_fee: u64,
    /// Excess blob gas (Cancun on).
    pub excess_blob_gas: u64,
}

/// A signed EIP-7702 authorization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthSpec {
    /// Chain id (0: any).
    pub chain_id: U256,
    /// Delegate.
    pub address: Address,
    /// Nonce.
    pub nonce: u64,
    /// y parity.
    pub y_parity: u8,
    /// r.
    pub r: U256,
    /// s.
    pub s: U256,
}

/// The transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxSpec {
    /// EIP-2718 type (0 legacy, 1 access list, 2 dynamic fee, 3 blob, 4 set code).
    pub ty: u8,
    /// Sender (its key is not needed: the state-test format takes `sender`).
    pub sender: Address,
    /// Recipient; `None` creates a contract.
    pub to: Option<Address>,
    /// Nonce.
    pub nonce: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Gas price (legacy, type 1) or max fee per gas (types 2-4).
    pub max_fee: u128,
    /// Max priority fee per gas (types 2-4).
    pub tip: u128,
    /// Value.
    pub value: U256,
    /// Call data or init code.
    pub data: Bytes,
    /// Access list (types 1-4).
    pub access_list: Vec<(Address, Vec<B256>)>,
    /// Max fee per blob gas (type 3).
    pub max_fee_per_blob_gas: u128,
    /// Blob versioned hashes (type 3).
    pub blob_hashes: Vec<B256>,
    /// Authorizations (type 4).
    pub authorizations: Vec<AuthSpec>,
}

/// A whole differential case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// Fork.
    pub rev: Revision,
    /// Chain id of the block (and of the typed transactions).
    pub chain_id: u64,
    /// Pre-state.
    pub pre: BTreeMap<Address, AccountSpec>,
    /// Block.
    pub block: BlockSpec,
    /// Transaction.
    pub tx: TxSpec,
}
