//! World state for one transaction: an overlay over an immutable pre-state, with a journal of
//! every change so that nested calls and creates can be reverted to a checkpoint.

use alloy_primitives::map::{AddressMap, HashMap};
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use std::sync::{Arc, OnceLock};
use xvm_evm::AnalyzedCode;

/// keccak256 of empty input: the code hash of an account without code.
pub const EMPTY_CODE_HASH: B256 = alloy_trie::KECCAK_EMPTY;

/// A fast map keyed by 32-byte words (storage slots).
pub type SlotMap<V> = HashMap<U256, V>;

/// An account of the pre-state (the state before the transaction), immutable while transactions
/// run on top of it and shareable between threads.
#[derive(Debug)]
pub struct PreAccount {
    /// Nonce.
    pub nonce: u64,
    /// Balance in wei.
    pub balance: U256,
    /// Code, analysed once (None for an account without code).
    pub code: Option<Arc<AnalyzedCode>>,
    /// keccak256 of the code.
    pub code_hash: B256,
    /// Storage; zero values are not stored.
    pub storage: SlotMap<U256>,
    storage_root: OnceLock<B256>,
    hashed_address: B256,
}

impl PreAccount {
    /// An account with the given fields; zero storage values are dropped.
    pub fn new(nonce: u64, balance: U256, code: &[u8], storage: SlotMap<U256>) -> Self {
        let (code, code_hash) = make_code(code);
        let storage = storage.into_iter().filter(|(_, v)| !v.is_zero()).collect();
        PreAccount {
            nonce,
            balance,
            code,
            code_hash,
            storage,
            storage_root: OnceLock::new(),
            hashed_address: B256::ZERO,
        }
    }

    /// keccak256 of the account's address (its key in the state trie).
    pub fn hashed_address(&self) -> B256 {
        self.hashed_address
    }

    /// Sets the root of this account's storage trie, for a caller that keeps the trie itself
    /// (e.g. incrementally across blocks); it must be the root of `storage`.
    pub fn set_storage_root(&mut self, root: B256) {
        self.storage_root = OnceLock::from(root);
    }

    /// The root of this account's storage trie (computed once).
    pub fn storage_root(&self) -> B256 {
        *self
            .storage_root
            .get_or_init(|| crate::trie::storage_root(self.storage.iter().map(|(k, v)| (*k, *v))))
    }
}

/// Analyses `code` and hashes it (both reused when this thread met the same bytes recently, see
/// `code_cache`); `None` for empty code.
pub fn make_code(code: &[u8]) -> (Option<Arc<AnalyzedCode>>, B256) {
    if code.is_empty() {
        (None, EMPTY_CODE_HASH)
    } else {
        let (hash, analysis) = crate::code_cache::hashed_and_analyzed(code);
        (Some(analysis), hash)
    }
}

/// The state before a transaction.
#[derive(Debug, Default)]
pub struct PreState {
    /// Accounts by address.
    pub accounts: AddressMap<PreAccount>,
}

impl PreState {
    /// An empty pre-state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) an account.
    pub fn insert(&mut self, addr: Address, mut account: PreAccount) {
        account.hashed_address = keccak256(addr);
        self.accounts.insert(addr, account);
    }

    /// The account at `addr`, if any.
    pub fn get(&self, addr: &Address) -> Option<&PreAccount> {
        self.accounts.get(addr)
    }
}

/// A storage slot as seen by the current transaction.
#[derive(Clone, Copy, Debug, Default)]
pub struct Slot {
    /// Value at the start of the transaction.
    pub original: U256,
    /// Current value.
    pub current: U256,
    /// Accessed in this transaction (EIP-2929).
    pub warm: bool,
}

/// An account as seen by the current transaction.
#[derive(Clone, Debug)]
pub struct Account {
    /// Nonce.
    pub nonce: u64,
    /// Balance in wei.
    pub balance: U256,
    /// Code (None when empty).
    pub code: Option<Arc<AnalyzedCode>>,
    /// keccak256 of the code.
    pub code_hash: B256,
    /// Slots loaded or written in this transaction.
    pub storage: SlotMap<Slot>,
    /// Transient storage (EIP-1153).
    pub transient: SlotMap<U256>,
    /// Whether the account exists (false for placeholders that were only warmed or looked up).
    pub exists: bool,
    /// Warm (EIP-2929).
    pub warm: bool,
    /// Registered for self-destruction.
    pub destructed: bool,
    /// Touched: deleted at the end of the transaction when empty (EIP-161).
    pub erase_if_empty: bool,
    /// Created in this transaction (EIP-6780).
    pub just_created: bool,
    /// The pre-state has storage for this address (EIP-7610 collision rule).
    pub has_initial_storage: bool,
}

impl Account {
    fn absent() -> Self {
        Account {
            nonce: 0,
            balance: U256::ZERO,
            code: None,
            code_hash: EMPTY_CODE_HASH,
            storage: SlotMap::default(),
            transient: SlotMap::default(),
            exists: false,
            warm: false,
            destructed: false,
            erase_if_empty: false,
            just_created: false,
            has_initial_storage: false,
        }
    }

    fn from_pre(pre: &PreAccount) -> Self {
        Account {
            nonce: pre.nonce,
            balance: pre.balance,
            code: pre.code.clone(),
            code_hash: pre.code_hash,
            exists: true,
            has_initial_storage: !pre.storage.is_empty(),
            ..Account::absent()
        }
    }

    /// EIP-161 emptiness: no nonce, no balance, no code.
    pub fn is_empty(&self) -> bool {
        self.nonce == 0 && self.balance.is_zero() && self.code.is_none()
    }

    /// The code bytes (empty when none).
    pub fn code_bytes(&self) -> &[u8] {
        self.code.as_deref().map(|c| c.code()).unwrap_or(&[])
    }
}

/// What a create overwrote, to restore it on revert.
#[derive(Debug)]
pub struct CreatedPrev {
    exists: bool,
    nonce: u64,
    code: Option<Arc<AnalyzedCode>>,
    code_hash: B256,
    just_created: bool,
}

/// One undoable change.
#[derive(Debug)]
enum Entry {
    Balance(Address, U256),
    Nonce(Address, u64),
    Storage(Address, U256, U256),
    StorageWarm(Address, U256),
    Transient(Address, U256, U256),
    AccountWarm(Address),
    Touched(Address),
    Destructed(Address),
    Exists(Address),
    Created(Address, Box<CreatedPrev>),
    Code(Address, Option<Arc<AnalyzedCode>>, B256),
}

/// A log record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// Emitting account.
    pub address: Address,
    /// Topics (0 to 4).
    pub topics: Vec<B256>,
    /// Data.
    pub data: Bytes,
}

/// The world state of one transaction: the pre-state plus journaled changes.
#[derive(Debug)]
pub struct State<'a> {
    pre: &'a PreState,
    accounts: AddressMap<Account>,
    journal: Vec<Entry>,
}

impl<'a> State<'a> {
    /// A state with no changes over `pre`.
    pub fn new(pre: &'a PreState) -> Self {
        State {
            pre,
            accounts: AddressMap::default(),
            journal: Vec::with_capacity(64),
        }
    }

    /// The pre-state below.
    pub fn pre(&self) -> &'a PreState {
        self.pre
    }

    /// The accounts loaded or changed so far (including placeholders that do not exist).
    pub fn loaded_accounts(&self) -> impl Iterator<Item = (&Address, &Account)> {
        self.accounts.iter()
    }

    /// The account's entry if it was loaded in this transaction (no loading).
    pub fn peek(&self, addr: &Address) -> Option<&Account> {
        self.accounts.get(addr)
    }

    /// Loads the account's entry (a non-existing placeholder when absent).
    #[inline]
    pub fn load(&mut self, addr: &Address) -> &mut Account {
        let pre = self.pre;
        self.accounts
            .entry(*addr)
            .or_insert_with(|| match pre.get(addr) {
                Some(p) => Account::from_pre(p),
                None => Account::absent(),
            })
    }

    /// The account if it exists.
    #[inline]
    pub fn find(&mut self, addr: &Address) -> Option<&mut Account> {
        let a = self.load(addr);
        a.exists.then_some(a)
    }

    /// The account, created (empty) when it does not exist.
    pub fn get_or_create(&mut self, addr: &Address) -> &mut Account {
        let pre = self.pre;
        let acc = self
            .accounts
            .entry(*addr)
            .or_insert_with(|| match pre.get(addr) {
                Some(p) => Account::from_pre(p),
                None => Account::absent(),
            });
        if !acc.exists {
            acc.exists = true;
            self.journal.push(Entry::Exists(*addr));
        }
        acc
    }

    /// Touches the account (EIP-161), creating it when absent.
    pub fn touch(&mut self, addr: &Address) {
        self.get_or_create(addr);
        let acc = self.accounts.get_mut(addr).expect("just created");
        if !acc.erase_if_empty {
            acc.erase_if_empty = true;
            self.journal.push(Entry::Touched(*addr));
        }
    }

    /// Sets the balance (creating the account when absent).
    pub fn set_balance(&mut self, addr: &Address, balance: U256) {
        let acc = self.get_or_create(addr);
        let old = std::mem::replace(&mut acc.balance, balance);
        self.journal.push(Entry::Balance(*addr, old));
    }

    /// Adds to the balance (creating the account when absent), wrapping never happens for valid
    /// transactions: the total supply fits 256 bits.
    pub fn add_balance(&mut self, addr: &Address, value: U256) {
        let b = self.get_or_create(addr).balance;
        self.set_balance(addr, b.saturating_add(value));
    }

    /// Subtracts from the balance; false (and no change) when it is too low.
    pub fn sub_balance(&mut self, addr: &Address, value: U256) -> bool {
        let b = self.load(addr).balance;
        match b.checked_sub(value) {
            Some(nb) => {
                self.set_balance(addr, nb);
                true
            }
            None => false,
        }
    }

    /// Sets the nonce.
    pub fn set_nonce(&mut self, addr: &Address, nonce: u64) {
        let acc = self.get_or_create(addr);
        let old = std::mem::replace(&mut acc.nonce, nonce);
        self.journal.push(Entry::Nonce(*addr, old));
    }

    /// Sets the code.
    pub fn set_code(&mut self, addr: &Address, code: &[u8]) {
        let (code, hash) = make_code(code);
        let acc = self.get_or_create(addr);
        let old_code = std::mem::replace(&mut acc.code, code);
        let old_hash = std::mem::replace(&mut acc.code_hash, hash);
        self.journal.push(Entry::Code(*addr, old_code, old_hash));
    }

    /// Marks the account warm; returns whether it was warm before.
    pub fn warm_account(&mut self, addr: &Address) -> bool {
        let acc = self.load(addr);
        if acc.warm {
            return true;
        }
        acc.warm = true;
        self.journal.push(Entry::AccountWarm(*addr));
        false
    }

    #[inline]
    fn slot(&mut self, addr: &Address, key: &U256) -> &mut Slot {
        let pre = self.pre;
        let acc = self.load(addr);
        acc.storage.entry(*key).or_insert_with(|| {
            let v = pre
                .get(addr)
                .and_then(|p| p.storage.get(key).copied())
                .unwrap_or_default();
            Slot {
                original: v,
                current: v,
                warm: false,
            }
        })
    }

    /// The slot's original and current values.
    pub fn storage(&mut self, addr: &Address, key: &U256) -> Slot {
        *self.slot(addr, key)
    }

    /// Writes a slot; returns the slot as it was before.
    pub fn set_storage(&mut self, addr: &Address, key: &U256, value: U256) -> Slot {
        let slot = self.slot(addr, key);
        let before = *slot;
        slot.current = value;
        self.journal
            .push(Entry::Storage(*addr, *key, before.current));
        before
    }

    /// Marks the slot warm; returns whether it was warm before.
    pub fn warm_storage(&mut self, addr: &Address, key: &U256) -> bool {
        let slot = self.slot(addr, key);
        if slot.warm {
            return true;
        }
        slot.warm = true;
        self.journal.push(Entry::StorageWarm(*addr, *key));
        false
    }

    /// Reads transient storage.
    pub fn transient(&mut self, addr: &Address, key: &U256) -> U256 {
        self.accounts
            .get(addr)
            .and_then(|a| a.transient.get(key).copied())
            .unwrap_or_default()
    }

    /// Writes transient storage.
    pub fn set_transient(&mut self, addr: &Address, key: &U256, value: U256) {
        let acc = self.load(addr);
        let old = acc.transient.insert(*key, value).unwrap_or_default();
        self.journal.push(Entry::Transient(*addr, *key, old));
    }

    /// Registers the account for destruction; returns true the first time.
    pub fn mark_destructed(&mut self, addr: &Address) -> bool {
        let acc = self.load(addr);
        if acc.destructed {
            return false;
        }
        acc.destructed = true;
        self.journal.push(Entry::Destructed(*addr));
        true
    }

    /// Turns the account into a freshly created contract account (keeping its balance): nonce
    /// `nonce`, no code, created in this transaction.
    pub fn create_account(&mut self, addr: &Address, nonce: u64) {
        let acc = self.load(addr);
        let prev = CreatedPrev {
            exists: acc.exists,
            nonce: acc.nonce,
            code: acc.code.take(),
            code_hash: acc.code_hash,
            just_created: acc.just_created,
        };
        acc.exists = true;
        acc.nonce = nonce;
        acc.code_hash = EMPTY_CODE_HASH;
        acc.just_created = true;
        self.journal.push(Entry::Created(*addr, Box::new(prev)));
    }

    /// A checkpoint to revert to.
    #[inline]
    pub fn checkpoint(&self) -> usize {
        self.journal.len()
    }

    /// Undoes every change made after `checkpoint`.
    pub fn rollback(&mut self, checkpoint: usize) {
        while self.journal.len() > checkpoint {
            let e = self.journal.pop().expect("non-empty journal");
            // Every journaled address is in the map (entries are pushed after loading).
            match e {
                Entry::Balance(a, v) => self.loaded(&a).balance = v,
                Entry::Nonce(a, v) => self.loaded(&a).nonce = v,
                Entry::Storage(a, k, v) => {
                    if let Some(s) = self.loaded(&a).storage.get_mut(&k) {
                        s.current = v;
                    }
                }
                Entry::StorageWarm(a, k) => {
                    if let Some(s) = self.loaded(&a).storage.get_mut(&k) {
                        s.warm = false;
                    }
                }
                Entry::Transient(a, k, v) => {
                    self.loaded(&a).transient.insert(k, v);
                }
                Entry::AccountWarm(a) => self.loaded(&a).warm = false,
                Entry::Touched(a) => self.loaded(&a).erase_if_empty = false,
                Entry::Destructed(a) => self.loaded(&a).destructed = false,
                Entry::Exists(a) => self.loaded(&a).exists = false,
                Entry::Created(a, p) => {
                    let acc = self.loaded(&a);
                    acc.exists = p.exists;
                    acc.nonce = p.nonce;
                    acc.code = p.code;
                    acc.code_hash = p.code_hash;
                    acc.just_created = p.just_created;
                }
                Entry::Code(a, c, h) => {
                    let acc = self.loaded(&a);
                    acc.code = c;
                    acc.code_hash = h;
                }
            }
        }
    }

    #[inline]
    fn loaded(&mut self, addr: &Address) -> &mut Account {
        self.load(addr)
    }

    /// The accounts of the final state, after the end-of-transaction rules: self-destructed
    /// accounts removed, and (when `clear_empty`, i.e. from Spurious Dragon on) touched empty
    /// accounts removed. Calls `f` for every surviving account with its full storage view.
    pub fn for_each_final_account(
        &self,
        clear_empty: bool,
        mut f: impl FnMut(&Address, FinalAccount<'_>),
    ) {
        for (addr, pre) in self.pre.accounts.iter() {
            if self.accounts.contains_key(addr) {
                continue;
            }
            f(
                addr,
                FinalAccount {
                    hashed_address: pre.hashed_address,
                    nonce: pre.nonce,
                    balance: pre.balance,
                    code_hash: pre.code_hash,
                    pre: Some(pre),
                    changed: None,
                },
            );
        }
        for (addr, acc) in self.accounts.iter() {
            if !acc.exists || acc.destructed {
                continue;
            }
            if clear_empty && acc.erase_if_empty && acc.is_empty() {
                continue;
            }
            let pre = self.pre.get(addr);
            f(
                addr,
                FinalAccount {
                    hashed_address: pre
                        .map(|p| p.hashed_address)
                        .unwrap_or_else(|| keccak256(addr)),
                    nonce: acc.nonce,
                    balance: acc.balance,
                    code_hash: acc.code_hash,
                    pre,
                    changed: Some(&acc.storage),
                },
            );
        }
    }
}

/// An account of the final state, as given by [`State::for_each_final_account`].
pub struct FinalAccount<'s> {
    /// keccak256 of the address.
    pub hashed_address: B256,
    /// Nonce.
    pub nonce: u64,
    /// Balance.
    pub balance: U256,
    /// Code hash.
    pub code_hash: B256,
    /// The pre-state account, when there was one.
    pub pre: Option<&'s PreAccount>,
    /// Slots loaded or written in the transaction.
    pub changed: Option<&'s SlotMap<Slot>>,
}

impl FinalAccount<'_> {
    /// The storage root of the final account.
    pub fn storage_root(&self) -> B256 {
        let dirty = self
            .changed
            .is_some_and(|m| m.values().any(|s| s.current != s.original));
        match (self.pre, dirty) {
            (Some(pre), false) => pre.storage_root(),
            (None, false) => crate::trie::EMPTY_ROOT,
            (pre, true) => {
                let changed = self.changed.expect("dirty implies changed");
                let mut all: SlotMap<U256> = pre.map(|p| p.storage.clone()).unwrap_or_default();
                for (k, s) in changed.iter() {
                    if s.current != s.original {
                        if s.current.is_zero() {
                            all.remove(k);
                        } else {
                            all.insert(*k, s.current);
                        }
                    }
                }
                crate::trie::storage_root(all.into_iter())
            }
        }
    }

    /// The final storage (non-zero values), for dumps.
    pub fn storage(&self) -> SlotMap<U256> {
        let mut all: SlotMap<U256> = self.pre.map(|p| p.storage.clone()).unwrap_or_default();
        if let Some(changed) = self.changed {
            for (k, s) in changed.iter() {
                if s.current.is_zero() {
                    all.remove(k);
                } else {
                    all.insert(*k, s.current);
                }
            }
        }
        all
    }
}
