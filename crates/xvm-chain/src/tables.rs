//! The chain's tables in the store and their key encodings. Values of fixed shape are raw bytes;
//! records (blocks, transactions, contracts, config) are JSON, readable with any redb tool.

use alloy_primitives::{Address, B256, U256};
use xvm_store::Table;

/// `"config"` → [`crate::ChainConfig`] JSON; `"head"` → head block number (u64 BE).
pub const META: Table = Table::new("evm.meta");
/// address → nonce (u64 BE) ++ balance (32 bytes BE) ++ code hash (32 bytes).
pub const ACCOUNTS: Table = Table::new("evm.accounts");
/// code hash → code.
pub const CODE: Table = Table::new("evm.code");
/// address ++ slot (32 bytes BE) → value (32 bytes BE, never zero).
pub const STORAGE: Table = Table::new("evm.storage");
/// block number (u64 BE) → [`crate::BlockRecord`] JSON.
pub const BLOCKS: Table = Table::new("evm.blocks");
/// block hash → block number (u64 BE).
pub const BLOCK_HASHES: Table = Table::new("evm.block_hashes");
/// transaction hash → [`crate::TxRecord`] JSON (transaction and receipt).
pub const TXS: Table = Table::new("evm.txs");
/// address → [`crate::ContractInfo`] JSON (name and ABI of deployed contracts).
pub const CONTRACTS: Table = Table::new("evm.contracts");

pub const KEY_CONFIG: &[u8] = b"config";
pub const KEY_HEAD: &[u8] = b"head";

pub fn encode_account(nonce: u64, balance: U256, code_hash: B256) -> Vec<u8> {
    let mut v = Vec::with_capacity(72);
    v.extend_from_slice(&nonce.to_be_bytes());
    v.extend_from_slice(&balance.to_be_bytes::<32>());
    v.extend_from_slice(code_hash.as_slice());
    v
}

pub fn decode_account(v: &[u8]) -> Option<(u64, U256, B256)> {
    if v.len() != 72 {
        return None;
    }
    let nonce = u64::from_be_bytes(v[..8].try_into().ok()?);
    let balance = U256::from_be_slice(&v[8..40]);
    Some((nonce, balance, B256::from_slice(&v[40..72])))
}

pub fn storage_key(addr: &Address, slot: &U256) -> Vec<u8> {
    let mut k = Vec::with_capacity(52);
    k.extend_from_slice(addr.as_slice());
    k.extend_from_slice(&slot.to_be_bytes::<32>());
    k
}

pub fn u64_be(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

pub fn read_u64_be(v: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(v.try_into().ok()?))
}
