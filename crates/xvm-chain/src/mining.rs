//! Mining: transactions executed in order on the head state, sealed into one block with their
//! receipts, and committed at once; what each transaction read is kept (its prestate) so that
//! it can be re-executed exactly for traces.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use alloy_consensus::TxEnvelope;
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::{keccak256, Address, B256, U256};
use serde::{Deserialize, Serialize};
use xvm_ethereum::host::create_address;
use xvm_ethereum::mpt::MerkleTrie;
use xvm_ethereum::state::SlotMap;
use xvm_ethereum::{execute_transaction_with, PreAccount, PreState, State, TxHooks};
use xvm_evm::{Interpreter, Revision, StatusCode, Tracer};
use xvm_store::{Reader, Table, WriteTxn};

use crate::block::{receipt_envelope, seal, BlockParts};
use crate::chain::{corrupt, json, log_records, put_block, to_json, Chain, Mined};
use crate::records::{BlockRecord, ContractInfo, TxRecord};
use crate::tables::*;
use crate::txconv::envelope_to_transaction_as;
use crate::ChainError;

/// transaction hash → [`Prestate`] JSON: what the transaction read, for re-execution.
pub(crate) const PRESTATES: Table = Table::new("evm.prestates");

/// A transaction waiting for a block.
pub struct PendingTx {
    /// The signed transaction.
    pub env: TxEnvelope,
    /// Runs it as this sender instead of the signature's (impersonated accounts).
    pub sender: Option<Address>,
    /// Name and ABI to store with the contract it creates.
    pub contract: Option<ContractInfo>,
    /// Sees every step of its execution.
    pub tracer: Option<Box<dyn Tracer + Send>>,
}

impl PendingTx {
    /// A signed transaction, run as its signer.
    pub fn signed(env: TxEnvelope) -> Self {
        PendingTx {
            env,
            sender: None,
            contract: None,
            tracer: None,
        }
    }
}

/// The accounts and slots one transaction read, as they were before it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Prestate {
    pub accounts: Vec<PreAccountRecord>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct PreAccountRecord {
    pub address: Address,
    pub nonce: u64,
    pub balance: U256,
    pub code_hash: B256,
    pub storage: Vec<(U256, U256)>,
}

fn record_prestate(state: &State<'_>) -> Prestate {
    let pre = state.pre();
    let accounts = state
        .loaded_accounts()
        .filter_map(|(addr, acc)| {
            let p = pre.get(addr)?;
            let storage = acc
                .storage
                .keys()
                .map(|k| (*k, p.storage.get(k).copied().unwrap_or_default()))
                .collect();
            Some(PreAccountRecord {
                address: *addr,
                nonce: p.nonce,
                balance: p.balance,
                code_hash: p.code_hash,
                storage,
            })
        })
        .collect();
    Prestate { accounts }
}

/// One account's change in a mined transaction.
struct AccountChange {
    addr: Address,
    nonce: u64,
    balance: U256,
    code: Option<Arc<xvm_evm::AnalyzedCode>>,
    code_hash: B256,
    /// Slots whose value changed: (slot, new value; zero = deleted).
    slots: Vec<(U256, U256)>,
}

struct Diff {
    changed: Vec<AccountChange>,
    deleted: Vec<Address>,
}

fn collect_diff(state: &State<'_>, clear_empty: bool) -> Diff {
    let mut survivors = HashSet::new();
    let mut changed = Vec::new();
    state.for_each_final_account(clear_empty, |addr, fa| {
        let Some(slots) = fa.changed else { return };
        survivors.insert(*addr);
        let code = state.peek(addr).and_then(|a| a.code.clone());
        changed.push(AccountChange {
            addr: *addr,
            nonce: fa.nonce,
            balance: fa.balance,
            code,
            code_hash: fa.code_hash,
            slots: slots
                .iter()
                .filter(|(_, s)| s.current != s.original)
                .map(|(k, s)| (*k, s.current))
                .collect(),
        });
    });
    let deleted = state
        .loaded_accounts()
        .map(|(a, _)| *a)
        .filter(|a| !survivors.contains(a) && state.pre().get(a).is_some())
        .collect();
    Diff { changed, deleted }
}

/// The state's tries kept across blocks with their node hashes ([`MerkleTrie`]): one storage
/// trie per account whose storage a block changed, and the account (state) trie. A block
/// re-hashes only the paths of the slots and accounts it changed.
#[derive(Default)]
pub(crate) struct Tries {
    storage: HashMap<Address, MerkleTrie>,
    /// The state trie; `None` until first needed and after the state is replaced wholesale.
    accounts: Option<MerkleTrie>,
    /// Accounts changed (or removed) since the state trie was last brought up to date.
    dirty: Vec<Address>,
}

impl Tries {
    /// Applies `slots` to the account's trie (built from `storage`, which already holds them,
    /// on first use) and returns the new storage root. Every other change of an account's
    /// storage (dev edits, reverts, reloads) drops its trie.
    fn update(&mut self, addr: Address, storage: &SlotMap<U256>, slots: &[(U256, U256)]) -> B256 {
        let trie = self.storage.entry(addr).or_insert_with(|| {
            let mut t = MerkleTrie::new();
            for (k, v) in storage.iter() {
                t.insert(&keccak256(k.to_be_bytes::<32>()), alloy_rlp::encode(v));
            }
            t
        });
        // A fresh trie already holds the changes; applying them again changes nothing.
        for (slot, value) in slots {
            let key = keccak256(slot.to_be_bytes::<32>());
            if value.is_zero() {
                trie.remove(&key);
            } else {
                trie.insert(&key, alloy_rlp::encode(value));
            }
        }
        trie.root()
    }

    /// Notes that `addr` changed in the state (its state-trie leaf is rewritten at the next
    /// [`Tries::state_root`]).
    pub(crate) fn touch(&mut self, addr: Address) {
        if self.accounts.is_some() {
            self.dirty.push(addr);
        }
    }

    /// An account changed outside mining (dev edits): its storage trie is dropped, its
    /// state-trie leaf rewritten at the next root.
    pub(crate) fn remove_account(&mut self, addr: &Address) {
        self.storage.remove(addr);
        self.touch(*addr);
    }

    /// Forgets every account (after the state is replaced wholesale).
    pub(crate) fn clear(&mut self) {
        self.storage.clear();
        self.accounts = None;
        self.dirty.clear();
    }

    /// The state root of `pre`: the state trie is built on first use, then only the accounts
    /// touched since the last root are re-hashed. Equal to
    /// `xvm_ethereum::trie::state_root(&State::new(pre), _)` (tested).
    pub(crate) fn state_root(&mut self, pre: &PreState) -> B256 {
        let leaf = |a: &PreAccount| {
            alloy_rlp::encode(alloy_trie::TrieAccount {
                nonce: a.nonce,
                balance: a.balance,
                storage_root: a.storage_root(),
                code_hash: a.code_hash,
            })
        };
        match self.accounts.as_mut() {
            Some(trie) => {
                for addr in self.dirty.drain(..) {
                    match pre.get(&addr) {
                        Some(a) => trie.insert(&a.hashed_address(), leaf(a)),
                        None => {
                            trie.remove(&keccak256(addr));
                        }
                    }
                }
                trie.root()
            }
            None => {
                let mut trie = MerkleTrie::new();
                for (_, a) in pre.accounts.iter() {
                    trie.insert(&a.hashed_address(), leaf(a));
                }
                self.dirty.clear();
                self.accounts.insert(trie).root()
            }
        }
    }
}

/// Writes one transaction's changes to the store and applies them to the in-memory state in
/// place (storage maps are updated, not copied; a storage root is kept when no slot changed).
fn apply_diff(
    w: &mut WriteTxn<'_>,
    pre: &mut PreState,
    tries: &mut Tries,
    diff: Diff,
) -> Result<(), ChainError> {
    for addr in &diff.deleted {
        w.delete(ACCOUNTS, addr.as_slice())?;
        w.delete_prefix(STORAGE, addr.as_slice())?;
        pre.accounts.remove(addr);
        tries.remove_account(addr);
    }
    for c in diff.changed {
        w.put(
            ACCOUNTS,
            c.addr.as_slice(),
            &encode_account(c.nonce, c.balance, c.code_hash),
        )?;
        if let Some(code) = &c.code {
            if w.get(CODE, c.code_hash.as_slice())?.is_none() {
                w.put(CODE, c.code_hash.as_slice(), code.code())?;
            }
        }
        for (slot, value) in &c.slots {
            let key = storage_key(&c.addr, slot);
            if value.is_zero() {
                w.delete(STORAGE, &key)?;
            } else {
                w.put(STORAGE, &key, &value.to_be_bytes::<32>())?;
            }
        }
        let mut acc = pre
            .accounts
            .remove(&c.addr)
            .unwrap_or_else(|| PreAccount::new(0, U256::ZERO, &[], SlotMap::default()));
        acc.nonce = c.nonce;
        acc.balance = c.balance;
        acc.code = c.code;
        acc.code_hash = c.code_hash;
        if !c.slots.is_empty() {
            for (slot, value) in &c.slots {
                if value.is_zero() {
                    acc.storage.remove(slot);
                } else {
                    acc.storage.insert(*slot, *value);
                }
            }
            let root = tries.update(c.addr, &acc.storage, &c.slots);
            acc.set_storage_root(root);
        }
        pre.insert(c.addr, acc);
        tries.touch(c.addr);
    }
    Ok(())
}

/// What [`Chain::mine`] did with each transaction.
pub struct MinedBlock {
    /// The new block.
    pub block: BlockRecord,
    /// Per pending transaction, in order: its record, or why it was left out.
    pub results: Vec<Result<(StatusCode, TxRecord), ChainError>>,
}

impl Chain {
    /// Decodes a signed transaction (EIP-2718 bytes), mines it into a new block and commits.
    pub fn send_raw(
        &mut self,
        raw: &[u8],
        tracer: Option<Box<dyn Tracer + Send>>,
    ) -> Result<Mined, ChainError> {
        let env = decode_raw(raw)?;
        self.submit(env, None, tracer)
    }

    /// Mines a signed transaction into a new block of its own and commits it with its receipt.
    /// An invalid transaction is refused and nothing is mined.
    pub fn submit(
        &mut self,
        env: TxEnvelope,
        contract: Option<&ContractInfo>,
        tracer: Option<Box<dyn Tracer + Send>>,
    ) -> Result<Mined, ChainError> {
        let pending = PendingTx {
            env,
            sender: None,
            contract: contract.cloned(),
            tracer,
        };
        self.submit_pending(pending)
    }

    /// [`Chain::submit`] for a prepared pending transaction (e.g. an impersonated sender).
    pub fn submit_pending(&mut self, pending: PendingTx) -> Result<Mined, ChainError> {
        self.check(&pending)?;
        let mut mined = self.mine(vec![pending], true)?;
        let (status, tx) = mined.results.remove(0)?;
        Ok(Mined {
            status,
            tx,
            block: mined.block,
        })
    }

    /// Checks everything that could refuse `p` as the next block's only transaction, without
    /// running it: [`Chain::check`], the signature, and the state transition's own validation
    /// (fork, nonce, balance, gas, fees) on the head state. The recovered sender is kept in
    /// `p.sender`, so that mining does not recover it again. A transaction that passes is mined
    /// by [`Chain::submit_pending`] as long as the state does not change in between.
    pub fn validate(&self, p: &mut PendingTx) -> Result<(), ChainError> {
        self.check(p)?;
        let tx = envelope_to_transaction_as(&p.env, p.sender)?;
        let env = self.next_env();
        if tx.gas_limit > U256::from(env.gas_limit) {
            return Err(ChainError::Rejected("block gas limit reached".into()));
        }
        xvm_ethereum::tx::validate(&tx, self.revision(), &env, &self.pre)
            .map_err(ChainError::InvalidTx)?;
        p.sender = Some(tx.sender);
        Ok(())
    }

    /// Checks what can be checked without running: chain id and not mined before.
    pub fn check(&self, p: &PendingTx) -> Result<(), ChainError> {
        if let Some(id) = alloy_consensus::Transaction::chain_id(&p.env) {
            if id != self.config.chain_id {
                return Err(ChainError::Rejected(format!(
                    "chain id {id} does not match the chain's {}",
                    self.config.chain_id
                )));
            }
        }
        let hash = p.env.tx_hash();
        if self.store.read()?.get(TXS, hash.as_slice())?.is_some() {
            return Err(ChainError::Rejected(format!(
                "transaction {hash} is already mined"
            )));
        }
        Ok(())
    }

    /// Mines `txs` in order into one new block and commits it. Invalid transactions are left
    /// out (their error is in the result). With `require_one`, a block whose every transaction
    /// was invalid is not mined and the first error is returned; otherwise an empty block is
    /// mined (as `evm_mine` does).
    pub fn mine(
        &mut self,
        txs: Vec<PendingTx>,
        require_one: bool,
    ) -> Result<MinedBlock, ChainError> {
        match self.mine_inner(txs, require_one) {
            Ok(m) => Ok(m),
            Err(e) => {
                // The in-memory state may be ahead of the store: reload what was committed.
                self.reload()?;
                Err(e)
            }
        }
    }

    fn mine_inner(
        &mut self,
        txs: Vec<PendingTx>,
        require_one: bool,
    ) -> Result<MinedBlock, ChainError> {
        let rev = self.revision();
        let clear_empty = rev >= Revision::SpuriousDragon;
        let block_env = self.next_env();
        let hashes = &self.hashes;
        let bh = |n: u64| hashes.get(n as usize).copied().unwrap_or_default();
        let mut w = self.store.write()?;
        // Per pending transaction: the index of its record, or why it was left out.
        let mut results: Vec<Result<usize, ChainError>> = Vec::with_capacity(txs.len());
        let mut envs = Vec::new();
        let mut receipts = Vec::new();
        let mut records: Vec<(StatusCode, TxRecord)> = Vec::new();
        let mut cumulative = 0u64;
        let mut log_index = 0u64;
        let mut seen = HashSet::new();
        for p in txs {
            let hash = *p.env.tx_hash();
            let tx = match envelope_to_transaction_as(&p.env, p.sender) {
                Ok(tx) => tx,
                Err(e) => {
                    results.push(Err(e));
                    continue;
                }
            };
            if !seen.insert(hash) {
                results.push(Err(ChainError::Rejected(format!(
                    "transaction {hash} twice in one block"
                ))));
                continue;
            }
            if cumulative.saturating_add(tx.gas_limit.saturating_to::<u64>()) > block_env.gas_limit
            {
                results.push(Err(ChainError::Rejected("block gas limit reached".into())));
                continue;
            }
            let hooks = TxHooks {
                block_hash: Some(&bh),
                tracer: p.tracer.map(|t| t as Box<dyn Tracer>),
            };
            let (out_status, gas_used, output, logs, prestate, diff) =
                match execute_transaction_with(&self.pre, &block_env, &tx, rev, &Interpreter, hooks)
                {
                    Ok(out) => {
                        let prestate = record_prestate(&out.state);
                        let diff = collect_diff(&out.state, clear_empty);
                        (
                            out.status,
                            out.gas_used,
                            out.output,
                            out.logs,
                            prestate,
                            diff,
                        )
                    }
                    Err(e) => {
                        results.push(Err(ChainError::InvalidTx(e)));
                        continue;
                    }
                };
            apply_diff(&mut w, &mut self.pre, &mut self.tries, diff)?;
            cumulative += gas_used;
            let success = out_status == StatusCode::Success;
            let alloy_logs: Vec<alloy_primitives::Log> = logs
                .iter()
                .map(|l| {
                    alloy_primitives::Log::new_unchecked(
                        l.address,
                        l.topics.clone(),
                        l.data.clone(),
                    )
                })
                .collect();
            receipts.push(receipt_envelope(
                p.env.tx_type() as u8,
                success,
                cumulative,
                alloy_logs,
            ));
            let nonce = tx.nonce.saturating_to::<u64>();
            let contract_address =
                (tx.to.is_none() && success).then(|| create_address(&tx.sender, nonce));
            let effective =
                (tx.max_priority_fee_per_gas + block_env.base_fee).min(tx.max_fee_per_gas);
            let record = TxRecord {
                hash,
                ty: p.env.tx_type() as u8,
                block_number: block_env.number,
                block_hash: B256::ZERO,
                index: records.len() as u64,
                from: tx.sender,
                to: tx.to,
                contract_address,
                nonce,
                gas: tx.gas_limit.saturating_to::<u64>(),
                value: tx.value,
                input: tx.data.clone(),
                effective_gas_price: effective.saturating_to::<u128>(),
                status: success,
                gas_used,
                cumulative_gas_used: cumulative,
                logs: log_records(&logs, log_index),
                output,
                raw: p.env.encoded_2718().into(),
            };
            log_index += logs.len() as u64;
            w.put(PRESTATES, hash.as_slice(), &to_json(&prestate))?;
            if let (Some(addr), Some(info)) = (contract_address, &p.contract) {
                w.put(CONTRACTS, addr.as_slice(), &to_json(info))?;
            }
            envs.push(p.env);
            results.push(Ok(records.len()));
            records.push((out_status, record));
        }
        if require_one && envs.is_empty() {
            let first = results.into_iter().find_map(|r| r.err());
            return Err(first.unwrap_or_else(|| ChainError::Rejected("no transaction".into())));
        }
        let state_root = self.tries.state_root(&self.pre);
        let block = seal(BlockParts {
            rev,
            number: block_env.number,
            parent_hash: self.head.hash,
            timestamp: block_env.timestamp,
            base_fee: block_env.base_fee.saturating_to::<u64>(),
            gas_limit: block_env.gas_limit,
            gas_used: cumulative,
            miner: block_env.coinbase,
            state_root,
            mix_hash: block_env.prev_randao.unwrap_or_default(),
            txs: &envs,
            receipts: &receipts,
        });
        for (_, rec) in records.iter_mut() {
            rec.block_hash = block.hash;
            w.put(TXS, rec.hash.as_slice(), &to_json(rec))?;
        }
        let results = results
            .into_iter()
            .map(|r| r.map(|i| records[i].clone()))
            .collect();
        put_block(&mut w, &block)?;
        if self.config.next_timestamp.take().is_some() {
            w.put(META, KEY_CONFIG, &to_json(&self.config))?;
        }
        w.commit()?;
        self.hashes.push(block.hash);
        self.head = block.clone();
        Ok(MinedBlock { block, results })
    }

    /// The state a mined transaction ran on (what it read), for re-executing it.
    pub(crate) fn prestate_of(&self, hash: &B256) -> Result<PreState, ChainError> {
        let r = self.store.read()?;
        let rec: Prestate = match r.get(PRESTATES, hash.as_slice())? {
            Some(b) => json(&b, "prestate")?,
            None => return Err(ChainError::Invalid(format!("no transaction {hash}"))),
        };
        let mut pre = PreState::new();
        for a in rec.accounts {
            let code = if a.code_hash == xvm_ethereum::state::EMPTY_CODE_HASH {
                Vec::new()
            } else {
                r.get(CODE, a.code_hash.as_slice())?
                    .ok_or_else(|| corrupt(format!("code {} missing", a.code_hash)))?
            };
            pre.insert(
                a.address,
                PreAccount::new(a.nonce, a.balance, &code, a.storage.into_iter().collect()),
            );
        }
        Ok(pre)
    }
}

/// Decodes EIP-2718 bytes into a signed transaction.
pub fn decode_raw(raw: &[u8]) -> Result<TxEnvelope, ChainError> {
    TxEnvelope::decode_2718(&mut &raw[..])
        .map_err(|e| ChainError::Rejected(format!("undecodable transaction: {e}")))
}
