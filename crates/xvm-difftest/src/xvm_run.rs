//! Runs a case through xvm's state transition (`xvm_ethereum::execute_transaction`).

use crate::case::Case;
use crate::outcome::{Executed, LogEntry, Outcome, PostAccount, Status};
use alloy_primitives::{B256, U256};
use xvm_ethereum::state::SlotMap;
use xvm_ethereum::tx::{Authorization, BlobParams, BlockEnv, Transaction, TxType};
use xvm_ethereum::{execute_transaction, PreAccount, PreState};
use xvm_evm::{Interpreter, Revision, StatusCode};

/// The case's pre-state as xvm's.
pub fn pre_state(case: &Case) -> PreState {
    let mut pre = PreState::new();
    for (addr, a) in &case.pre {
        let storage: SlotMap<U256> = a.storage.iter().map(|(k, v)| (*k, *v)).collect();
        pre.insert(*addr, PreAccount::new(a.nonce, a.balance, &a.code, storage));
    }
    pre
}

/// The case's block as xvm's.
pub fn block_env(case: &Case) -> BlockEnv {
    let b = &case.block;
    BlockEnv {
        coinbase: b.coinbase,
        gas_limit: b.gas_limit,
        number: b.number,
        timestamp: b.timestamp,
        difficulty: b.difficulty,
        prev_randao: (case.rev >= Revision::Paris).then_some(b.prev_randao),
        base_fee: U256::from(b.base_fee),
        excess_blob_gas: b.excess_blob_gas,
        chain_id: case.chain_id,
        blob_params: BlobParams::for_revision(case.rev),
    }
}

/// The case's transaction as xvm's.
pub fn transaction(case: &Case) -> Transaction {
    let t = &case.tx;
    Transaction {
        ty: match t.ty {
            0 => TxType::Legacy,
            1 => TxType::AccessList,
            2 => TxType::DynamicFee,
            3 => TxType::Blob,
            _ => TxType::SetCode,
        },
        sender: t.sender,
        to: t.to,
        nonce: U256::from(t.nonce),
        gas_limit: U256::from(t.gas_limit),
        max_fee_per_gas: U256::from(t.max_fee),
        max_priority_fee_per_gas: U256::from(t.tip),
        value: t.value,
        data: t.data.clone(),
        access_list: t
            .access_list
            .iter()
            .map(|(a, keys)| (*a, keys.iter().map(|k| U256::from_be_bytes(k.0)).collect()))
            .collect(),
        max_fee_per_blob_gas: U256::from(t.max_fee_per_blob_gas),
        blob_hashes: t.blob_hashes.clone(),
        authorizations: t
            .authorizations
            .iter()
            .map(|a| Authorization {
                chain_id: a.chain_id,
                address: a.address,
                nonce: U256::from(a.nonce),
                y_parity: U256::from(a.y_parity),
                r: a.r,
                s: a.s,
            })
            .collect(),
    }
}

/// Runs `case` in xvm.
pub fn run(case: &Case) -> Outcome {
    let pre = pre_state(case);
    let block = block_env(case);
    let tx = transaction(case);
    let out = match execute_transaction(&pre, &block, &tx, case.rev, &Interpreter) {
        Ok(o) => o,
        Err(e) => return Outcome::Rejected(e.to_string()),
    };
    let status = match out.status {
        StatusCode::Success => Status::Success,
        StatusCode::Revert => Status::Revert,
        _ => Status::Halt,
    };
    let mut post = std::collections::BTreeMap::new();
    out.state
        .for_each_final_account(case.rev >= Revision::SpuriousDragon, |addr, acc| {
            post.insert(
                *addr,
                PostAccount {
                    nonce: acc.nonce,
                    balance: acc.balance,
                    code_hash: acc.code_hash,
                    storage: acc.storage().into_iter().collect(),
                },
            );
        });
    let logs = out
        .logs
        .iter()
        .map(|l| LogEntry {
            address: l.address,
            topics: l.topics.iter().map(|t| B256::from(t.0)).collect(),
            data: l.data.clone(),
        })
        .collect();
    // A creation's output is the deployed code, which the post-state already holds; revm does
    // not report it as output.
    let output = if case.tx.to.is_none() && status == Status::Success {
        Default::default()
    } else {
        out.output
    };
    Outcome::Executed(Executed {
        status,
        gas_used: out.gas_used,
        refund: out.gas_refund,
        output,
        logs,
        post,
    })
}
