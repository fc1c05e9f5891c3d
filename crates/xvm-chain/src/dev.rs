//! Development controls, as anvil and hardhat offer them: set an account's balance, nonce, code
//! or storage; snapshot the chain and revert to it; move block time.

use alloy_primitives::{Address, Bytes, B256, U256};
use xvm_ethereum::state::SlotMap;
use xvm_ethereum::{PreAccount, PreState};
use xvm_store::Reader;

use crate::chain::{corrupt, read_u64_or, to_json, Chain};
use crate::mining::PRESTATES;
use crate::records::BlockRecord;
use crate::tables::*;
use crate::ChainError;

/// The chain as it was at one moment: head block and whole world state.
pub struct Snapshot {
    head: BlockRecord,
    accounts: Vec<(Address, PreAccount)>,
}

/// An independent copy of an account (its code shared, its storage copied).
pub(crate) fn copy(p: &PreAccount) -> PreAccount {
    let mut a = PreAccount::new(p.nonce, p.balance, &[], p.storage.clone());
    a.code = p.code.clone();
    a.code_hash = p.code_hash;
    a
}

impl Chain {
    fn edit(&mut self, addr: &Address, f: impl FnOnce(&mut PreAccount)) -> Result<(), ChainError> {
        let mut acc = self
            .pre
            .get(addr)
            .map(copy)
            .unwrap_or_else(|| PreAccount::new(0, U256::ZERO, &[], SlotMap::default()));
        let before: SlotMap<U256> = acc.storage.clone();
        f(&mut acc);
        let mut w = self.store.write()?;
        w.put(
            ACCOUNTS,
            addr.as_slice(),
            &encode_account(acc.nonce, acc.balance, acc.code_hash),
        )?;
        if let Some(code) = &acc.code {
            w.put(CODE, acc.code_hash.as_slice(), code.code())?;
        }
        for (k, v) in acc.storage.iter() {
            if before.get(k) != Some(v) {
                w.put(STORAGE, &storage_key(addr, k), &v.to_be_bytes::<32>())?;
            }
        }
        for k in before.keys().filter(|k| !acc.storage.contains_key(*k)) {
            w.delete(STORAGE, &storage_key(addr, k))?;
        }
        w.commit()?;
        let storage = std::mem::take(&mut acc.storage);
        self.tries.remove_account(addr);
        let mut fresh = PreAccount::new(acc.nonce, acc.balance, &[], storage);
        fresh.code = acc.code;
        fresh.code_hash = acc.code_hash;
        self.pre.insert(*addr, fresh);
        Ok(())
    }

    /// Sets an account's balance (no block is mined).
    pub fn set_balance(&mut self, addr: &Address, balance: U256) -> Result<(), ChainError> {
        self.edit(addr, |a| a.balance = balance)
    }

    /// Sets an account's nonce.
    pub fn set_nonce(&mut self, addr: &Address, nonce: u64) -> Result<(), ChainError> {
        self.edit(addr, |a| a.nonce = nonce)
    }

    /// Sets an account's code.
    pub fn set_code(&mut self, addr: &Address, code: &Bytes) -> Result<(), ChainError> {
        let (analysed, hash) = xvm_ethereum::state::make_code(code);
        self.edit(addr, |a| {
            a.code = analysed;
            a.code_hash = hash;
        })
    }

    /// Sets one storage slot (zero deletes it).
    pub fn set_storage(
        &mut self,
        addr: &Address,
        slot: U256,
        value: U256,
    ) -> Result<(), ChainError> {
        self.edit(addr, |a| {
            if value.is_zero() {
                a.storage.remove(&slot);
            } else {
                a.storage.insert(slot, value);
            }
        })
    }

    /// Moves the clock of future blocks forward by `secs`; returns the total offset.
    pub fn increase_time(&mut self, secs: i64) -> Result<i64, ChainError> {
        self.config.time_offset = self.config.time_offset.saturating_add(secs);
        self.save_config()?;
        Ok(self.config.time_offset)
    }

    /// Fixes the next block's timestamp (it must be after the head's).
    pub fn set_next_timestamp(&mut self, ts: u64) -> Result<(), ChainError> {
        if ts <= self.head.timestamp {
            return Err(ChainError::Invalid(format!(
                "timestamp {ts} is not after the head's {}",
                self.head.timestamp
            )));
        }
        self.config.next_timestamp = Some(ts);
        self.save_config()
    }

    fn save_config(&mut self) -> Result<(), ChainError> {
        let mut w = self.store.write()?;
        w.put(META, KEY_CONFIG, &to_json(&self.config))?;
        w.commit()?;
        Ok(())
    }

    /// The chain as it is now.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            head: self.head.clone(),
            accounts: self
                .pre
                .accounts
                .iter()
                .map(|(a, p)| (*a, copy(p)))
                .collect(),
        }
    }

    /// Puts the chain back to `snap`: later blocks, transactions and state changes are gone.
    pub fn revert(&mut self, snap: &Snapshot) -> Result<(), ChainError> {
        let n = snap.head.number;
        if n > self.head.number || self.hashes.get(n as usize) != Some(&snap.head.hash) {
            return Err(ChainError::Invalid(
                "the snapshot is not on this chain".into(),
            ));
        }
        let mut w = self.store.write()?;
        for b in (n + 1)..=self.head.number {
            let key = u64_be(b);
            let rec: BlockRecord = match w.get(BLOCKS, &key)? {
                Some(v) => {
                    serde_json::from_slice(&v).map_err(|e| corrupt(format!("block: {e}")))?
                }
                None => continue,
            };
            for h in &rec.transactions {
                w.delete(TXS, h.as_slice())?;
                w.delete(PRESTATES, h.as_slice())?;
            }
            w.delete(BLOCK_HASHES, rec.hash.as_slice())?;
            w.delete(BLOCKS, &key)?;
        }
        w.delete_prefix(ACCOUNTS, &[])?;
        w.delete_prefix(STORAGE, &[])?;
        let mut pre = PreState::new();
        for (addr, acc) in &snap.accounts {
            w.put(
                ACCOUNTS,
                addr.as_slice(),
                &encode_account(acc.nonce, acc.balance, acc.code_hash),
            )?;
            for (k, v) in acc.storage.iter() {
                w.put(STORAGE, &storage_key(addr, k), &v.to_be_bytes::<32>())?;
            }
            pre.insert(*addr, copy(acc));
        }
        w.put(META, KEY_HEAD, &u64_be(n))?;
        w.commit()?;
        self.pre = pre;
        self.tries.clear();
        self.hashes.truncate(n as usize + 1);
        self.head = snap.head.clone();
        Ok(())
    }

    /// The hash of block `n`, if mined.
    pub fn block_hash(&self, n: u64) -> Option<B256> {
        self.hashes.get(n as usize).copied()
    }

    /// The head block number as stored (for checks after a crash).
    pub fn stored_head(&self) -> Result<u64, ChainError> {
        read_u64_or(self.store.read()?.get(META, KEY_HEAD)?)
    }
}
