//! LedgerContract (id -4): current block, blocks and transactions that xvm persisted.

use super::{arg_bytes, native_key, NativeContract, NativeMethod, NativeResult};
use crate::binary::{deserialize, serialize};
use crate::state::DataCache;
use crate::tx::{Block, Transaction};
use crate::types::{call_flags as cf, ParamType as T};
use xvm_neovm::error::{fault, VmError};
use xvm_neovm::{Int, StackItem};

/// LedgerContract's id.
pub const ID: i32 = -4;
const PREFIX_BLOCK_HASH: u8 = 9;
const PREFIX_CURRENT: u8 = 12;
const PREFIX_BLOCK: u8 = 5;
const PREFIX_TX: u8 = 11;

/// The current (last persisted) block: (hash, index), if any.
pub fn current(cache: &DataCache<'_>) -> Result<Option<([u8; 32], u32)>, String> {
    Ok(cache
        .get(&native_key(ID, PREFIX_CURRENT, &[]))?
        .and_then(|b| {
            let hash: [u8; 32] = b.get(..32)?.try_into().ok()?;
            let idx = u32::from_le_bytes(b.get(32..36)?.try_into().ok()?);
            Some((hash, idx))
        }))
}

/// Records a persisted block and its transactions (with their VM states).
pub fn persist(cache: &mut DataCache<'_>, block: &Block, txs: &[(Transaction, bool)]) {
    let hash = block.hash();
    let rec = StackItem::array(vec![
        StackItem::int(block.index as i64),
        StackItem::int(block.timestamp as i64),
        StackItem::Integer(
            Int::from_le_bytes(&[&block.nonce.to_le_bytes()[..], &[0]].concat())
                .unwrap_or_default(),
        ),
        StackItem::bytes(&block.prev_hash),
        StackItem::int(txs.len() as i64),
    ]);
    cache.put(
        native_key(ID, PREFIX_BLOCK, &hash),
        serialize(&rec).unwrap_or_default(),
    );
    cache.put(
        native_key(ID, PREFIX_BLOCK_HASH, &block.index.to_be_bytes()),
        hash.to_vec(),
    );
    for (tx, halted) in txs {
        let rec = StackItem::array(vec![
            StackItem::int(block.index as i64),
            tx.to_stack_item(),
            StackItem::int(if *halted { 1 } else { 2 }),
            StackItem::array(tx.signers.iter().map(|s| s.to_stack_item()).collect()),
        ]);
        cache.put(
            native_key(ID, PREFIX_TX, &tx.hash()),
            serialize(&rec).unwrap_or_default(),
        );
    }
    let mut cur = hash.to_vec();
    cur.extend_from_slice(&block.index.to_le_bytes());
    cache.put(native_key(ID, PREFIX_CURRENT, &[]), cur);
}

fn block_item(cache: &DataCache<'_>, key: &StackItem) -> Result<StackItem, VmError> {
    let b = key.to_bytes()?;
    let hash = if b.len() == 32 {
        b
    } else {
        let idx = key
            .to_int()?
            .to_i64()
            .filter(|i| (0..=u32::MAX as i64).contains(i))
            .ok_or_else(|| fault("invalid block index"))? as u32;
        match cache
            .get(&native_key(ID, PREFIX_BLOCK_HASH, &idx.to_be_bytes()))
            .map_err(fault)?
        {
            Some(h) => h,
            None => return Ok(StackItem::Null),
        }
    };
    let Some(rec) = cache
        .get(&native_key(ID, PREFIX_BLOCK, &hash))
        .map_err(fault)?
    else {
        return Ok(StackItem::Null);
    };
    let StackItem::Array(a) = deserialize(&rec).map_err(fault)? else {
        return Ok(StackItem::Null);
    };
    let f = a.items().clone();
    let int = |i: usize| f.get(i).and_then(|x| x.to_int().ok()).unwrap_or_default();
    let block = Block {
        index: int(0).to_i64().unwrap_or(0) as u32,
        timestamp: int(1).to_i64().unwrap_or(0) as u64,
        nonce: {
            let mut b = int(2).to_le_bytes();
            b.resize(8, 0);
            u64::from_le_bytes(b[..8].try_into().unwrap_or_default())
        },
        prev_hash: f
            .get(3)
            .and_then(|x| x.to_bytes().ok())
            .and_then(|b| b.try_into().ok())
            .unwrap_or([0; 32]),
    };
    Ok(block.to_stack_item(int(4).to_i64().unwrap_or(0) as usize))
}

/// Field `index` of the transaction record whose hash is argument 0, or `missing` when there is
/// no such transaction (the getTransaction* methods differ only in these two).
fn tx_field(
    cache: &DataCache<'_>,
    args: &[StackItem],
    index: usize,
    missing: StackItem,
) -> Result<StackItem, VmError> {
    let record = tx_record(cache, &arg_bytes(args, 0)?)?;
    Ok(record
        .and_then(|r| r.get(index).cloned())
        .unwrap_or(missing))
}

fn tx_record(cache: &DataCache<'_>, hash: &[u8]) -> Result<Option<Vec<StackItem>>, VmError> {
    let Some(rec) = cache.get(&native_key(ID, PREFIX_TX, hash)).map_err(fault)? else {
        return Ok(None);
    };
    match deserialize(&rec).map_err(fault)? {
        StackItem::Array(a) => Ok(Some(a.items().clone())),
        _ => Ok(None),
    }
}

/// The native.
pub fn contract() -> NativeContract {
    let rs = cf::READ_STATES;
    NativeContract::new(
        "LedgerContract",
        ID,
        vec![
            NativeMethod::new("currentHash", &[], T::Hash256, 1 << 15, rs, |h, _, _, _| {
                let c = current(&h.cache).map_err(fault)?;
                NativeResult::value(StackItem::bytes(&c.map(|c| c.0).unwrap_or([0; 32])))
            }),
            NativeMethod::new(
                "currentIndex",
                &[],
                T::Integer,
                1 << 15,
                rs,
                |h, _, _, _| {
                    let c = current(&h.cache).map_err(fault)?;
                    NativeResult::value(StackItem::int(c.map_or(0, |c| c.1 as i64)))
                },
            ),
            NativeMethod::new(
                "getBlock",
                &[("indexOrHash", T::ByteArray)],
                T::Array,
                1 << 15,
                rs,
                |h, _, _, a| NativeResult::value(block_item(&h.cache, &a[0])?),
            ),
            NativeMethod::new(
                "getTransaction",
                &[("hash", T::Hash256)],
                T::Array,
                1 << 15,
                rs,
                |h, _, _, a| NativeResult::value(tx_field(&h.cache, &a, 1, StackItem::Null)?),
            ),
            NativeMethod::new(
                "getTransactionHeight",
                &[("hash", T::Hash256)],
                T::Integer,
                1 << 15,
                rs,
                |h, _, _, a| NativeResult::value(tx_field(&h.cache, &a, 0, StackItem::int(-1i64))?),
            ),
            NativeMethod::new(
                "getTransactionSigners",
                &[("hash", T::Hash256)],
                T::Array,
                1 << 15,
                rs,
                |h, _, _, a| NativeResult::value(tx_field(&h.cache, &a, 3, StackItem::Null)?),
            ),
            NativeMethod::new(
                "getTransactionVMState",
                &[("hash", T::Hash256)],
                T::Integer,
                1 << 15,
                rs,
                |h, _, _, a| NativeResult::value(tx_field(&h.cache, &a, 2, StackItem::int(0i64))?),
            ),
        ],
    )
}
