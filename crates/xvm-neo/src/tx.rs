//! Script containers and block context: transactions with signers and witness scopes
//! (incl. witness rules), and the block an invocation runs in.

use crate::binary::{write_var_bytes, write_var_int};
use crate::crypto::{hash256, sha256};
use crate::types::UInt160;
use xvm_neovm::StackItem;

/// Witness scopes (C# `WitnessScope`).
pub mod scope {
    /// Only for the transaction's fee.
    pub const NONE: u8 = 0x00;
    /// The entry script and contracts it calls directly.
    pub const CALLED_BY_ENTRY: u8 = 0x01;
    /// Listed contracts.
    pub const CUSTOM_CONTRACTS: u8 = 0x10;
    /// Contracts of listed groups.
    pub const CUSTOM_GROUPS: u8 = 0x20;
    /// Witness rules.
    pub const WITNESS_RULES: u8 = 0x40;
    /// Everywhere.
    pub const GLOBAL: u8 = 0x80;
}

/// A witness condition (C# `WitnessCondition`).
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// Constant.
    Boolean(bool),
    /// Negation.
    Not(Box<Condition>),
    /// All of.
    And(Vec<Condition>),
    /// Any of.
    Or(Vec<Condition>),
    /// The executing contract is this one.
    ScriptHash(UInt160),
    /// The executing contract is in this group.
    Group(Vec<u8>),
    /// The executing context is the entry script or called by it.
    CalledByEntry,
    /// The calling contract is this one.
    CalledByContract(UInt160),
    /// The calling contract is in this group.
    CalledByGroup(Vec<u8>),
}

impl Condition {
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Condition::Boolean(b) => out.extend_from_slice(&[0x00, *b as u8]),
            Condition::Not(c) => {
                out.push(0x01);
                c.write(out);
            }
            Condition::And(cs) | Condition::Or(cs) => {
                out.push(if matches!(self, Condition::And(_)) {
                    0x02
                } else {
                    0x03
                });
                write_var_int(out, cs.len() as u64);
                for c in cs {
                    c.write(out);
                }
            }
            Condition::ScriptHash(h) => {
                out.push(0x18);
                out.extend_from_slice(&h.0);
            }
            Condition::Group(g) => {
                out.push(0x19);
                out.extend_from_slice(g);
            }
            Condition::CalledByEntry => out.push(0x20),
            Condition::CalledByContract(h) => {
                out.push(0x28);
                out.extend_from_slice(&h.0);
            }
            Condition::CalledByGroup(g) => {
                out.push(0x29);
                out.extend_from_slice(g);
            }
        }
    }

    /// Nesting depth (Neo allows at most 2 levels of composite conditions).
    pub fn depth(&self) -> usize {
        match self {
            Condition::Not(c) => 1 + c.depth(),
            Condition::And(cs) | Condition::Or(cs) => {
                1 + cs.iter().map(|c| c.depth()).max().unwrap_or(0)
            }
            _ => 0,
        }
    }
}

/// A witness rule: allow or deny when the condition matches.
#[derive(Clone, Debug, PartialEq)]
pub struct WitnessRule {
    /// Allow (true) or Deny (false).
    pub allow: bool,
    /// The condition.
    pub condition: Condition,
}

/// A transaction signer.
#[derive(Clone, Debug, PartialEq)]
pub struct Signer {
    /// The account.
    pub account: UInt160,
    /// Scope bits ([`scope`]).
    pub scopes: u8,
    /// Contracts for CustomContracts.
    pub allowed_contracts: Vec<UInt160>,
    /// Group keys for CustomGroups.
    pub allowed_groups: Vec<Vec<u8>>,
    /// Rules for WitnessRules.
    pub rules: Vec<WitnessRule>,
}

impl Signer {
    /// A signer with CalledByEntry scope.
    pub fn called_by_entry(account: UInt160) -> Signer {
        Signer {
            account,
            scopes: scope::CALLED_BY_ENTRY,
            allowed_contracts: vec![],
            allowed_groups: vec![],
            rules: vec![],
        }
    }

    /// The rules the scopes stand for, in Neo's order (`GetAllRules`).
    pub fn all_rules(&self) -> Vec<WitnessRule> {
        let allow = |condition| WitnessRule {
            allow: true,
            condition,
        };
        if self.scopes & scope::GLOBAL != 0 {
            return vec![allow(Condition::Boolean(true))];
        }
        let mut out = Vec::new();
        if self.scopes & scope::CALLED_BY_ENTRY != 0 {
            out.push(allow(Condition::CalledByEntry));
        }
        if self.scopes & scope::CUSTOM_CONTRACTS != 0 {
            out.extend(
                self.allowed_contracts
                    .iter()
                    .map(|h| allow(Condition::ScriptHash(*h))),
            );
        }
        if self.scopes & scope::CUSTOM_GROUPS != 0 {
            out.extend(
                self.allowed_groups
                    .iter()
                    .map(|g| allow(Condition::Group(g.clone()))),
            );
        }
        if self.scopes & scope::WITNESS_RULES != 0 {
            out.extend(self.rules.iter().cloned());
        }
        out
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.account.0);
        out.push(self.scopes);
        if self.scopes & scope::CUSTOM_CONTRACTS != 0 {
            write_var_int(out, self.allowed_contracts.len() as u64);
            for h in &self.allowed_contracts {
                out.extend_from_slice(&h.0);
            }
        }
        if self.scopes & scope::CUSTOM_GROUPS != 0 {
            write_var_int(out, self.allowed_groups.len() as u64);
            for g in &self.allowed_groups {
                out.extend_from_slice(g);
            }
        }
        if self.scopes & scope::WITNESS_RULES != 0 {
            write_var_int(out, self.rules.len() as u64);
            for r in &self.rules {
                out.push(r.allow as u8);
                r.condition.write(out);
            }
        }
    }

    /// As `CurrentSigners` returns it: Array[account, scopes, contracts, groups, rules].
    pub fn to_stack_item(&self) -> StackItem {
        StackItem::array(vec![
            StackItem::bytes(&self.account.0),
            StackItem::int(self.scopes as i64),
            StackItem::array(
                self.allowed_contracts
                    .iter()
                    .map(|h| StackItem::bytes(&h.0))
                    .collect(),
            ),
            StackItem::array(
                self.allowed_groups
                    .iter()
                    .map(|g| StackItem::bytes(g))
                    .collect(),
            ),
            StackItem::array(
                self.rules
                    .iter()
                    .map(|r| {
                        let mut c = Vec::new();
                        r.condition.write(&mut c);
                        StackItem::array(vec![StackItem::int(r.allow as i64), StackItem::bytes(&c)])
                    })
                    .collect(),
            ),
        ])
    }
}

/// A transaction (without witnesses: xvm checks signers by its own accounts).
#[derive(Clone, Debug, PartialEq)]
pub struct Transaction {
    /// Version (0).
    pub version: u8,
    /// Nonce.
    pub nonce: u32,
    /// System fee (the GAS limit), datoshi.
    pub system_fee: i64,
    /// Network fee, datoshi.
    pub network_fee: i64,
    /// Last block it is valid in.
    pub valid_until_block: u32,
    /// Signers; the first is the sender.
    pub signers: Vec<Signer>,
    /// The entry script.
    pub script: Vec<u8>,
}

impl Transaction {
    /// The unsigned serialization (what the hash covers), with no attributes.
    pub fn unsigned_bytes(&self) -> Vec<u8> {
        let mut out = vec![self.version];
        out.extend_from_slice(&self.nonce.to_le_bytes());
        out.extend_from_slice(&self.system_fee.to_le_bytes());
        out.extend_from_slice(&self.network_fee.to_le_bytes());
        out.extend_from_slice(&self.valid_until_block.to_le_bytes());
        write_var_int(&mut out, self.signers.len() as u64);
        for s in &self.signers {
            s.write(&mut out);
        }
        write_var_int(&mut out, 0);
        write_var_bytes(&mut out, &self.script);
        out
    }

    /// The transaction hash: SHA-256 of the unsigned serialization (little-endian bytes).
    pub fn hash(&self) -> [u8; 32] {
        sha256(&self.unsigned_bytes())
    }

    /// The sender (first signer), if any.
    pub fn sender(&self) -> UInt160 {
        self.signers.first().map(|s| s.account).unwrap_or_default()
    }

    /// As `GetScriptContainer` returns it: Array[hash, version, nonce, sender, sysfee, netfee,
    /// validUntilBlock, script].
    pub fn to_stack_item(&self) -> StackItem {
        StackItem::array(vec![
            StackItem::bytes(&self.hash()),
            StackItem::int(self.version as i64),
            StackItem::int(self.nonce as i64),
            StackItem::bytes(&self.sender().0),
            StackItem::int(self.system_fee),
            StackItem::int(self.network_fee),
            StackItem::int(self.valid_until_block as i64),
            StackItem::bytes(&self.script),
        ])
    }
}

/// The block an invocation runs in (the one being persisted).
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// Height.
    pub index: u32,
    /// Timestamp, milliseconds since the Unix epoch.
    pub timestamp: u64,
    /// Nonce (feeds GetRandom).
    pub nonce: u64,
    /// Hash of the previous block.
    pub prev_hash: [u8; 32],
}

impl Block {
    /// A hash for the block: double SHA-256 of its header fields (xvm has no consensus data).
    pub fn hash(&self) -> [u8; 32] {
        let mut b = vec![0u8];
        b.extend_from_slice(&self.prev_hash);
        b.extend_from_slice(&self.timestamp.to_le_bytes());
        b.extend_from_slice(&self.nonce.to_le_bytes());
        b.extend_from_slice(&self.index.to_le_bytes());
        hash256(&b)
    }

    /// As Ledger.getBlock returns it: Array[hash, version, prevHash, merkleRoot, timestamp,
    /// nonce, index, primaryIndex, nextConsensus, transactionsCount].
    pub fn to_stack_item(&self, tx_count: usize) -> StackItem {
        StackItem::array(vec![
            StackItem::bytes(&self.hash()),
            StackItem::int(0i64),
            StackItem::bytes(&self.prev_hash),
            StackItem::bytes(&[0u8; 32]),
            StackItem::int(self.timestamp as i64),
            StackItem::int(self.nonce as i64),
            StackItem::int(self.index as i64),
            StackItem::int(0i64),
            StackItem::bytes(&[0u8; 20]),
            StackItem::int(tx_count as i64),
        ])
    }
}
