//! State root (secure Merkle-Patricia trie via alloy-trie) and logs hash.

use crate::state::{Log, State};
use alloy_primitives::{keccak256, Keccak256, B256, U256};
use alloy_rlp::{Encodable, Header};
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
    state_root_of(&state_leaves(state, clear_empty))
}

/// The account leaves of the state trie after the transaction (see [`state_root`]): the hashed
/// address and the account (storage root included) of every account that remains, sorted by
/// hashed address.
pub fn state_leaves(state: &State<'_>, clear_empty: bool) -> Vec<(B256, TrieAccount)> {
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
    leaves.sort_unstable_by_key(|(k, _)| *k);
    leaves
}

/// The root of a state trie with the given leaves, sorted by hashed address as
/// [`state_leaves`] returns them.
pub fn state_root_of(leaves: &[(B256, TrieAccount)]) -> B256 {
    if leaves.is_empty() {
        return EMPTY_ROOT;
    }
    alloy_trie::root::state_root(leaves.iter().map(|(k, a)| (*k, *a)))
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

/// Everything of a log's encoding except the data bytes themselves (which follow it).
fn encode_log_head(log: &Log, out: &mut Vec<u8>) {
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
    let data: &[u8] = &log.data;
    if data.len() == 1 && data[0] < 0x80 {
        // A single byte below 0x80 is its own encoding: no header.
        return;
    }
    Header {
        list: false,
        payload_length: data.len(),
    }
    .encode(out);
}

/// keccak256 of the RLP list of logs, each `[address, [topics...], data]`.
///
/// The encoding is fed to the hasher piece by piece: the data of a log (which can be megabytes)
/// is hashed where it lies, never copied into one encoded buffer.
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
    let mut hasher = Keccak256::new();
    let mut head = Vec::with_capacity(256);
    Header {
        list: true,
        payload_length: payload,
    }
    .encode(&mut head);
    for l in logs {
        encode_log_head(l, &mut head);
        hasher.update(&head);
        head.clear();
        hasher.update(&l.data);
    }
    hasher.update(&head);
    hasher.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An RLP list around an encoded payload.
    fn rlp_list(payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(payload.len() + 9);
        Header {
            list: true,
            payload_length: payload.len(),
        }
        .encode(&mut out);
        out.extend_from_slice(payload);
        out
    }
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

    /// The streamed hash equals keccak256 of the whole list encoded at once by alloy-rlp, for
    /// data of every header form (empty, one byte below and at 0x80, short, long, megabytes)
    /// and 0 to 4 topics.
    #[test]
    fn streamed_logs_hash_matches_whole_encoding() {
        fn reference(logs: &[Log]) -> B256 {
            let mut items = Vec::new();
            for l in logs {
                let mut body = Vec::new();
                l.address.encode(&mut body);
                let mut topics = Vec::new();
                for t in &l.topics {
                    t.encode(&mut topics);
                }
                body.extend(rlp_list(&topics));
                l.data.as_ref().encode(&mut body);
                items.extend(rlp_list(&body));
            }
            keccak256(rlp_list(&items))
        }
        let sizes = [0usize, 1, 1, 2, 55, 56, 57, 255, 256, 65_536, 1 << 20];
        let mut logs = Vec::new();
        for (i, &n) in sizes.iter().enumerate() {
            let mut data: Vec<u8> = (0..n).map(|j| (j * 7 + i) as u8).collect();
            if n == 1 {
                data[0] = if i == 1 { 0x7f } else { 0x80 };
            }
            let log = Log {
                address: Address::with_last_byte(i as u8),
                topics: (0..i % 5).map(|t| B256::with_last_byte(t as u8)).collect(),
                data: Bytes::from(data),
            };
            assert_eq!(
                logs_hash(std::slice::from_ref(&log)),
                reference(std::slice::from_ref(&log))
            );
            logs.push(log);
        }
        assert_eq!(logs_hash(&logs), reference(&logs));
        assert_eq!(logs_hash(&[]), reference(&[]));
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
        assert_eq!(state_root(&st, true), keccak256(rlp_list(&leaf_payload)));
    }
}
