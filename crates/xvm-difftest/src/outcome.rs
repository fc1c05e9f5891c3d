//! What a runner reports about one case, in a form both runners fill the same way.

use alloy_primitives::{Address, Bytes, B256, U256};
use std::collections::BTreeMap;

/// How the top-level frame ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Success.
    Success,
    /// REVERT.
    Revert,
    /// Any exceptional halt (the kinds are named differently in the two VMs and not compared).
    Halt,
}

/// An account of the post-state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostAccount {
    /// Nonce.
    pub nonce: u64,
    /// Balance.
    pub balance: U256,
    /// keccak256 of the code.
    pub code_hash: B256,
    /// Non-zero storage.
    pub storage: BTreeMap<U256, U256>,
}

/// A log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// Emitter.
    pub address: Address,
    /// Topics.
    pub topics: Vec<B256>,
    /// Data.
    pub data: Bytes,
}

/// The result of an executed transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Executed {
    /// Status.
    pub status: Status,
    /// Gas used after refunds and the EIP-7623 floor.
    pub gas_used: u64,
    /// The refund granted (capped by EIP-3529's quotient, before the EIP-7623 floor).
    pub refund: u64,
    /// Output of the top-level frame (runtime code is not output for a creation).
    pub output: Bytes,
    /// Logs.
    pub logs: Vec<LogEntry>,
    /// The whole post-state (end-of-transaction rules applied).
    pub post: BTreeMap<Address, PostAccount>,
}

/// What a runner made of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The transaction is invalid (the reason is the runner's own wording, not compared).
    Rejected(String),
    /// The transaction ran.
    Executed(Executed),
}

impl Outcome {
    /// The first difference between `self` (xvm) and `other` (revm), if any, as
    /// `(field, xvm value, revm value)`.
    pub fn first_difference(&self, other: &Outcome) -> Option<(String, String, String)> {
        let (a, b) = match (self, other) {
            (Outcome::Rejected(_), Outcome::Rejected(_)) => return None,
            (Outcome::Rejected(r), Outcome::Executed(e)) => {
                return Some((
                    "validity".into(),
                    format!("rejected: {r}"),
                    format!("executed ({:?}, gas {})", e.status, e.gas_used),
                ))
            }
            (Outcome::Executed(e), Outcome::Rejected(r)) => {
                return Some((
                    "validity".into(),
                    format!("executed ({:?}, gas {})", e.status, e.gas_used),
                    format!("rejected: {r}"),
                ))
            }
            (Outcome::Executed(a), Outcome::Executed(b)) => (a, b),
        };
        if a.status != b.status {
            return Some((
                "status".into(),
                format!("{:?}", a.status),
                format!("{:?}", b.status),
            ));
        }
        if a.gas_used != b.gas_used {
            return Some((
                "gas used".into(),
                a.gas_used.to_string(),
                b.gas_used.to_string(),
            ));
        }
        if a.refund != b.refund {
            return Some(("refund".into(), a.refund.to_string(), b.refund.to_string()));
        }
        if a.output != b.output {
            return Some(("output".into(), a.output.to_string(), b.output.to_string()));
        }
        if a.logs != b.logs {
            return Some((
                "logs".into(),
                format!("{:?}", a.logs),
                format!("{:?}", b.logs),
            ));
        }
        let addrs: std::collections::BTreeSet<&Address> =
            a.post.keys().chain(b.post.keys()).collect();
        for addr in addrs {
            let (x, y) = (a.post.get(addr), b.post.get(addr));
            if x == y {
                continue;
            }
            let field = match (x, y) {
                (Some(x), Some(y)) if x.balance != y.balance => "balance",
                (Some(x), Some(y)) if x.nonce != y.nonce => "nonce",
                (Some(x), Some(y)) if x.code_hash != y.code_hash => "code",
                (Some(_), Some(_)) => "storage",
                _ => "existence",
            };
            let show = |p: Option<&PostAccount>| match p {
                None => "absent".to_string(),
                Some(p) => format!(
                    "nonce {} balance {} code {} storage {:?}",
                    p.nonce, p.balance, p.code_hash, p.storage
                ),
            };
            return Some((format!("post-state {addr} {field}"), show(x), show(y)));
        }
        None
    }
}
