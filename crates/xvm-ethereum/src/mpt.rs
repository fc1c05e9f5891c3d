//! An in-memory Merkle-Patricia trie over fixed 32-byte keys (the hashed keys of Ethereum's
//! secure tries) that keeps every node's hash between updates.
//!
//! [`crate::trie`] computes a root from all leaves at once, which costs O(leaves) hashes each
//! time. A long-lived state (a local chain mining a block per transaction) changes a handful of
//! keys per block; [`MerkleTrie`] re-hashes only the nodes on the changed paths, so a root after
//! `k` updates costs O(k · depth) hashes. Roots are identical to alloy-trie's (tested).

use alloy_primitives::{keccak256, B256};
use alloy_rlp::{Encodable, Header};

/// Nibbles of a key path, one per byte (values 0..=15).
type Path = Vec<u8>;

/// What a parent embeds for a child: the child's RLP when shorter than 32 bytes, else the RLP
/// of its keccak hash (0xa0 followed by 32 bytes).
type NodeRef = Vec<u8>;

enum Kind {
    Leaf {
        path: Path,
        value: Vec<u8>,
    },
    Extension {
        path: Path,
        child: Box<Node>,
    },
    Branch {
        children: Box<[Option<Box<Node>>; 16]>,
    },
}

struct Node {
    kind: Kind,
    /// This node's [`NodeRef`], `None` while it (or anything below it) changed since last hashed.
    cached: Option<NodeRef>,
}

impl Node {
    fn new(kind: Kind) -> Box<Node> {
        Box::new(Node { kind, cached: None })
    }

    fn leaf(path: &[u8], value: Vec<u8>) -> Box<Node> {
        Node::new(Kind::Leaf {
            path: path.to_vec(),
            value,
        })
    }

    /// `child` under an extension of `path`, or `child` itself when `path` is empty.
    fn extend(path: &[u8], child: Box<Node>) -> Box<Node> {
        if path.is_empty() {
            child
        } else {
            Node::new(Kind::Extension {
                path: path.to_vec(),
                child,
            })
        }
    }
}

/// A Merkle-Patricia trie of 32-byte keys and RLP-encoded values with cached node hashes.
///
/// Values are stored as given: for a storage trie, the RLP of the slot's value; for the state
/// trie, the RLP of the account. Empty values are not allowed (remove the key instead).
#[derive(Default)]
pub struct MerkleTrie {
    root: Option<Box<Node>>,
    len: usize,
}

impl MerkleTrie {
    /// An empty trie.
    pub fn new() -> Self {
        MerkleTrie::default()
    }

    /// Number of keys in the trie.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the trie holds no key.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Sets `key` to `value` (an RLP item). An empty `value` removes the key.
    pub fn insert(&mut self, key: &B256, value: Vec<u8>) {
        if value.is_empty() {
            self.remove(key);
            return;
        }
        let path = nibbles(key);
        let (node, added) = insert(self.root.take(), &path, value);
        self.root = Some(node);
        self.len += usize::from(added);
    }

    /// Removes `key`; returns whether it was present.
    pub fn remove(&mut self, key: &B256) -> bool {
        let path = nibbles(key);
        let Some(root) = self.root.take() else {
            return false;
        };
        let (node, removed) = remove(root, &path);
        self.root = node;
        if removed {
            self.len -= 1;
        }
        removed
    }

    /// The root hash, hashing only the nodes changed since the last call.
    pub fn root(&mut self) -> B256 {
        match self.root.as_mut() {
            None => crate::trie::EMPTY_ROOT,
            Some(node) => {
                let rlp = encode(node);
                keccak256(&rlp)
            }
        }
    }
}

fn nibbles(key: &B256) -> Path {
    let mut out = Vec::with_capacity(64);
    for b in key.as_slice() {
        out.push(b >> 4);
        out.push(b & 0x0f);
    }
    out
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// A branch holding exactly the two given children.
fn branch_of_two(a: (u8, Box<Node>), b: (u8, Box<Node>)) -> Box<Node> {
    let mut children: Box<[Option<Box<Node>>; 16]> = Box::default();
    children[a.0 as usize] = Some(a.1);
    children[b.0 as usize] = Some(b.1);
    Node::new(Kind::Branch { children })
}

/// Inserts under `node` at `path`; returns the new node and whether a key was added.
fn insert(node: Option<Box<Node>>, path: &[u8], value: Vec<u8>) -> (Box<Node>, bool) {
    let Some(mut node) = node else {
        return (Node::leaf(path, value), true);
    };
    node.cached = None;
    match node.kind {
        Kind::Leaf {
            path: ref lpath,
            value: ref mut lvalue,
        } if lpath.as_slice() == path => {
            *lvalue = value;
            (node, false)
        }
        Kind::Leaf {
            path: lpath,
            value: lvalue,
        } => {
            // Keys have equal length, so two different paths differ before either ends.
            let c = common_prefix(&lpath, path);
            let old = (lpath[c], Node::leaf(&lpath[c + 1..], lvalue));
            let new = (path[c], Node::leaf(&path[c + 1..], value));
            (Node::extend(&path[..c], branch_of_two(old, new)), true)
        }
        Kind::Extension {
            path: ref epath,
            child: _,
        } if path.starts_with(epath) => {
            let Kind::Extension { path: epath, child } = node.kind else {
                unreachable!("matched as an extension above")
            };
            let (child, added) = insert(Some(child), &path[epath.len()..], value);
            node.kind = Kind::Extension { path: epath, child };
            (node, added)
        }
        Kind::Extension { path: epath, child } => {
            let c = common_prefix(&epath, path);
            let rest = (epath[c], Node::extend(&epath[c + 1..], child));
            let new = (path[c], Node::leaf(&path[c + 1..], value));
            (Node::extend(&path[..c], branch_of_two(rest, new)), true)
        }
        Kind::Branch { ref mut children } => {
            let slot = &mut children[path[0] as usize];
            let (child, added) = insert(slot.take(), &path[1..], value);
            *slot = Some(child);
            (node, added)
        }
    }
}

/// Removes `path` under `node`; returns what replaces the node and whether a key was removed.
fn remove(mut node: Box<Node>, path: &[u8]) -> (Option<Box<Node>>, bool) {
    match node.kind {
        Kind::Leaf {
            path: ref lpath, ..
        } => {
            if lpath.as_slice() == path {
                (None, true)
            } else {
                (Some(node), false)
            }
        }
        Kind::Extension {
            path: ref epath, ..
        } if !path.starts_with(epath) => (Some(node), false),
        Kind::Extension { path: epath, child } => {
            let (child, removed) = remove(child, &path[epath.len()..]);
            if !removed {
                node.kind = Kind::Extension {
                    path: epath,
                    child: child.expect("an unchanged child is returned"),
                };
                return (Some(node), false);
            }
            // A branch below an extension keeps at least one child, so `child` is Some.
            (child.map(|c| prepend(&epath, c)), true)
        }
        Kind::Branch { ref mut children } => {
            let i = path[0] as usize;
            let Some(child) = children[i].take() else {
                return (Some(node), false);
            };
            let (child, removed) = remove(child, &path[1..]);
            children[i] = child;
            if !removed {
                return (Some(node), false);
            }
            node.cached = None;
            let mut left = children.iter().enumerate().filter(|(_, c)| c.is_some());
            let only = match (left.next(), left.next()) {
                (Some((j, _)), None) => Some(j),
                _ => None,
            };
            match only {
                Some(j) => {
                    let child = children[j].take().expect("counted as present");
                    (Some(prepend(&[j as u8], child)), true)
                }
                None => (Some(node), true),
            }
        }
    }
}

/// `node` reached through `prefix` more nibbles: merges into a leaf's or extension's path, or
/// puts a branch under an extension.
fn prepend(prefix: &[u8], mut node: Box<Node>) -> Box<Node> {
    match node.kind {
        Kind::Leaf { ref mut path, .. } | Kind::Extension { ref mut path, .. } => {
            let mut p = prefix.to_vec();
            p.extend_from_slice(path);
            *path = p;
            node.cached = None;
            node
        }
        Kind::Branch { .. } => Node::extend(prefix, node),
    }
}

/// Hex-prefix (compact) encoding of a nibble path.
fn compact(path: &[u8], leaf: bool) -> Vec<u8> {
    let flag = if leaf { 0x20 } else { 0x00 };
    let mut out = Vec::with_capacity(path.len() / 2 + 1);
    let rest = if path.len() % 2 == 1 {
        out.push(flag | 0x10 | path[0]);
        &path[1..]
    } else {
        out.push(flag);
        path
    };
    for pair in rest.chunks_exact(2) {
        out.push((pair[0] << 4) | pair[1]);
    }
    out
}

/// The node's reference for its parent, computed (and cached) as needed.
fn node_ref(node: &mut Node) -> &[u8] {
    if node.cached.is_none() {
        let rlp = encode(node);
        let r = if rlp.len() < 32 {
            rlp
        } else {
            let mut r = Vec::with_capacity(33);
            r.push(0xa0);
            r.extend_from_slice(keccak256(&rlp).as_slice());
            r
        };
        node.cached = Some(r);
    }
    node.cached.as_deref().expect("set above")
}

/// The node's full RLP encoding.
fn encode(node: &mut Node) -> Vec<u8> {
    let mut payload = Vec::with_capacity(64);
    match &mut node.kind {
        Kind::Leaf { path, value } => {
            compact(path, true).as_slice().encode(&mut payload);
            value.as_slice().encode(&mut payload);
        }
        Kind::Extension { path, child } => {
            compact(path, false).as_slice().encode(&mut payload);
            payload.extend_from_slice(node_ref(child));
        }
        Kind::Branch { children } => {
            for c in children.iter_mut() {
                match c {
                    Some(c) => payload.extend_from_slice(node_ref(c)),
                    None => payload.push(alloy_rlp::EMPTY_STRING_CODE),
                }
            }
            payload.push(alloy_rlp::EMPTY_STRING_CODE);
        }
    }
    let mut out = Vec::with_capacity(payload.len() + 3);
    Header {
        list: true,
        payload_length: payload.len(),
    }
    .encode(&mut out);
    out.extend_from_slice(&payload);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::U256;
    use std::collections::BTreeMap;

    fn rlp_u256(v: U256) -> Vec<u8> {
        alloy_rlp::encode(v)
    }

    fn reference(map: &BTreeMap<B256, U256>) -> B256 {
        if map.is_empty() {
            return crate::trie::EMPTY_ROOT;
        }
        alloy_trie::root::storage_root(map.iter().map(|(k, v)| (*k, *v)))
    }

    /// A small deterministic generator (xorshift) so the test needs no extra crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn empty_and_single() {
        let mut t = MerkleTrie::new();
        assert_eq!(t.root(), crate::trie::EMPTY_ROOT);
        let k = keccak256([1u8]);
        t.insert(&k, rlp_u256(U256::from(7)));
        let mut m = BTreeMap::new();
        m.insert(k, U256::from(7));
        assert_eq!(t.root(), reference(&m));
        assert!(t.remove(&k));
        assert!(!t.remove(&k));
        assert_eq!(t.root(), crate::trie::EMPTY_ROOT);
        assert!(t.is_empty());
    }

    /// Random inserts, updates and removals (keys sharing long prefixes included, to make
    /// extensions) match a from-scratch root after every step.
    #[test]
    fn matches_full_rebuild_under_random_updates() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut t = MerkleTrie::new();
        let mut m: BTreeMap<B256, U256> = BTreeMap::new();
        let mut keys: Vec<B256> = Vec::new();
        for step in 0..3000 {
            let op = rng.next() % 10;
            if op < 2 && !keys.is_empty() {
                let k = keys[(rng.next() as usize) % keys.len()];
                assert_eq!(t.remove(&k), m.remove(&k).is_some());
            } else {
                let k = if op < 5 && !keys.is_empty() {
                    // Near an existing key: same first bytes, different tail.
                    let mut k = keys[(rng.next() as usize) % keys.len()];
                    let at = 1 + (rng.next() as usize) % 31;
                    k.0[at] ^= 1 + (rng.next() as u8 % 255);
                    k
                } else {
                    keccak256(rng.next().to_be_bytes())
                };
                let v = U256::from(rng.next() % 1000 + 1);
                t.insert(&k, rlp_u256(v));
                m.insert(k, v);
                keys.push(k);
            }
            assert_eq!(t.len(), m.len());
            if step % 7 == 0 || step > 2900 {
                assert_eq!(t.root(), reference(&m), "step {step}");
            }
        }
        // Remove everything again.
        for k in keys {
            t.remove(&k);
            m.remove(&k);
        }
        assert_eq!(t.root(), crate::trie::EMPTY_ROOT);
    }

    #[test]
    fn empty_value_removes() {
        let mut t = MerkleTrie::new();
        let a = keccak256([1u8]);
        let b = keccak256([2u8]);
        t.insert(&a, rlp_u256(U256::from(1)));
        t.insert(&b, rlp_u256(U256::from(2)));
        t.insert(&a, Vec::new());
        let mut m = BTreeMap::new();
        m.insert(b, U256::from(2));
        assert_eq!(t.root(), reference(&m));
        assert_eq!(t.len(), 1);
    }
}
