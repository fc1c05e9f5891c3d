//! The chain: open or create the state, read it, call, estimate, and mine transactions.

use std::path::Path;

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope, TxLegacy};
use alloy_primitives::{keccak256, Address, Bytes, TxKind, B256, U256};
use alloy_signer::SignerSync;
use xvm_ethereum::state::SlotMap;
use xvm_ethereum::tx::BlobParams;
use xvm_ethereum::{BlockEnv, PreAccount, PreState, State};
use xvm_evm::{Revision, StatusCode, Tracer};
use xvm_store::{Reader, Store, WriteTxn};

use crate::accounts::{derive, DevAccount};
use crate::block::{next_base_fee, seal, BlockParts};
use crate::records::{AccountInfo, BlockRecord, ContractInfo, LogRecord, TxRecord};
use crate::tables::*;
use crate::{ChainConfig, ChainError, GenesisOptions};

/// The priority fee the chain's own signed transactions offer (1 gwei).
const DEFAULT_TIP: u128 = 1_000_000_000;
/// EIP-7825's cap on a transaction's gas (Osaka on).
const TX_GAS_CAP: u64 = 1 << 24;

/// A transaction to sign with an unlocked default account and mine.
#[derive(Clone, Debug, Default)]
pub struct TxRequest {
    /// The sender: one of the default accounts.
    pub from: Address,
    /// Recipient; `None` creates a contract from `data`.
    pub to: Option<Address>,
    /// Wei sent.
    pub value: U256,
    /// Call data or init code.
    pub data: Bytes,
    /// Gas limit; `None`: the exact estimate.
    pub gas: Option<u64>,
}

/// A call on the head state that writes nothing (`eth_call`).
#[derive(Clone, Debug, Default)]
pub struct CallRequest {
    /// The caller; `None`: the first default account.
    pub from: Option<Address>,
    /// Recipient; `None` runs `data` as init code.
    pub to: Option<Address>,
    /// Wei sent.
    pub value: U256,
    /// Call data or init code.
    pub data: Bytes,
    /// Gas limit; `None`: the block's (capped by EIP-7825 from Osaka on).
    pub gas: Option<u64>,
}

/// What a call returned.
#[derive(Clone, Debug)]
pub struct CallResult {
    /// Status of the top frame.
    pub status: StatusCode,
    /// Return data (revert data when it reverted).
    pub output: Bytes,
    /// Gas used after refunds.
    pub gas_used: u64,
    /// Logs it would emit.
    pub logs: Vec<LogRecord>,
}

/// A transaction mined into its block.
#[derive(Clone, Debug)]
pub struct Mined {
    /// The status of the transaction's top frame.
    pub status: StatusCode,
    /// The transaction and its receipt.
    pub tx: TxRecord,
    /// The new block.
    pub block: BlockRecord,
}

/// A local chain on an open state folder. Holds the state file open (and so locked) while it
/// lives; the whole world state is kept in memory, loaded once on open.
pub struct Chain {
    pub(crate) store: std::sync::Arc<Store>,
    pub(crate) config: ChainConfig,
    pub(crate) accounts: Vec<DevAccount>,
    pub(crate) pre: PreState,
    pub(crate) head: BlockRecord,
    pub(crate) hashes: Vec<B256>,
    pub(crate) tries: crate::mining::Tries,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain")
            .field("dir", &self.store.dir())
            .field("head", &self.head.number)
            .finish()
    }
}

pub(crate) fn corrupt(what: impl std::fmt::Display) -> ChainError {
    ChainError::Store(xvm_store::StoreError::Corrupt(what.to_string()))
}

pub(crate) fn json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    what: &str,
) -> Result<T, ChainError> {
    serde_json::from_slice(bytes).map_err(|e| corrupt(format!("{what}: {e}")))
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("records serialize")
}

pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Chain {
    /// Opens the chain in `dir`, creating it with `genesis` when the folder holds no chain yet
    /// (`genesis` is ignored for an existing chain: its fork is fixed at creation).
    pub fn open(dir: &Path, genesis: &GenesisOptions) -> Result<Chain, ChainError> {
        let store = Store::open(dir)?;
        let existing = store.read()?.get(META, KEY_CONFIG)?;
        match existing {
            Some(bytes) => Self::load(store, json(&bytes, "chain config")?),
            None => Self::create(store, genesis),
        }
    }

    /// Whether `dir` already holds a chain (without creating anything).
    pub fn exists(dir: &Path) -> bool {
        dir.join(xvm_store::FILE_NAME).exists()
    }

    fn create(store: Store, g: &GenesisOptions) -> Result<Chain, ChainError> {
        let accounts = derive(&g.mnemonic, g.accounts).map_err(ChainError::Invalid)?;
        let config = ChainConfig {
            fork: g.revision.name().to_string(),
            chain_id: g.chain_id,
            gas_limit: g.gas_limit,
            mnemonic: g.mnemonic.clone(),
            time_offset: 0,
            next_timestamp: None,
        };
        let mut pre = PreState::new();
        let mut w = store.write()?;
        for a in &accounts {
            pre.insert(
                a.address,
                PreAccount::new(0, g.balance, &[], SlotMap::default()),
            );
            w.put(
                ACCOUNTS,
                a.address.as_slice(),
                &encode_account(0, g.balance, xvm_ethereum::state::EMPTY_CODE_HASH),
            )?;
        }
        let state_root = xvm_ethereum::trie::state_root(&State::new(&pre), true);
        let genesis = seal(BlockParts {
            rev: g.revision,
            number: 0,
            parent_hash: B256::ZERO,
            timestamp: now_secs(),
            base_fee: g.base_fee,
            gas_limit: g.gas_limit,
            gas_used: 0,
            miner: Address::ZERO,
            state_root,
            mix_hash: keccak256(0u64.to_be_bytes()),
            txs: &[],
            receipts: &[],
        });
        w.put(META, KEY_CONFIG, &to_json(&config))?;
        w.put(META, b"accounts", &to_json(&accounts))?;
        put_block(&mut w, &genesis)?;
        w.commit()?;
        Ok(Chain {
            store: std::sync::Arc::new(store),
            config,
            accounts,
            pre,
            hashes: vec![genesis.hash],
            head: genesis,
            tries: Default::default(),
        })
    }

    pub(crate) fn load(store: Store, config: ChainConfig) -> Result<Chain, ChainError> {
        let (accounts, pre, head, hashes) = read_state(&store)?;
        Ok(Chain {
            store: std::sync::Arc::new(store),
            config,
            accounts,
            pre,
            head,
            hashes,
            tries: Default::default(),
        })
    }

    /// Reloads the state from what the store has committed.
    pub(crate) fn reload(&mut self) -> Result<(), ChainError> {
        let config: ChainConfig = match self.store.read()?.get(META, KEY_CONFIG)? {
            Some(b) => json(&b, "chain config")?,
            None => return Err(corrupt("no chain config")),
        };
        let (accounts, pre, head, hashes) = read_state(&self.store)?;
        self.config = config;
        self.accounts = accounts;
        self.pre = pre;
        self.head = head;
        self.hashes = hashes;
        self.tries.clear();
        Ok(())
    }

    /// The chain's configuration.
    pub fn config(&self) -> &ChainConfig {
        &self.config
    }

    /// The fork.
    pub fn revision(&self) -> Revision {
        self.config.revision()
    }

    /// The default (unlocked, funded) accounts.
    pub fn accounts(&self) -> &[DevAccount] {
        &self.accounts
    }

    /// The newest block.
    pub fn head(&self) -> &BlockRecord {
        &self.head
    }

    /// The state folder.
    pub fn dir(&self) -> &Path {
        self.store.dir()
    }

    /// How block commits reach the disk (default: each at once; a node may group them).
    /// Only before [`Chain::shared_store`] hands the store out.
    /// When commits reach the disk.
    pub fn durability(&self) -> xvm_store::Durability {
        self.store.durability()
    }

    /// Sets when commits reach the disk (before the store is shared).
    pub fn set_durability(&mut self, durability: xvm_store::Durability) -> Result<(), ChainError> {
        let store = std::sync::Arc::get_mut(&mut self.store).ok_or_else(|| {
            ChainError::Invalid("durability is set before the store is shared".into())
        })?;
        Ok(store.set_durability(durability)?)
    }

    /// The chain's store, for a server that puts deferred commits on disk from another thread
    /// ([`xvm_store::Store::sync`]) without holding the chain.
    pub fn shared_store(&self) -> std::sync::Arc<Store> {
        self.store.clone()
    }

    /// Puts every block committed so far on disk.
    pub fn sync(&self) -> Result<(), ChainError> {
        Ok(self.store.sync()?)
    }

    /// An account's nonce, balance and code at the head (all zero when absent).
    pub fn account(&self, addr: &Address) -> AccountInfo {
        match self.pre.get(addr) {
            Some(a) => AccountInfo {
                nonce: a.nonce,
                balance: a.balance,
                code: a
                    .code
                    .as_ref()
                    .map(|c| Bytes::copy_from_slice(c.code()))
                    .unwrap_or_default(),
            },
            None => AccountInfo::default(),
        }
    }

    /// The state root of the head state, computed from the accounts in memory (equal to the
    /// head block's `state_root`; tests use it to check what was loaded).
    pub fn state_root(&self) -> B256 {
        xvm_ethereum::trie::state_root(&State::new(&self.pre), true)
    }

    /// A storage slot at the head.
    pub fn storage_at(&self, addr: &Address, slot: &U256) -> U256 {
        self.pre
            .get(addr)
            .and_then(|a| a.storage.get(slot).copied())
            .unwrap_or_default()
    }

    /// Block `number`, if mined.
    pub fn block(&self, number: u64) -> Result<Option<BlockRecord>, ChainError> {
        // The head is in memory (receipts of just-mined transactions ask for it).
        if number == self.head.number {
            return Ok(Some(self.head.clone()));
        }
        match self.store.read()?.get(BLOCKS, &u64_be(number))? {
            Some(b) => Ok(Some(json(&b, "block")?)),
            None => Ok(None),
        }
    }

    /// The block with this hash, if any.
    pub fn block_by_hash(&self, hash: &B256) -> Result<Option<BlockRecord>, ChainError> {
        let n = self.store.read()?.get(BLOCK_HASHES, hash.as_slice())?;
        match n.and_then(|v| read_u64_be(&v)) {
            Some(n) => self.block(n),
            None => Ok(None),
        }
    }

    /// A mined transaction and its receipt.
    pub fn transaction(&self, hash: &B256) -> Result<Option<TxRecord>, ChainError> {
        match self.store.read()?.get(TXS, hash.as_slice())? {
            Some(b) => Ok(Some(json(&b, "transaction")?)),
            None => Ok(None),
        }
    }

    /// The name and ABI stored with a deployed contract.
    pub fn contract(&self, addr: &Address) -> Result<Option<ContractInfo>, ChainError> {
        match self.store.read()?.get(CONTRACTS, addr.as_slice())? {
            Some(b) => Ok(Some(json(&b, "contract")?)),
            None => Ok(None),
        }
    }

    /// Stores (or replaces) the name and ABI of a contract.
    pub fn set_contract(&mut self, addr: &Address, info: &ContractInfo) -> Result<(), ChainError> {
        let mut w = self.store.write()?;
        w.put(CONTRACTS, addr.as_slice(), &to_json(info))?;
        w.commit()?;
        Ok(())
    }

    /// The largest gas a single transaction may use here.
    pub fn call_gas_cap(&self) -> u64 {
        if self.revision() >= Revision::Osaka {
            self.config.gas_limit.min(TX_GAS_CAP)
        } else {
            self.config.gas_limit
        }
    }

    pub(crate) fn next_env(&self) -> BlockEnv {
        let rev = self.revision();
        let number = self.head.number + 1;
        let now = match self.config.next_timestamp {
            Some(t) => t,
            None => now_secs().saturating_add_signed(self.config.time_offset),
        };
        BlockEnv {
            coinbase: Address::ZERO,
            gas_limit: self.config.gas_limit,
            number,
            timestamp: now.max(self.head.timestamp + 1),
            difficulty: if rev >= Revision::Paris {
                U256::ZERO
            } else {
                U256::from(131_072u64)
            },
            prev_randao: Some(keccak256(number.to_be_bytes())),
            base_fee: U256::from(self.next_base_fee()),
            excess_blob_gas: 0,
            chain_id: self.config.chain_id,
            blob_params: BlobParams::for_revision(rev),
        }
    }

    /// The base fee of the next block.
    pub fn next_base_fee(&self) -> u64 {
        if self.revision() < Revision::London {
            return 0;
        }
        next_base_fee(
            self.head.base_fee_per_gas,
            self.head.gas_used,
            self.head.gas_limit,
        )
    }

    pub(crate) fn block_hash_of(&self, n: u64) -> B256 {
        self.hashes.get(n as usize).copied().unwrap_or_default()
    }

    /// Signs `req` with its sender's key (a default account), mines it into a new block and
    /// commits. `contract`: name and ABI to store with the contract a create makes.
    pub fn send(
        &mut self,
        req: &TxRequest,
        contract: Option<&ContractInfo>,
        tracer: Option<Box<dyn Tracer + Send>>,
    ) -> Result<Mined, ChainError> {
        let account = self
            .accounts
            .iter()
            .find(|a| a.address == req.from)
            .ok_or(ChainError::Locked(req.from))?;
        let signer = account.signer();
        let gas = match req.gas {
            Some(g) => g,
            None => self.estimate_gas(&CallRequest {
                from: Some(req.from),
                to: req.to,
                value: req.value,
                data: req.data.clone(),
                gas: None,
            })?,
        };
        let nonce = self.pre.get(&req.from).map(|a| a.nonce).unwrap_or(0);
        let kind = match req.to {
            Some(to) => TxKind::Call(to),
            None => TxKind::Create,
        };
        let rev = self.revision();
        let sign_err = |e: alloy_signer::Error| ChainError::Invalid(format!("signing: {e}"));
        let env: TxEnvelope = if rev >= Revision::London {
            let base = self.next_base_fee() as u128;
            let tx = TxEip1559 {
                chain_id: self.config.chain_id,
                nonce,
                gas_limit: gas,
                max_fee_per_gas: 2 * base + DEFAULT_TIP,
                max_priority_fee_per_gas: DEFAULT_TIP,
                to: kind,
                value: req.value,
                access_list: Default::default(),
                input: req.data.clone(),
            };
            let sig = signer
                .sign_hash_sync(&tx.signature_hash())
                .map_err(sign_err)?;
            tx.into_signed(sig).into()
        } else {
            let tx = TxLegacy {
                chain_id: (rev >= Revision::SpuriousDragon).then_some(self.config.chain_id),
                nonce,
                gas_price: DEFAULT_TIP,
                gas_limit: gas,
                to: kind,
                value: req.value,
                input: req.data.clone(),
            };
            let sig = signer
                .sign_hash_sync(&tx.signature_hash())
                .map_err(sign_err)?;
            tx.into_signed(sig).into()
        };
        self.submit(env, contract, tracer)
    }
}

type Loaded = (Vec<DevAccount>, PreState, BlockRecord, Vec<B256>);

/// Reads the default accounts, the whole world state, the head and the block hashes.
fn read_state(store: &Store) -> Result<Loaded, ChainError> {
    let r = store.read()?;
    let accounts: Vec<DevAccount> = match r.get(META, b"accounts")? {
        Some(b) => json(&b, "accounts")?,
        None => return Err(corrupt("no accounts")),
    };
    let head_n = r
        .get(META, KEY_HEAD)?
        .and_then(|v| read_u64_be(&v))
        .ok_or_else(|| corrupt("no head block"))?;
    let mut hashes = Vec::with_capacity(head_n as usize + 1);
    let mut head = None;
    for (k, v) in r.scan_prefix(BLOCKS, &[])? {
        let n = read_u64_be(&k).ok_or_else(|| corrupt("block key"))?;
        if n != hashes.len() as u64 {
            return Err(corrupt(format!("block {n} out of sequence")));
        }
        let b: BlockRecord = json(&v, "block")?;
        hashes.push(b.hash);
        if n == head_n {
            head = Some(b);
        }
    }
    let head = head.ok_or_else(|| corrupt(format!("head block {head_n} missing")))?;
    if hashes.len() as u64 != head_n + 1 {
        return Err(corrupt("blocks after the head"));
    }
    let mut pre = PreState::new();
    let mut storage: alloy_primitives::map::AddressMap<SlotMap<U256>> = Default::default();
    for (k, v) in r.scan_prefix(STORAGE, &[])? {
        if k.len() != 52 || v.len() != 32 {
            return Err(corrupt("storage entry"));
        }
        storage
            .entry(Address::from_slice(&k[..20]))
            .or_default()
            .insert(U256::from_be_slice(&k[20..]), U256::from_be_slice(&v));
    }
    for (k, v) in r.scan_prefix(ACCOUNTS, &[])? {
        let (nonce, balance, code_hash) =
            decode_account(&v).ok_or_else(|| corrupt("account entry"))?;
        if k.len() != 20 {
            return Err(corrupt("account key"));
        }
        let addr = Address::from_slice(&k);
        let code = if code_hash == xvm_ethereum::state::EMPTY_CODE_HASH {
            Vec::new()
        } else {
            r.get(CODE, code_hash.as_slice())?
                .ok_or_else(|| corrupt(format!("code {code_hash} missing")))?
        };
        let slots = storage.remove(&addr).unwrap_or_default();
        pre.insert(addr, PreAccount::new(nonce, balance, &code, slots));
    }
    Ok((accounts, pre, head, hashes))
}

pub(crate) fn read_u64_or(v: Option<Vec<u8>>) -> Result<u64, ChainError> {
    v.and_then(|v| read_u64_be(&v))
        .ok_or_else(|| corrupt("missing number"))
}

pub(crate) fn put_block(w: &mut WriteTxn<'_>, b: &BlockRecord) -> Result<(), ChainError> {
    w.put(BLOCKS, &u64_be(b.number), &to_json(b))?;
    w.put(BLOCK_HASHES, b.hash.as_slice(), &u64_be(b.number))?;
    w.put(META, KEY_HEAD, &u64_be(b.number))?;
    Ok(())
}

pub(crate) fn log_records(logs: &[xvm_ethereum::Log], first_index: u64) -> Vec<LogRecord> {
    logs.iter()
        .enumerate()
        .map(|(i, l)| LogRecord {
            address: l.address,
            topics: l.topics.clone(),
            data: l.data.clone(),
            log_index: first_index + i as u64,
        })
        .collect()
}

/// A short name for a failed status, as the CLI and RPC errors print it.
pub(crate) fn status_text(s: StatusCode) -> &'static str {
    match s {
        StatusCode::Success => "success",
        StatusCode::Revert => "execution reverted",
        StatusCode::OutOfGas => "out of gas",
        _ => "execution failed",
    }
}
