//! Writes a case as a filled state test (one fork, one post entry) whose expected state root and
//! logs hash are revm's, so that `xvm evm statetest FILE` replays a mismatch.

use crate::case::Case;
use crate::outcome::{LogEntry, Outcome, PostAccount};
use alloy_primitives::{hex, Address, B256, U256};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use xvm_ethereum::state::{PreAccount, PreState, SlotMap, State};
use xvm_evm::Revision;

fn hex_u(v: U256) -> String {
    format!("{v:#x}")
}

fn root_of(post: &BTreeMap<Address, PostAccount>) -> B256 {
    let mut pre = PreState::new();
    for (addr, a) in post {
        let storage: SlotMap<U256> = a.storage.iter().map(|(k, v)| (*k, *v)).collect();
        let mut acc = PreAccount::new(a.nonce, a.balance, &[], storage);
        acc.code_hash = a.code_hash;
        pre.insert(*addr, acc);
    }
    xvm_ethereum::trie::state_root(&State::new(&pre), false)
}

fn logs_hash(logs: &[LogEntry]) -> B256 {
    let logs: Vec<xvm_ethereum::Log> = logs
        .iter()
        .map(|l| xvm_ethereum::Log {
            address: l.address,
            topics: l.topics.clone(),
            data: l.data.clone(),
        })
        .collect();
    xvm_ethereum::trie::logs_hash(&logs)
}

/// The fork's name in the state-test format.
pub fn fork_name(rev: Revision) -> &'static str {
    match rev {
        Revision::Frontier => "Frontier",
        Revision::Homestead => "Homestead",
        Revision::TangerineWhistle => "EIP150",
        Revision::SpuriousDragon => "EIP158",
        Revision::Byzantium => "Byzantium",
        Revision::Constantinople => "Constantinople",
        Revision::Petersburg => "ConstantinopleFix",
        Revision::Istanbul => "Istanbul",
        Revision::Berlin => "Berlin",
        Revision::London => "London",
        Revision::Paris => "Paris",
        Revision::Shanghai => "Shanghai",
        Revision::Cancun => "Cancun",
        Revision::Prague => "Prague",
        Revision::Osaka => "Osaka",
    }
}

/// The state-test JSON of `case`, expecting `expected` (revm's outcome).
pub fn state_test(name: &str, case: &Case, expected: &Outcome) -> Value {
    let mut pre = Map::new();
    for (addr, a) in &case.pre {
        let storage: Map<String, Value> = a
            .storage
            .iter()
            .map(|(k, v)| (hex_u(*k), json!(hex_u(*v))))
            .collect();
        pre.insert(
            format!("{addr:#x}"),
            json!({
                "nonce": format!("{:#x}", a.nonce),
                "balance": hex_u(a.balance),
                "code": format!("0x{}", hex::encode(&a.code)),
                "storage": storage,
            }),
        );
    }
    let b = &case.block;
    let mut env = json!({
        "currentCoinbase": format!("{:#x}", b.coinbase),
        "currentGasLimit": format!("{:#x}", b.gas_limit),
        "currentNumber": format!("{:#x}", b.number),
        "currentTimestamp": format!("{:#x}", b.timestamp),
        "currentDifficulty": hex_u(b.difficulty),
        "currentBaseFee": format!("{:#x}", b.base_fee),
    });
    if case.rev >= Revision::Paris {
        env["currentRandom"] = json!(format!("{:#x}", b.prev_randao));
    }
    if case.rev >= Revision::Cancun {
        env["currentExcessBlobGas"] = json!(format!("{:#x}", b.excess_blob_gas));
    }
    let t = &case.tx;
    let mut tx = json!({
        "data": [format!("0x{}", hex::encode(&t.data))],
        "gasLimit": [format!("{:#x}", t.gas_limit)],
        "value": [hex_u(t.value)],
        "nonce": format!("{:#x}", t.nonce),
        "to": t.to.map(|a| format!("{a:#x}")).unwrap_or_default(),
        "sender": format!("{:#x}", t.sender),
    });
    if t.ty >= 2 {
        tx["maxFeePerGas"] = json!(format!("{:#x}", t.max_fee));
        tx["maxPriorityFeePerGas"] = json!(format!("{:#x}", t.tip));
    } else {
        tx["gasPrice"] = json!(format!("{:#x}", t.max_fee));
    }
    if t.ty >= 1 {
        let list: Vec<Value> = t
            .access_list
            .iter()
            .map(|(a, keys)| {
                json!({
                    "address": format!("{a:#x}"),
                    "storageKeys": keys.iter().map(|k| format!("{k:#x}")).collect::<Vec<_>>(),
                })
            })
            .collect();
        tx["accessLists"] = json!([list]);
    }
    if t.ty == 3 {
        tx["maxFeePerBlobGas"] = json!(format!("{:#x}", t.max_fee_per_blob_gas));
        tx["blobVersionedHashes"] = json!(t
            .blob_hashes
            .iter()
            .map(|h| format!("{h:#x}"))
            .collect::<Vec<_>>());
    }
    if t.ty == 4 {
        tx["authorizationList"] = json!(t
            .authorizations
            .iter()
            .map(|a| json!({
                "chainId": hex_u(a.chain_id),
                "address": format!("{:#x}", a.address),
                "nonce": format!("{:#x}", a.nonce),
                "yParity": format!("{:#x}", a.y_parity),
                "r": hex_u(a.r),
                "s": hex_u(a.s),
            }))
            .collect::<Vec<_>>());
    }
    let mut post = json!({"indexes": {"data": 0, "gas": 0, "value": 0}});
    match expected {
        Outcome::Executed(e) => {
            post["hash"] = json!(format!("{:#x}", root_of(&e.post)));
            post["logs"] = json!(format!("{:#x}", logs_hash(&e.logs)));
        }
        Outcome::Rejected(reason) => {
            let pre_state = crate::xvm_run::pre_state(case);
            let mut st = State::new(&pre_state);
            st.touch(&case.block.coinbase);
            let root = xvm_ethereum::trie::state_root(&st, case.rev >= Revision::SpuriousDragon);
            post["hash"] = json!(format!("{root:#x}"));
            post["logs"] = json!(format!("{:#x}", logs_hash(&[])));
            post["expectException"] = json!(format!("revm: {reason}"));
        }
    }
    json!({
        name: {
            "env": env,
            "pre": pre,
            "transaction": tx,
            "post": { fork_name(case.rev): [post] },
            "config": { "chainid": format!("{:#x}", case.chain_id) },
        }
    })
}
