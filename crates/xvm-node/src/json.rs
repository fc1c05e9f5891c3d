//! Blocks, transactions, receipts and logs in the JSON shapes of Ethereum's RPC (alloy's RPC
//! types where they fit, the standard field names elsewhere).

use alloy_consensus::transaction::Recovered;
use alloy_consensus::Header;
use alloy_primitives::B256;
use alloy_rlp::Decodable;
use serde_json::{json, Value};
use xvm_chain::{BlockRecord, Chain, LogRecord, TxRecord};

use crate::errors::{err, RpcResult, INTERNAL};

pub fn hex_u64(n: u64) -> String {
    format!("{n:#x}")
}

/// A mined transaction as `eth_getTransactionByHash` returns it.
pub fn transaction(rec: &TxRecord) -> RpcResult<Value> {
    let env = xvm_chain::decode_raw(&rec.raw).map_err(|e| err(INTERNAL, e.to_string()))?;
    let tx = alloy_rpc_types_eth::Transaction {
        inner: Recovered::new_unchecked(env, rec.from),
        block_hash: Some(rec.block_hash),
        block_number: Some(rec.block_number),
        transaction_index: Some(rec.index),
        effective_gas_price: Some(rec.effective_gas_price),
    };
    serde_json::to_value(&tx).map_err(|e| err(INTERNAL, e.to_string()))
}

/// A transaction still waiting for a block.
pub fn pending_transaction(
    from: alloy_primitives::Address,
    env: alloy_consensus::TxEnvelope,
) -> RpcResult<Value> {
    let tx = alloy_rpc_types_eth::Transaction {
        inner: Recovered::new_unchecked(env, from),
        block_hash: None,
        block_number: None,
        transaction_index: None,
        effective_gas_price: None,
    };
    serde_json::to_value(&tx).map_err(|e| err(INTERNAL, e.to_string()))
}

/// A log of a mined transaction.
pub fn log(rec: &TxRecord, l: &LogRecord) -> Value {
    json!({
        "address": l.address,
        "topics": l.topics,
        "data": l.data,
        "blockNumber": hex_u64(rec.block_number),
        "blockHash": rec.block_hash,
        "transactionHash": rec.hash,
        "transactionIndex": hex_u64(rec.index),
        "logIndex": hex_u64(l.log_index),
        "removed": false,
    })
}

/// `eth_getTransactionReceipt`.
pub fn receipt(rec: &TxRecord, block: &BlockRecord) -> Value {
    let mut bloom = alloy_primitives::Bloom::ZERO;
    for l in &rec.logs {
        bloom.accrue_log(&alloy_primitives::Log::new_unchecked(
            l.address,
            l.topics.clone(),
            l.data.clone(),
        ));
    }
    json!({
        "transactionHash": rec.hash,
        "transactionIndex": hex_u64(rec.index),
        "blockHash": rec.block_hash,
        "blockNumber": hex_u64(rec.block_number),
        "from": rec.from,
        "to": rec.to,
        "cumulativeGasUsed": hex_u64(rec.cumulative_gas_used),
        "gasUsed": hex_u64(rec.gas_used),
        "contractAddress": rec.contract_address,
        "logs": rec.logs.iter().map(|l| log(rec, l)).collect::<Vec<_>>(),
        "logsBloom": bloom,
        "status": if rec.status { "0x1" } else { "0x0" },
        "effectiveGasPrice": format!("{:#x}", rec.effective_gas_price),
        "type": hex_u64(rec.ty as u64),
        "blobGasUsed": null,
        "root": null,
        "timestamp": hex_u64(block.timestamp),
    })
}

/// `eth_getBlockBy*`: the header's fields from its RLP, with transaction hashes or objects.
pub fn block(chain: &Chain, b: &BlockRecord, full: bool) -> RpcResult<Value> {
    let header =
        Header::decode(&mut &b.header_rlp[..]).map_err(|e| err(INTERNAL, e.to_string()))?;
    let rpc = alloy_rpc_types_eth::Header {
        hash: b.hash,
        inner: header.clone(),
        total_difficulty: Some(Default::default()),
        size: None,
    };
    let mut v = serde_json::to_value(&rpc).map_err(|e| err(INTERNAL, e.to_string()))?;
    let txs: Vec<Value> = if full {
        b.transactions
            .iter()
            .map(|h| match chain.transaction(h) {
                Ok(Some(rec)) => transaction(&rec),
                _ => Ok(json!(h)),
            })
            .collect::<RpcResult<_>>()?
    } else {
        b.transactions.iter().map(|h| json!(h)).collect()
    };
    let size = b.header_rlp.len()
        + b.transactions
            .iter()
            .filter_map(|h| chain.transaction(h).ok().flatten())
            .map(|r| r.raw.len())
            .sum::<usize>()
        + 8;
    v["transactions"] = Value::Array(txs);
    v["uncles"] = json!([]);
    v["size"] = json!(hex_u64(size as u64));
    if header.withdrawals_root.is_some() {
        v["withdrawals"] = json!([]);
    }
    Ok(v)
}

/// A block's hash as JSON (for block filters and subscriptions).
pub fn hash(h: &B256) -> Value {
    json!(h)
}
