//! Runs a case through revm (the reference), with a `CacheDB` over an empty database, and
//! applies the end-of-transaction rules (self-destructs, EIP-161 removal of touched empty
//! accounts) to its state changes the way a state root sees them.

use crate::case::Case;
use crate::outcome::{Executed, LogEntry, Outcome, PostAccount, Status};
use revm::bytecode::Bytecode;
use revm::context::{BlockEnv, CfgEnv, TxEnv};
use revm::context_interface::block::BlobExcessGasAndPrice;
use revm::context_interface::result::ExecutionResult;
use revm::context_interface::transaction::{
    AccessList, AccessListItem, Authorization, SignedAuthorization,
};
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::hardfork::SpecId;
use revm::primitives::{keccak256, TxKind, KECCAK_EMPTY, U256};
use revm::state::AccountInfo;
use revm::{Context, ExecuteEvm, MainBuilder, MainContext};
use std::collections::BTreeMap;
use xvm_evm::Revision;

/// revm's spec for an xvm revision (`None` for Constantinople, which revm does not have).
pub fn spec_id(rev: Revision) -> Option<SpecId> {
    Some(match rev {
        Revision::Frontier => SpecId::FRONTIER,
        Revision::Homestead => SpecId::HOMESTEAD,
        Revision::TangerineWhistle => SpecId::TANGERINE,
        Revision::SpuriousDragon => SpecId::SPURIOUS_DRAGON,
        Revision::Byzantium => SpecId::BYZANTIUM,
        Revision::Constantinople => return None,
        Revision::Petersburg => SpecId::PETERSBURG,
        Revision::Istanbul => SpecId::ISTANBUL,
        Revision::Berlin => SpecId::BERLIN,
        Revision::London => SpecId::LONDON,
        Revision::Paris => SpecId::MERGE,
        Revision::Shanghai => SpecId::SHANGHAI,
        Revision::Cancun => SpecId::CANCUN,
        Revision::Prague => SpecId::PRAGUE,
        Revision::Osaka => SpecId::OSAKA,
    })
}

/// Runs `case` in revm.
pub fn run(case: &Case) -> Outcome {
    let Some(spec) = spec_id(case.rev) else {
        return Outcome::Rejected(format!("revm has no {}", case.rev));
    };
    let mut db = CacheDB::new(EmptyDB::new());
    for (addr, a) in &case.pre {
        let code = Bytecode::new_raw_checked(a.code.clone())
            .unwrap_or_else(|_| Bytecode::new_legacy(a.code.clone()));
        let hash = if a.code.is_empty() {
            KECCAK_EMPTY
        } else {
            keccak256(&a.code)
        };
        db.insert_account_info(*addr, AccountInfo::new(a.balance, a.nonce, hash, code));
        for (k, v) in &a.storage {
            let _ = db.insert_account_storage(*addr, *k, *v);
        }
    }
    let b = &case.block;
    let cfg = CfgEnv::new()
        .with_chain_id(case.chain_id)
        .with_spec_and_mainnet_gas_params(spec);
    let block = BlockEnv {
        number: U256::from(b.number),
        beneficiary: b.coinbase,
        timestamp: U256::from(b.timestamp),
        gas_limit: b.gas_limit,
        basefee: b.base_fee,
        difficulty: b.difficulty,
        prevrandao: (case.rev >= Revision::Paris).then_some(b.prev_randao),
        blob_excess_gas_and_price: (case.rev >= Revision::Cancun)
            .then(|| BlobExcessGasAndPrice::new_with_spec(b.excess_blob_gas, spec)),
        ..Default::default()
    };
    let t = &case.tx;
    let tx = TxEnv {
        tx_type: t.ty,
        caller: t.sender,
        gas_limit: t.gas_limit,
        gas_price: t.max_fee,
        kind: match t.to {
            Some(a) => TxKind::Call(a),
            None => TxKind::Create,
        },
        value: t.value,
        data: t.data.clone(),
        nonce: t.nonce,
        chain_id: (t.ty > 0).then_some(case.chain_id),
        access_list: AccessList(
            t.access_list
                .iter()
                .map(|(address, keys)| AccessListItem {
                    address: *address,
                    storage_keys: keys.clone(),
                })
                .collect(),
        ),
        gas_priority_fee: (t.ty >= 2).then_some(t.tip),
        blob_hashes: t.blob_hashes.clone(),
        max_fee_per_blob_gas: t.max_fee_per_blob_gas,
        authorization_list: t
            .authorizations
            .iter()
            .map(|a| {
                revm::context_interface::either::Either::Left(SignedAuthorization::new_unchecked(
                    Authorization {
                        chain_id: a.chain_id,
                        address: a.address,
                        nonce: a.nonce,
                    },
                    a.y_parity,
                    a.r,
                    a.s,
                ))
            })
            .collect(),
    };
    let mut evm = Context::mainnet()
        .with_db(db)
        .with_cfg(cfg)
        .with_block(block)
        .build_mainnet();
    let res = match evm.transact(tx) {
        Ok(r) => r,
        Err(e) => return Outcome::Rejected(e.to_string()),
    };

    // The post-state: the pre-state with revm's changes applied.
    let mut post: BTreeMap<_, PostAccount> = case
        .pre
        .iter()
        .map(|(addr, a)| {
            (
                *addr,
                PostAccount {
                    nonce: a.nonce,
                    balance: a.balance,
                    code_hash: if a.code.is_empty() {
                        KECCAK_EMPTY
                    } else {
                        keccak256(&a.code)
                    },
                    storage: a.storage.clone(),
                },
            )
        })
        .collect();
    let clear_empty = case.rev >= Revision::SpuriousDragon;
    for (addr, acc) in res.state {
        if !acc.is_touched() {
            continue;
        }
        if acc.is_selfdestructed() {
            post.remove(&addr);
            continue;
        }
        if clear_empty && acc.is_empty() {
            post.remove(&addr);
            continue;
        }
        let entry = post.entry(addr).or_insert_with(|| PostAccount {
            nonce: 0,
            balance: U256::ZERO,
            code_hash: KECCAK_EMPTY,
            storage: BTreeMap::new(),
        });
        if acc.is_created() {
            entry.storage.clear();
        }
        entry.nonce = acc.info.nonce;
        entry.balance = acc.info.balance;
        entry.code_hash = acc.info.code_hash;
        for (k, slot) in acc.storage {
            let v = slot.present_value();
            if v.is_zero() {
                entry.storage.remove(&k);
            } else {
                entry.storage.insert(k, v);
            }
        }
    }

    let refund = res.result.gas().inner_refunded();
    let (status, gas_used, output, logs) = match res.result {
        ExecutionResult::Success {
            gas, logs, output, ..
        } => {
            let out = match output {
                revm::context_interface::result::Output::Call(b) => b,
                revm::context_interface::result::Output::Create(..) => Default::default(),
            };
            (Status::Success, gas.tx_gas_used(), out, logs)
        }
        ExecutionResult::Revert { gas, logs, output } => {
            (Status::Revert, gas.tx_gas_used(), output, logs)
        }
        ExecutionResult::Halt { gas, logs, .. } => {
            (Status::Halt, gas.tx_gas_used(), Default::default(), logs)
        }
    };
    Outcome::Executed(Executed {
        status,
        gas_used,
        refund,
        output,
        logs: logs
            .into_iter()
            .map(|l| LogEntry {
                address: l.address,
                topics: l.data.topics().to_vec(),
                data: l.data.data.clone(),
            })
            .collect(),
        post,
    })
}
