//! Block headers: EIP-1559 base fee, roots, the header fields each fork adds, and its hash.

use alloy_consensus::proofs::{calculate_receipt_root, calculate_transaction_root};
use alloy_consensus::{
    Eip658Value, Header, Receipt, ReceiptEnvelope, ReceiptWithBloom, TxEnvelope, TxType,
    EMPTY_OMMER_ROOT_HASH,
};
use alloy_primitives::{Address, Bloom, Bytes, Log, B256};
use alloy_rlp::Encodable;
use xvm_evm::Revision;

use crate::records::BlockRecord;

/// The next block's base fee after a parent with `parent_gas_used` of `gas_limit` and
/// `parent_base_fee` (EIP-1559: target half the limit, at most 1/8 change per block).
pub fn next_base_fee(parent_base_fee: u64, parent_gas_used: u64, gas_limit: u64) -> u64 {
    let target = gas_limit / 2;
    if target == 0 || parent_gas_used == target {
        return parent_base_fee;
    }
    let base = parent_base_fee as u128;
    if parent_gas_used > target {
        let delta = (base * (parent_gas_used - target) as u128 / target as u128 / 8).max(1);
        (base + delta).min(u64::MAX as u128) as u64
    } else {
        let delta = base * (target - parent_gas_used) as u128 / target as u128 / 8;
        (base - delta) as u64
    }
}

/// The receipt of one transaction as consensus encodes it.
pub fn receipt_envelope(
    ty: u8,
    status: bool,
    cumulative_gas_used: u64,
    logs: Vec<Log>,
) -> ReceiptEnvelope {
    let receipt = Receipt {
        status: Eip658Value::Eip658(status),
        cumulative_gas_used,
        logs,
    };
    let with_bloom = ReceiptWithBloom::from(receipt);
    let ty = TxType::try_from(ty).unwrap_or(TxType::Legacy);
    ReceiptEnvelope::from_typed(ty, with_bloom)
}

/// What a new block is made of.
pub struct BlockParts<'a> {
    pub rev: Revision,
    pub number: u64,
    pub parent_hash: B256,
    pub timestamp: u64,
    pub base_fee: u64,
    pub gas_limit: u64,
    pub gas_used: u64,
    pub miner: Address,
    pub state_root: B256,
    pub mix_hash: B256,
    pub txs: &'a [TxEnvelope],
    pub receipts: &'a [ReceiptEnvelope],
}

/// Seals a block: roots, bloom, the header of the fork, and its hash.
pub fn seal(p: BlockParts<'_>) -> BlockRecord {
    let transactions_root = calculate_transaction_root(p.txs);
    let receipts_root = calculate_receipt_root(p.receipts);
    let mut bloom = Bloom::ZERO;
    for r in p.receipts {
        bloom.accrue_bloom(r.logs_bloom());
    }
    let header = Header {
        parent_hash: p.parent_hash,
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        beneficiary: p.miner,
        state_root: p.state_root,
        transactions_root,
        receipts_root,
        logs_bloom: bloom,
        difficulty: Default::default(),
        number: p.number,
        gas_limit: p.gas_limit,
        gas_used: p.gas_used,
        timestamp: p.timestamp,
        extra_data: Bytes::new(),
        mix_hash: p.mix_hash,
        nonce: Default::default(),
        base_fee_per_gas: (p.rev >= Revision::London).then_some(p.base_fee),
        withdrawals_root: (p.rev >= Revision::Shanghai).then_some(alloy_trie_empty_root()),
        blob_gas_used: (p.rev >= Revision::Cancun).then_some(0),
        excess_blob_gas: (p.rev >= Revision::Cancun).then_some(0),
        parent_beacon_block_root: (p.rev >= Revision::Cancun).then_some(B256::ZERO),
        requests_hash: (p.rev >= Revision::Prague)
            .then_some(alloy_eips::eip7685::EMPTY_REQUESTS_HASH),
    };
    let mut rlp = Vec::new();
    header.encode(&mut rlp);
    BlockRecord {
        number: p.number,
        hash: header.hash_slow(),
        parent_hash: p.parent_hash,
        timestamp: p.timestamp,
        base_fee_per_gas: p.base_fee,
        gas_limit: p.gas_limit,
        gas_used: p.gas_used,
        miner: p.miner,
        state_root: p.state_root,
        transactions_root,
        receipts_root,
        logs_bloom: Bytes::copy_from_slice(bloom.as_slice()),
        mix_hash: p.mix_hash,
        transactions: p.txs.iter().map(|t| *t.tx_hash()).collect(),
        header_rlp: rlp.into(),
    }
}

fn alloy_trie_empty_root() -> B256 {
    xvm_ethereum::trie::EMPTY_ROOT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_fee_follows_eip1559() {
        // Empty parent: down by 1/8.
        assert_eq!(next_base_fee(1_000_000_000, 0, 30_000_000), 875_000_000);
        // At target: unchanged.
        assert_eq!(
            next_base_fee(1_000_000_000, 15_000_000, 30_000_000),
            1_000_000_000
        );
        // Full parent: up by 1/8.
        assert_eq!(
            next_base_fee(1_000_000_000, 30_000_000, 30_000_000),
            1_125_000_000
        );
        // Tiny fees still rise by at least 1 wei.
        assert_eq!(next_base_fee(7, 30_000_000, 30_000_000), 8);
    }
}
