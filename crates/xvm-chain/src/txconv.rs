//! Signed transactions (alloy's EIP-2718 envelopes) to the state transition's [`Transaction`].

use alloy_consensus::transaction::SignerRecoverable;
use alloy_consensus::{Transaction as _, TxEnvelope};
use alloy_primitives::U256;
use xvm_ethereum::tx::Authorization;
use xvm_ethereum::{Transaction, TxType};

use crate::ChainError;

/// The transaction `env` as the state transition runs it, with the sender recovered from its
/// signature. Blob transactions are refused: a local chain has no blob sidecars.
pub fn envelope_to_transaction(env: &TxEnvelope) -> Result<Transaction, ChainError> {
    envelope_to_transaction_as(env, None)
}

/// [`envelope_to_transaction`], run as `sender` when given (already recovered, or an
/// impersonated account): the signature is then not recovered again.
pub(crate) fn envelope_to_transaction_as(
    env: &TxEnvelope,
    sender: Option<alloy_primitives::Address>,
) -> Result<Transaction, ChainError> {
    let sender = match sender {
        Some(s) => s,
        None => env
            .recover_signer()
            .map_err(|e| ChainError::Rejected(format!("invalid signature: {e}")))?,
    };
    let ty = match env {
        TxEnvelope::Legacy(_) => TxType::Legacy,
        TxEnvelope::Eip2930(_) => TxType::AccessList,
        TxEnvelope::Eip1559(_) => TxType::DynamicFee,
        TxEnvelope::Eip7702(_) => TxType::SetCode,
        TxEnvelope::Eip4844(_) => {
            return Err(ChainError::Rejected(
                "blob transactions are not supported by the local chain".into(),
            ))
        }
    };
    let (max_fee, priority) = match env.max_priority_fee_per_gas() {
        Some(p) => (env.max_fee_per_gas(), p),
        None => {
            let price = env.gas_price().unwrap_or(env.max_fee_per_gas());
            (price, price)
        }
    };
    let access_list = env
        .access_list()
        .map(|al| {
            al.iter()
                .map(|item| {
                    let keys = item
                        .storage_keys
                        .iter()
                        .map(|k| U256::from_be_bytes(k.0))
                        .collect();
                    (item.address, keys)
                })
                .collect()
        })
        .unwrap_or_default();
    let authorizations = env
        .authorization_list()
        .map(|list| {
            list.iter()
                .map(|a| Authorization {
                    chain_id: *a.chain_id(),
                    address: *a.address(),
                    nonce: U256::from(a.nonce()),
                    y_parity: U256::from(a.y_parity()),
                    r: a.r(),
                    s: a.s(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Transaction {
        ty,
        sender,
        to: env.to(),
        nonce: U256::from(env.nonce()),
        gas_limit: U256::from(env.gas_limit()),
        max_fee_per_gas: U256::from(max_fee),
        max_priority_fee_per_gas: U256::from(priority),
        value: env.value(),
        data: env.input().clone(),
        access_list,
        max_fee_per_blob_gas: U256::ZERO,
        blob_hashes: Vec::new(),
        authorizations,
    })
}
