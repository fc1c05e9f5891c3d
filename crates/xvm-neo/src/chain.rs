//! A local single-node chain: genesis (NEO and GAS to a default account), invocations as
//! transactions in their own block, fees burned from the sender, and persistence through
//! `xvm-store` (tables `neo.state` for all contract and native state, `neo.wallet` for keys).
//! An invocation commits atomically on HALT and writes nothing on FAULT.

use crate::binary::int_bytes;
use crate::contract::{emit_push_data, emit_push_int};
use crate::crypto::hash160;
use crate::host::{Host, Outcome, Settings};
use crate::native::{ledger, token, Platform};
use crate::state::{Changes, DataCache, MemoryStore, StateStore};
use crate::syscalls::signature_redeem_script;
use crate::tx::{Block, Signer, Transaction};
use crate::types::{syscall_hash, Trigger, UInt160};
use std::rc::Rc;
use xvm_neovm::item::MapKey;
use xvm_neovm::{Int, StackItem};
use xvm_store::{Reader, Store, Table};

/// All Neo state (contract storage and natives), keys = contract id (i32 LE) ++ key.
pub const STATE: Table = Table::new("neo.state");
/// The local wallet: account name -> 32-byte secp256r1 private key.
pub const WALLET: Table = Table::new("neo.wallet");

/// Where state lives and how it is committed.
pub trait Backend: StateStore {
    /// Applies `changes` atomically.
    fn commit(&mut self, changes: &Changes) -> Result<(), String>;
    /// A wallet key by account name.
    fn wallet_get(&self, name: &str) -> Result<Option<Vec<u8>>, String>;
    /// Every (name, key) in the wallet.
    fn wallet_list(&self) -> Result<Vec<(String, Vec<u8>)>, String>;
    /// Stores a wallet key together with `changes` (one atomic write).
    fn wallet_put(&mut self, name: &str, key: &[u8], changes: &Changes) -> Result<(), String>;
}

/// In-memory backend (tests, embedders).
#[derive(Default)]
pub struct MemoryBackend {
    /// State.
    pub state: MemoryStore,
    /// Wallet.
    pub wallet: std::collections::BTreeMap<String, Vec<u8>>,
}

impl StateStore for MemoryBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
        self.state.get(key)
    }
    fn scan_prefix(&self, prefix: &[u8]) -> Result<crate::state::Entries, String> {
        self.state.scan_prefix(prefix)
    }
}

impl Backend for MemoryBackend {
    fn commit(&mut self, changes: &Changes) -> Result<(), String> {
        self.state.apply(changes);
        Ok(())
    }
    fn wallet_get(&self, name: &str) -> Result<Option<Vec<u8>>, String> {
        Ok(self.wallet.get(name).cloned())
    }
    fn wallet_list(&self) -> Result<Vec<(String, Vec<u8>)>, String> {
        Ok(self
            .wallet
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
    fn wallet_put(&mut self, name: &str, key: &[u8], changes: &Changes) -> Result<(), String> {
        self.wallet.insert(name.into(), key.to_vec());
        self.commit(changes)
    }
}

/// The `xvm-store` backend.
pub struct StoreBackend {
    /// The open store.
    pub store: Store,
}

impl StoreBackend {
    /// Opens (creating) the state in `dir`.
    pub fn open(dir: &std::path::Path) -> Result<StoreBackend, String> {
        Ok(StoreBackend {
            store: Store::open(dir).map_err(|e| e.to_string())?,
        })
    }
}

impl StateStore for StoreBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
        let r = self.store.read().map_err(|e| e.to_string())?;
        r.get(STATE, key).map_err(|e| e.to_string())
    }
    fn scan_prefix(&self, prefix: &[u8]) -> Result<crate::state::Entries, String> {
        let r = self.store.read().map_err(|e| e.to_string())?;
        r.scan_prefix(STATE, prefix).map_err(|e| e.to_string())
    }
}

impl Backend for StoreBackend {
    fn commit(&mut self, changes: &Changes) -> Result<(), String> {
        let mut w = self.store.write().map_err(|e| e.to_string())?;
        for (k, v) in changes {
            match v {
                Some(v) => w.put(STATE, k, v),
                None => w.delete(STATE, k),
            }
            .map_err(|e| e.to_string())?;
        }
        w.commit().map_err(|e| e.to_string())
    }
    fn wallet_get(&self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let r = self.store.read().map_err(|e| e.to_string())?;
        r.get(WALLET, name.as_bytes()).map_err(|e| e.to_string())
    }
    fn wallet_list(&self) -> Result<Vec<(String, Vec<u8>)>, String> {
        let r = self.store.read().map_err(|e| e.to_string())?;
        Ok(r.scan_prefix(WALLET, b"")
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|(k, v)| (String::from_utf8_lossy(&k).into_owned(), v))
            .collect())
    }
    fn wallet_put(&mut self, name: &str, key: &[u8], changes: &Changes) -> Result<(), String> {
        let mut w = self.store.write().map_err(|e| e.to_string())?;
        w.put(WALLET, name.as_bytes(), key)
            .map_err(|e| e.to_string())?;
        for (k, v) in changes {
            match v {
                Some(v) => w.put(STATE, k, v),
                None => w.delete(STATE, k),
            }
            .map_err(|e| e.to_string())?;
        }
        w.commit().map_err(|e| e.to_string())
    }
}

/// A wallet account.
#[derive(Clone, Debug)]
pub struct Account {
    /// Name.
    pub name: String,
    /// Compressed public key.
    pub public_key: Vec<u8>,
    /// Private key.
    pub private_key: Vec<u8>,
    /// Script hash of its standard verification script.
    pub hash: UInt160,
}

impl Account {
    /// An account from its private key.
    pub fn from_private_key(name: &str, sk: &[u8]) -> Result<Account, String> {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let key = p256::SecretKey::from_slice(sk).map_err(|_| "invalid private key".to_string())?;
        let pk = key.public_key().to_encoded_point(true).as_bytes().to_vec();
        Ok(Account {
            name: name.into(),
            hash: UInt160(hash160(&signature_redeem_script(&pk))),
            public_key: pk,
            private_key: sk.to_vec(),
        })
    }
}

fn random_key() -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut f = std::fs::File::open("/dev/urandom").map_err(|e| format!("no randomness: {e}"))?;
    loop {
        let mut b = [0u8; 32];
        f.read_exact(&mut b)
            .map_err(|e| format!("no randomness: {e}"))?;
        if p256::SecretKey::from_slice(&b).is_ok() {
            return Ok(b.to_vec());
        }
    }
}

/// Total NEO at genesis.
pub const NEO_TOTAL: i64 = 100_000_000;
/// GAS minted at genesis (52 million GAS, in datoshi).
pub const GAS_GENESIS: i64 = 5_200_000_000_000_000;
/// Default GAS limit of an invocation (20 GAS).
pub const DEFAULT_GAS: i64 = 20_00000000;
/// Name of the default account.
pub const DEFAULT_ACCOUNT: &str = "default";

/// The result of an invocation through the chain.
pub struct Invocation {
    /// The engine outcome.
    pub outcome: Outcome,
    /// The transaction.
    pub tx: Transaction,
    /// The block it ran in.
    pub block: Block,
    /// Whether the state was written.
    pub committed: bool,
}

/// A local chain over a backend.
pub struct Chain<B: Backend> {
    /// The backend.
    pub backend: B,
    /// Natives and syscalls.
    pub platform: Rc<Platform>,
    /// Settings.
    pub settings: Settings,
}

impl<B: Backend> Chain<B> {
    /// A chain over `backend` with Neo's platform; creates the genesis state and the default
    /// account on first use.
    pub fn open(backend: B) -> Result<Chain<B>, String> {
        Chain::with_platform(backend, Platform::neo())
    }

    /// As [`Chain::open`] with a custom platform (extensions).
    pub fn with_platform(backend: B, platform: Platform) -> Result<Chain<B>, String> {
        let mut c = Chain {
            backend,
            platform: Rc::new(platform),
            settings: Settings::default(),
        };
        c.genesis()?;
        Ok(c)
    }

    fn genesis(&mut self) -> Result<(), String> {
        if self.backend.wallet_get(DEFAULT_ACCOUNT)?.is_some() {
            return Ok(());
        }
        let sk = random_key()?;
        let acc = Account::from_private_key(DEFAULT_ACCOUNT, &sk)?;
        let mut cache = DataCache::new(&self.backend);
        token::mint(&mut cache, token::NEO_ID, &acc.hash, Int::from(NEO_TOTAL))?;
        token::mint(&mut cache, token::GAS_ID, &acc.hash, Int::from(GAS_GENESIS))?;
        let block = Block {
            index: 0,
            timestamp: 1_468_595_301_000,
            nonce: 2_083_236_893,
            prev_hash: [0; 32],
        };
        ledger::persist(&mut cache, &block, &[]);
        let changes = cache.changes();
        self.backend.wallet_put(DEFAULT_ACCOUNT, &sk, &changes)
    }

    /// A wallet account by name.
    pub fn account(&self, name: &str) -> Result<Account, String> {
        let sk = self
            .backend
            .wallet_get(name)?
            .ok_or_else(|| format!("unknown account {name:?} (see `xvm neo accounts`)"))?;
        Account::from_private_key(name, &sk)
    }

    /// Every wallet account.
    pub fn accounts(&self) -> Result<Vec<Account>, String> {
        self.backend
            .wallet_list()?
            .into_iter()
            .map(|(n, k)| Account::from_private_key(&n, &k))
            .collect()
    }

    /// Creates a new account with a fresh key.
    pub fn new_account(&mut self, name: &str) -> Result<Account, String> {
        if name.is_empty() || self.backend.wallet_get(name)?.is_some() {
            return Err(format!("account {name:?} exists or is not a valid name"));
        }
        let sk = random_key()?;
        self.backend.wallet_put(name, &sk, &Changes::new())?;
        Account::from_private_key(name, &sk)
    }

    /// A read view of the committed state.
    pub fn view(&self) -> DataCache<'_> {
        DataCache::new(&self.backend)
    }

    /// The host, transaction and block an invocation of `script` runs with (what
    /// [`Chain::invoke_script`] executes); for embedders that drive the engine themselves
    /// (`xvm neo profile`, `xvm neo debug`). Nothing is committed.
    pub fn prepare_host(
        &self,
        script: Vec<u8>,
        signers: Vec<Signer>,
        gas_limit: i64,
    ) -> Result<(Host<'_>, Transaction, Block), String> {
        let cache = DataCache::new(&self.backend);
        let (prev_hash, prev_index) = ledger::current(&cache)?.unwrap_or(([0; 32], 0));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let tx = Transaction {
            version: 0,
            nonce: u32::from_le_bytes(prev_hash[..4].try_into().unwrap_or_default()) ^ prev_index,
            system_fee: gas_limit,
            network_fee: 0,
            valid_until_block: prev_index + 5760,
            signers,
            script: script.clone(),
        };
        let block = Block {
            index: prev_index + 1,
            timestamp: now,
            nonce: u64::from_le_bytes(tx.hash()[..8].try_into().unwrap_or_default()),
            prev_hash,
        };
        let host = Host::new(
            &self.backend,
            self.platform.clone(),
            self.settings.clone(),
            Trigger::Application,
            Some(tx.clone()),
            Some(block.clone()),
            gas_limit,
        );
        Ok((host, tx, block))
    }

    /// Runs `script` in a new block signed by `signers` (the first pays); commits on HALT when
    /// `commit` is set. Fees (GAS consumed) are burned from the sender on commit.
    pub fn invoke_script(
        &mut self,
        script: Vec<u8>,
        signers: Vec<Signer>,
        gas_limit: i64,
        commit: bool,
        oracle_response: Option<(u64, u8, Vec<u8>)>,
    ) -> Result<Invocation, String> {
        let (mut host, tx, block) = self.prepare_host(script.clone(), signers, gas_limit)?;
        host.oracle_response = oracle_response;
        let outcome = host.run(&script);
        let halted = outcome.state == xvm_neovm::VmState::Halt;
        let mut committed = false;
        if commit && halted {
            let mut base = MemoryStore::default();
            base.apply(&outcome.changes);
            let overlay = Overlay {
                top: &base,
                changes: &outcome.changes,
                bottom: &self.backend,
            };
            let mut c = DataCache::new(&overlay);
            token::burn(
                &mut c,
                token::GAS_ID,
                &tx.sender(),
                Int::from(outcome.gas_consumed),
            )?;
            ledger::persist(&mut c, &block, &[(tx.clone(), true)]);
            let mut all = outcome.changes.clone();
            all.extend(c.changes());
            self.backend.commit(&all)?;
            committed = true;
        }
        Ok(Invocation {
            outcome,
            tx,
            block,
            committed,
        })
    }
}

/// Reads `changes` over a base store (to stack fee burning on an invocation's writes).
struct Overlay<'a> {
    top: &'a MemoryStore,
    changes: &'a Changes,
    bottom: &'a dyn StateStore,
}

impl StateStore for Overlay<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
        match self.changes.get(key) {
            Some(v) => Ok(v.clone()),
            None => self.bottom.get(key),
        }
    }
    fn scan_prefix(&self, prefix: &[u8]) -> Result<crate::state::Entries, String> {
        let mut m: std::collections::BTreeMap<Vec<u8>, Option<Vec<u8>>> = self
            .bottom
            .scan_prefix(prefix)?
            .into_iter()
            .map(|(k, v)| (k, Some(v)))
            .collect();
        for (k, v) in self.changes.range(prefix.to_vec()..) {
            if !k.starts_with(prefix) {
                break;
            }
            m.insert(k.clone(), v.clone());
        }
        let _ = self.top;
        Ok(m.into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect())
    }
}

/// Appends a push of any integer (PUSHM1..PUSH16, else the smallest PUSHINT).
pub fn emit_push_bigint(out: &mut Vec<u8>, v: Int) {
    if let Some(i) = v.to_i64() {
        emit_push_int(out, i);
        return;
    }
    let b = v.to_le_bytes();
    let (op, width) = match b.len() {
        0..=16 => (0x04, 16),
        _ => (0x05, 32),
    };
    out.push(op);
    let mut b = b;
    b.resize(width, if v.is_negative() { 0xff } else { 0 });
    out.extend_from_slice(&b);
}

/// Appends the pushes that rebuild `item` (as Neo's ScriptBuilder.EmitPush does).
pub fn emit_push_item(out: &mut Vec<u8>, item: &StackItem) -> Result<(), String> {
    match item {
        StackItem::Null => out.push(0x0b),
        StackItem::Boolean(b) => out.push(if *b { 0x08 } else { 0x09 }),
        StackItem::Integer(i) => emit_push_bigint(out, *i),
        StackItem::ByteString(b) => emit_push_data(out, b),
        StackItem::Buffer(b) => emit_push_data(out, &b.borrow()),
        StackItem::Array(a) | StackItem::Struct(a) => emit_array(out, &a.items())?,
        StackItem::Map(m) => {
            let entries: Vec<(MapKey, StackItem)> = m
                .entries()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (k, v) in entries.iter().rev() {
                emit_push_item(out, v)?;
                emit_push_item(out, &k.to_item())?;
            }
            emit_push_int(out, entries.len() as i64);
            out.push(0xbe); // PACKMAP
        }
        other => {
            return Err(format!(
                "{} cannot be pushed by a script",
                other.class_name()
            ))
        }
    }
    Ok(())
}

fn emit_array(out: &mut Vec<u8>, items: &[StackItem]) -> Result<(), String> {
    if items.is_empty() {
        out.push(0xc2); // NEWARRAY0
        return Ok(());
    }
    for x in items.iter().rev() {
        emit_push_item(out, x)?;
    }
    emit_push_int(out, items.len() as i64);
    out.push(0xc0); // PACK
    Ok(())
}

/// The script `System.Contract.Call(hash, method, All, args)` (Neo's EmitDynamicCall).
pub fn call_script(hash: &UInt160, method: &str, args: &[StackItem]) -> Result<Vec<u8>, String> {
    let mut s = Vec::new();
    emit_array(&mut s, args)?;
    emit_push_int(&mut s, crate::types::call_flags::ALL as i64);
    emit_push_data(&mut s, method.as_bytes());
    emit_push_data(&mut s, &hash.0);
    s.push(0x41);
    s.extend_from_slice(&syscall_hash("System.Contract.Call").to_le_bytes());
    Ok(s)
}

/// Minimal LE bytes of an integer (re-exported for tools that print storage).
pub fn int_to_bytes(i: Int) -> Vec<u8> {
    int_bytes(i)
}
