//! What the chain stores about blocks, transactions, receipts and contracts.

use alloy_primitives::{Address, Bytes, B256, U256};
use serde::{Deserialize, Serialize};

/// A mined block.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BlockRecord {
    /// Number.
    pub number: u64,
    /// keccak256 of the RLP header.
    pub hash: B256,
    /// The parent's hash (zero for genesis).
    pub parent_hash: B256,
    /// Seconds since the epoch.
    pub timestamp: u64,
    /// EIP-1559 base fee in wei.
    pub base_fee_per_gas: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Gas used by its transactions.
    pub gas_used: u64,
    /// Beneficiary.
    pub miner: Address,
    /// State root after the block.
    pub state_root: B256,
    /// Root of its transactions.
    pub transactions_root: B256,
    /// Root of its receipts.
    pub receipts_root: B256,
    /// Bloom of its logs (256 bytes).
    pub logs_bloom: Bytes,
    /// PREVRANDAO (the header's mix hash).
    pub mix_hash: B256,
    /// Hashes of its transactions, in order.
    pub transactions: Vec<B256>,
    /// The RLP-encoded header, whose keccak256 is `hash`.
    pub header_rlp: Bytes,
}

/// A log of a mined transaction.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LogRecord {
    /// Emitting contract.
    pub address: Address,
    /// Topics.
    pub topics: Vec<B256>,
    /// Data.
    pub data: Bytes,
    /// Index in the block.
    pub log_index: u64,
}

/// A mined transaction with its receipt.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TxRecord {
    /// keccak256 of the signed encoding.
    pub hash: B256,
    /// EIP-2718 type (0 legacy, 1, 2, 4).
    pub ty: u8,
    /// Block number.
    pub block_number: u64,
    /// Block hash.
    pub block_hash: B256,
    /// Index in the block.
    pub index: u64,
    /// Sender (recovered from the signature).
    pub from: Address,
    /// Recipient; `None` for a create.
    pub to: Option<Address>,
    /// The created contract, for a successful create.
    pub contract_address: Option<Address>,
    /// Nonce.
    pub nonce: u64,
    /// Gas limit.
    pub gas: u64,
    /// Value in wei.
    pub value: U256,
    /// Call data or init code.
    pub input: Bytes,
    /// Price paid per gas.
    pub effective_gas_price: u128,
    /// `true`: the top frame succeeded.
    pub status: bool,
    /// Gas used after refunds.
    pub gas_used: u64,
    /// Gas used in the block up to and including this transaction.
    pub cumulative_gas_used: u64,
    /// Logs (empty when it failed).
    pub logs: Vec<LogRecord>,
    /// Return data of the top frame (revert data when it failed).
    pub output: Bytes,
    /// The signed transaction (EIP-2718 encoding).
    pub raw: Bytes,
}

/// What the chain knows about a deployed contract beyond its code.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ContractInfo {
    /// The contract's name from its artifact.
    pub name: Option<String>,
    /// Its JSON ABI.
    pub abi: Option<serde_json::Value>,
}

/// An account's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountInfo {
    /// Nonce.
    pub nonce: u64,
    /// Balance in wei.
    pub balance: U256,
    /// Code.
    pub code: Bytes,
}
