//! A minimal in-memory host for benchmarks: one contract's world, kept in hash maps. It does
//! what evmone's benchmark host does: storage and transient storage in maps, EIP-2929 warm sets,
//! logs collected in a vector, a fixed block and transaction context; nested calls are not
//! executed (they succeed with no output and all their gas back).

use alloy_primitives::{address, Address, B256, U256};
use std::collections::{HashMap, HashSet};
use xvm_evm::{
    AccessStatus, CallKind, ExecResult, Host, Message, StatusCode, StorageStatus, TxContext,
};

/// The caller of every benchmark call.
pub const SENDER: Address = address!("a94f5374fce5edbc8e2a8697c15331677e6ebf0b");
/// The address whose code runs.
pub const RECIPIENT: Address = address!("be7c43a580000000000000000000000000000001");

/// The block and transaction context every benchmark call sees.
pub fn context() -> TxContext {
    TxContext {
        gas_price: U256::from(10),
        origin: SENDER,
        coinbase: Address::ZERO,
        number: 1,
        timestamp: 1000,
        gas_limit: 30_000_000,
        prev_randao: B256::ZERO,
        chain_id: U256::from(1),
        base_fee: U256::from(7),
        blob_base_fee: U256::from(1),
        blob_hashes: Vec::new(),
    }
}

/// The message of a benchmark call (input passed separately).
pub fn message() -> Message {
    Message {
        kind: CallKind::Call,
        gas: crate::GAS,
        recipient: RECIPIENT,
        sender: SENDER,
        code_address: RECIPIENT,
        ..Message::default()
    }
}

/// One emitted log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// The emitting account.
    pub address: Address,
    /// The topics.
    pub topics: Vec<B256>,
    /// The data.
    pub data: Vec<u8>,
}

/// The in-memory host. A fresh one per call: storage starts empty, only the sender and recipient
/// are warm.
pub struct MemHost {
    ctx: TxContext,
    /// Current storage, with each slot's value at the start of the call.
    storage: HashMap<(Address, U256), (U256, U256)>,
    transient: HashMap<(Address, U256), U256>,
    warm_accounts: HashSet<Address>,
    warm_slots: HashSet<(Address, U256)>,
    /// The logs emitted so far.
    pub logs: Vec<Log>,
}

impl Default for MemHost {
    fn default() -> Self {
        Self::new()
    }
}

impl MemHost {
    /// A fresh host with [`context`].
    pub fn new() -> Self {
        MemHost {
            ctx: context(),
            storage: HashMap::new(),
            transient: HashMap::new(),
            warm_accounts: [SENDER, RECIPIENT].into_iter().collect(),
            warm_slots: HashSet::new(),
            logs: Vec::new(),
        }
    }
}

impl Host for MemHost {
    fn account_exists(&mut self, addr: &Address) -> bool {
        *addr == SENDER || *addr == RECIPIENT
    }

    fn get_storage(&mut self, addr: &Address, key: &U256) -> U256 {
        self.storage
            .get(&(*addr, *key))
            .map(|s| s.1)
            .unwrap_or_default()
    }

    fn set_storage(&mut self, addr: &Address, key: &U256, value: &U256) -> StorageStatus {
        let slot = self.storage.entry((*addr, *key)).or_default();
        let status = StorageStatus::classify(&slot.0, &slot.1, value);
        slot.1 = *value;
        status
    }

    fn get_balance(&mut self, _addr: &Address) -> U256 {
        U256::ZERO
    }

    fn get_code_size(&mut self, _addr: &Address) -> usize {
        0
    }

    fn get_code_hash(&mut self, _addr: &Address) -> B256 {
        B256::ZERO
    }

    fn copy_code(&mut self, _addr: &Address, _offset: usize, _buf: &mut [u8]) -> usize {
        0
    }

    fn selfdestruct(&mut self, _addr: &Address, _beneficiary: &Address) -> bool {
        true
    }

    fn call(&mut self, msg: &Message) -> ExecResult {
        ExecResult {
            status: StatusCode::Success,
            gas_left: msg.gas,
            gas_refund: 0,
            output: Default::default(),
            create_address: None,
        }
    }

    fn get_tx_context(&mut self) -> &TxContext {
        &self.ctx
    }

    fn get_block_hash(&mut self, _number: i64) -> B256 {
        B256::ZERO
    }

    fn emit_log(&mut self, addr: &Address, topics: &[B256], data: &[u8]) {
        self.logs.push(Log {
            address: *addr,
            topics: topics.to_vec(),
            data: data.to_vec(),
        });
    }

    fn access_account(&mut self, addr: &Address) -> AccessStatus {
        if self.warm_accounts.insert(*addr) {
            AccessStatus::Cold
        } else {
            AccessStatus::Warm
        }
    }

    fn access_storage(&mut self, addr: &Address, key: &U256) -> AccessStatus {
        if self.warm_slots.insert((*addr, *key)) {
            AccessStatus::Cold
        } else {
            AccessStatus::Warm
        }
    }

    fn get_transient_storage(&mut self, addr: &Address, key: &U256) -> U256 {
        self.transient
            .get(&(*addr, *key))
            .copied()
            .unwrap_or_default()
    }

    fn set_transient_storage(&mut self, addr: &Address, key: &U256, value: &U256) {
        self.transient.insert((*addr, *key), *value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_status_and_warmth() {
        let mut h = MemHost::new();
        let k = U256::from(1);
        assert_eq!(h.access_storage(&RECIPIENT, &k), AccessStatus::Cold);
        assert_eq!(h.access_storage(&RECIPIENT, &k), AccessStatus::Warm);
        assert_eq!(
            h.set_storage(&RECIPIENT, &k, &U256::from(5)),
            StorageStatus::Added
        );
        assert_eq!(h.get_storage(&RECIPIENT, &k), U256::from(5));
        assert_eq!(
            h.set_storage(&RECIPIENT, &k, &U256::ZERO),
            StorageStatus::AddedDeleted
        );
        assert_eq!(h.access_account(&RECIPIENT), AccessStatus::Warm);
        assert_eq!(h.access_account(&Address::ZERO), AccessStatus::Cold);
        h.set_transient_storage(&RECIPIENT, &k, &U256::from(7));
        assert_eq!(h.get_transient_storage(&RECIPIENT, &k), U256::from(7));
    }
}
