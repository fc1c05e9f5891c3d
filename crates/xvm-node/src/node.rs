//! The node's state: the chain behind one lock, transactions waiting for interval mining,
//! filters, snapshots, impersonated accounts, and the feed of new blocks for subscriptions.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope, TxLegacy};
use alloy_primitives::{Address, TxKind, B256, U256};
use alloy_rpc_types_eth::{Filter, TransactionRequest};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use tokio::sync::broadcast;
use xvm_chain::BlockRecord;
use xvm_chain::{CallRequest, Chain, ChainError, PendingTx, Snapshot, TxRecord};
use xvm_evm::Revision;

/// A block just mined, with its transactions, for subscribers.
pub struct NewBlock {
    pub block: BlockRecord,
    pub txs: Vec<TxRecord>,
}

/// What a filter watches.
pub enum FilterKind {
    Logs(Box<Filter>),
    Blocks,
}

/// An installed filter and the newest block it has reported.
pub struct FilterState {
    pub kind: FilterKind,
    pub last: u64,
}

/// The node: everything a request may touch.
pub struct Node {
    chain: Mutex<Chain>,
    /// An automined transaction already validated and answered, mined before anyone next
    /// sees the chain (see [`Node::submit`]).
    job: Mutex<Option<PendingTx>>,
    interval: bool,
    pending: Mutex<Vec<PendingTx>>,
    /// Installed filters by id.
    pub filters: Mutex<HashMap<u64, FilterState>>,
    snapshots: Mutex<HashMap<u64, Snapshot>>,
    impersonated: Mutex<HashSet<Address>>,
    next_id: AtomicU64,
    /// Every newly mined block, for subscriptions.
    pub blocks: broadcast::Sender<Arc<NewBlock>>,
}

/// Locks a mutex, recovering from a panic in another request.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The priority fee the node suggests and uses for its own accounts' transactions (1 gwei).
pub const TIP: u128 = 1_000_000_000;

impl Node {
    /// A node over `chain`; `interval`: transactions wait for the interval miner.
    pub fn new(chain: Chain, interval: bool) -> Node {
        let (blocks, _) = broadcast::channel(1024);
        Node {
            chain: Mutex::new(chain),
            job: Mutex::new(None),
            interval,
            pending: Mutex::new(Vec::new()),
            filters: Mutex::new(HashMap::new()),
            snapshots: Mutex::new(HashMap::new()),
            impersonated: Mutex::new(HashSet::new()),
            next_id: AtomicU64::new(1),
            blocks,
        }
    }

    /// The chain, locked, with any answered transaction mined first: every request sees the
    /// chain with the transactions it was told about.
    pub fn chain(&self) -> MutexGuard<'_, Chain> {
        let mut chain = lock(&self.chain);
        if let Some(job) = lock(&self.job).take() {
            match chain.submit_pending(job) {
                Ok(mined) => self.publish(&mined.block, || vec![mined.tx.clone()]),
                // Validation passed on this same state, so only the store can fail here.
                Err(e) => eprintln!("xvm node: an accepted transaction could not be mined: {e}"),
            }
        }
        chain
    }

    /// Whether an answered transaction waits to be mined (see [`Node::submit`]).
    pub fn has_unmined(&self) -> bool {
        lock(&self.job).is_some()
    }

    /// Mines an answered transaction now, from a task of its own (a no-op without a runtime):
    /// after [`Node::submit`], so that the block is built while the answer travels and the
    /// client reads it, not when the next request comes.
    pub fn mine_answered(self: &Arc<Self>) {
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let node = self.clone();
            rt.spawn(async move {
                drop(node.chain());
            });
        }
    }

    /// A fresh id for filters and snapshots.
    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Transactions waiting for the interval miner.
    pub fn pending_txs(&self) -> Vec<(B256, TxRecordLite)> {
        lock(&self.pending)
            .iter()
            .map(|p| {
                let from = p
                    .sender
                    .or_else(|| {
                        alloy_consensus::transaction::SignerRecoverable::recover_signer(&p.env).ok()
                    })
                    .unwrap_or_default();
                (
                    *p.env.tx_hash(),
                    TxRecordLite {
                        from,
                        env: p.env.clone(),
                    },
                )
            })
            .collect()
    }

    /// The nonce including transactions waiting to be mined.
    pub fn pending_nonce(&self, chain: &Chain, addr: &Address) -> u64 {
        let waiting = self
            .pending_txs()
            .iter()
            .filter(|(_, t)| t.from == *addr)
            .count() as u64;
        chain.account(addr).nonce + waiting
    }

    /// Sends a new block to the subscriptions, with the records mining returned (nothing is
    /// built when no one subscribes).
    fn publish(&self, block: &BlockRecord, txs: impl FnOnce() -> Vec<TxRecord>) {
        if self.blocks.receiver_count() == 0 {
            return;
        }
        let _ = self.blocks.send(Arc::new(NewBlock {
            block: block.clone(),
            txs: txs(),
        }));
    }

    /// Takes a signed transaction: mined at once (automine) or queued for the next block.
    /// Returns its hash.
    ///
    /// Automine validates it completely first (signature, chain id, not mined yet, nonce,
    /// balance, gas, fees: everything that could refuse it), then leaves the block to be built
    /// by [`Node::mine_answered`] or by the next [`Node::chain`], whichever comes first; nothing
    /// can read the chain in between. With [`xvm_store::Durability::Immediate`] (`xvm node
    /// --sync-interval 0`) the block is mined and on disk before this returns.
    pub fn submit(&self, pending: PendingTx) -> Result<B256, ChainError> {
        let hash = *pending.env.tx_hash();
        let chain = self.chain();
        if self.interval {
            chain.check(&pending)?;
            if lock(&self.pending).iter().any(|p| p.env.tx_hash() == &hash) {
                return Err(ChainError::Rejected(format!(
                    "transaction {hash} already known"
                )));
            }
            lock(&self.pending).push(pending);
            return Ok(hash);
        }
        if chain.durability() == xvm_store::Durability::Immediate {
            // Every block on disk before its transaction is answered: mine it now.
            let mut chain = chain;
            let mined = chain.submit_pending(pending)?;
            self.publish(&mined.block, || vec![mined.tx.clone()]);
            return Ok(hash);
        }
        let mut pending = pending;
        chain.validate(&mut pending)?;
        *lock(&self.job) = Some(pending);
        Ok(hash)
    }

    /// Mines the queued transactions into one block (the interval miner; also `evm_mine`).
    pub fn mine_pending(&self) -> Result<BlockRecord, ChainError> {
        let mut chain = self.chain();
        let txs = std::mem::take(&mut *lock(&self.pending));
        let mined = chain.mine(txs, false)?;
        self.publish(&mined.block, || {
            mined
                .results
                .iter()
                .filter_map(|r| r.as_ref().ok().map(|(_, rec)| rec.clone()))
                .collect()
        });
        Ok(mined.block)
    }

    /// Signs and submits a transaction from an unlocked default or impersonated account.
    pub fn send_transaction(&self, req: &TransactionRequest) -> Result<B256, ChainError> {
        let (env, sender) = {
            let chain = self.chain();
            let from = req
                .from
                .or_else(|| chain.accounts().first().map(|a| a.address))
                .unwrap_or_default();
            let impersonated = lock(&self.impersonated).contains(&from);
            let signer: PrivateKeySigner = match chain.accounts().iter().find(|a| a.address == from)
            {
                Some(a) => a.signer(),
                None if impersonated => PrivateKeySigner::from_bytes(&B256::with_last_byte(1))
                    .map_err(|e| ChainError::Invalid(e.to_string()))?,
                None => return Err(ChainError::Locked(from)),
            };
            let to = match req.to {
                Some(TxKind::Call(a)) => Some(a),
                _ => None,
            };
            let data = req.input.input().cloned().unwrap_or_default();
            let value = req.value.unwrap_or_default();
            let gas = match req.gas {
                Some(g) => g,
                None => chain.estimate_gas(&CallRequest {
                    from: Some(from),
                    to,
                    value,
                    data: data.clone(),
                    gas: None,
                })?,
            };
            let nonce = match req.nonce {
                Some(n) => n,
                None => self.pending_nonce(&chain, &from),
            };
            let kind = to.map(TxKind::Call).unwrap_or(TxKind::Create);
            let rev = chain.revision();
            let base = chain.next_base_fee() as u128;
            let sign_err = |e: alloy_signer::Error| ChainError::Invalid(format!("signing: {e}"));
            let legacy = rev < Revision::London
                || (req.gas_price.is_some() && req.max_fee_per_gas.is_none());
            let env: TxEnvelope = if legacy {
                let tx = TxLegacy {
                    chain_id: (rev >= Revision::SpuriousDragon).then_some(chain.config().chain_id),
                    nonce,
                    gas_price: req.gas_price.unwrap_or(base + TIP),
                    gas_limit: gas,
                    to: kind,
                    value,
                    input: data,
                };
                let sig = signer
                    .sign_hash_sync(&tx.signature_hash())
                    .map_err(sign_err)?;
                tx.into_signed(sig).into()
            } else {
                let tip = req.max_priority_fee_per_gas.unwrap_or(TIP);
                let tx = TxEip1559 {
                    chain_id: chain.config().chain_id,
                    nonce,
                    gas_limit: gas,
                    max_fee_per_gas: req.max_fee_per_gas.unwrap_or(2 * base + tip),
                    max_priority_fee_per_gas: tip,
                    to: kind,
                    value,
                    access_list: req.access_list.clone().unwrap_or_default(),
                    input: data,
                };
                let sig = signer
                    .sign_hash_sync(&tx.signature_hash())
                    .map_err(sign_err)?;
                tx.into_signed(sig).into()
            };
            (env, impersonated.then_some(from))
        };
        self.submit(PendingTx {
            env,
            sender,
            contract: None,
            tracer: None,
        })
    }

    /// `evm_snapshot`.
    pub fn snapshot(&self) -> u64 {
        let snap = self.chain().snapshot();
        let id = self.next_id();
        lock(&self.snapshots).insert(id, snap);
        id
    }

    /// `evm_revert`: back to snapshot `id` (it and later snapshots are used up, as in hardhat).
    pub fn revert(&self, id: u64) -> Result<bool, ChainError> {
        let snap = {
            let mut snaps = lock(&self.snapshots);
            let Some(s) = snaps.remove(&id) else {
                return Ok(false);
            };
            snaps.retain(|k, _| *k < id);
            s
        };
        lock(&self.pending).clear();
        let mut chain = self.chain();
        chain.revert(&snap)?;
        let head = chain.head().number;
        for f in lock(&self.filters).values_mut() {
            f.last = f.last.min(head);
        }
        Ok(true)
    }

    /// Impersonation on or off.
    pub fn impersonate(&self, addr: Address, on: bool) {
        let mut set = lock(&self.impersonated);
        if on {
            set.insert(addr);
        } else {
            set.remove(&addr);
        }
    }

    /// Wei balance of a default or any account, for `anvil_setBalance` and friends.
    pub fn set_balance(&self, addr: &Address, v: U256) -> Result<(), ChainError> {
        self.chain().set_balance(addr, v)
    }
}

/// A queued transaction as clients see it before it is mined.
pub struct TxRecordLite {
    pub from: Address,
    pub env: TxEnvelope,
}
