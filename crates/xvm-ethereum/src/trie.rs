//! State root (secure Merkle-Patricia trie via alloy-trie) and logs hash.

use crate::state::{Log, State};
use alloy_primitives::{keccak256, B256, U256};
use alloy_rlp::{BufMut, Encodable, Header};
use alloy_trie::TrieAccount;

/// Root of an empty trie.
pub const EMPTY_ROOT: B256 = alloy_trie::EMPTY_ROOT_HASH;

/// Root of a storage trie with the given (slot, value) pairs; zero values are skipped.
pub fn storage_root(slots: impl Iterator<Item = (U256, U256)>) -> B256 {
    let mut leaves: Vec<(B256, U256)> = slots
        .filter(|(_, v)| !v.is_zero())
        .map(|(k, v)| (keccak256(k.to_be_bytes::<32>()), v))
        .collect();
    if leaves.is_empty() {
        return EMPTY_ROOT;
    }
    leaves.sort_unstable_by_key(|(k, _)| *k);
    alloy_trie::root::storage_root(leaves)
}

/// The state root of the state after the transaction, with the end-of-transaction rules applied
/// (`clear_empty`: EIP-161 removal of touched empty accounts, from Spurious Dragon on).
pub fn state_root(state: &State<'_>, clear_empty: bool) -> B256 {
    let mut leaves: Vec<(B256, TrieAccount)> = Vec::new();
    state.for_each_final_account(clear_empty, |_, acc| {
        leaves.push((
            acc.hashed_address,
            TrieAccount {
                nonce: acc.nonce,
                balance: acc.balance,
                storage_root: acc.storage_root(),
                code_hash: acc.code_hash,
            },
        ));
    });
    if leaves.is_empty() {
        return EMPTY_ROOT;
    }
    leaves.sort_unstable_by_key(|(k, _)| *k);
    alloy_trie::root::state_root(leaves)
}

fn log_payload_len(log: &Log) -> usize {
    let topics_len = log.topics.len() * 33;
    log.address.length()
        + Header {
            list: true,
            payload_length: topics_len,
        }
        .length()
        + topics_len
        + log.data.as_ref().length()
}

fn encode_log(log: &Log, out: &mut dyn BufMut) {
    Header {
        list: true,
        payload_length: log_payload_len(log),
    }
    .encode(out);
    log.address.encode(out);
    Header {
        list: true,
        payload_length: log.topics.len() * 33,
    }
    .encode(out);
    for t in &log.topics {
        t.encode(out);
    }
    log.data.as_ref().encode(out);
}

/// keccak256 of the RLP list of logs, each `[address, [topics...], data]`.
pub fn logs_hash(logs: &[Log]) -> B256 {
    let payload: usize = logs
        .iter()
        .map(|l| {
            let p = log_payload_len(l);
            Header {
                list: true,
                payload_length: p,
            }
            .length()
                + p
        })
        .sum();
    let mut out = Vec::with_capacity(payload + 9);
    Header {
        list: true,
        payload_length: payload,
    }
    .encode(&mut out);
    for l in logs {
        encode_log(l, &mut out);
    }
    keccak256(&out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{PreAccount, PreState, SlotMap};
    use alloy_primitives::{b256, Address, Bytes};

    #[test]
    fn empty_roots() {
        let pre = PreState::new();
        let st = State::new(&pre);
        assert_eq!(
            state_root(&st, true),
            b256!("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
        );
        assert_eq!(
            logs_hash(&[]),
            b256!("1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")
        );
        assert_eq!(
            storage_root([(U256::from(1), U256::ZERO)].into_iter()),
            EMPTY_ROOT
        );
    }

    #[test]
    fn one_log_matches_manual_rlp() {
        let log = Log {
            address: Address::with_last_byte(0xaa),
            topics: vec![B256::with_last_byte(1)],
            data: Bytes::from_static(&[0x12, 0x34]),
        };
        // [[addr, [topic], data]] built by hand.
        let mut inner = vec![0x94];
        inner.extend_from_slice(log.address.as_slice());
        inner.push(0xe1);
        inner.push(0xa0);
        inner.extend_from_slice(log.topics[0].as_slice());
        inner.extend_from_slice(&[0x82, 0x12, 0x34]);
        // Payloads of 56+ bytes take the long list form: 0xf8 ++ length.
        let mut one = vec![0xf8, inner.len() as u8];
        one.extend_from_slice(&inner);
        let mut all = vec![0xf8, one.len() as u8];
        all.extend_from_slice(&one);
        assert_eq!(logs_hash(&[log]), keccak256(&all));
    }

    #[test]
    fn pre_state_root_known_value() {
        // One account with balance 1 and nothing else: root of a single-leaf trie.
        let mut pre = PreState::new();
        let addr = Address::with_last_byte(1);
        pre.insert(
            addr,
            PreAccount::new(0, U256::from(1), &[], SlotMap::default()),
        );
        let st = State::new(&pre);
        let acc = TrieAccount {
            nonce: 0,
            balance: U256::from(1),
            storage_root: EMPTY_ROOT,
            code_hash: crate::state::EMPTY_CODE_HASH,
        };
        let mut rlp = Vec::new();
        acc.encode(&mut rlp);
        // A single leaf: [compact(0x20 ++ key), value]; root = keccak(rlp(leaf)).
        let key = keccak256(addr);
        let mut path = vec![0x20];
        path.extend_from_slice(key.as_slice());
        let mut leaf_payload = Vec::new();
        path.as_slice().encode(&mut leaf_payload);
        rlp.as_slice().encode(&mut leaf_payload);
        let mut leaf = Vec::new();
        Header {
            list: true,
            payload_length: leaf_payload.len(),
        }
        .encode(&mut leaf);
        leaf.extend_from_slice(&leaf_payload);
        assert_eq!(state_root(&st, true), keccak256(&leaf));
    }
}
