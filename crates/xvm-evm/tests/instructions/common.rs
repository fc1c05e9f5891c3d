//! A small in-memory host for the engine's tests: accounts, storage with original values,
//! warm sets, transient storage, logs and nested calls (no journal: enough for unit tests).
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use xvm_evm::*;

#[derive(Clone, Default)]
pub struct Account {
    pub balance: U256,
    pub code: Bytes,
    pub storage: HashMap<U256, (U256, U256)>,
}

pub struct TestHost {
    pub rev: Revision,
    pub accounts: HashMap<Address, Account>,
    pub tx: TxContext,
    pub logs: Vec<(Address, Vec<B256>, Bytes)>,
    pub warm_accounts: HashSet<Address>,
    pub warm_slots: HashSet<(Address, U256)>,
    pub transient: HashMap<(Address, U256), U256>,
    pub destructed: Vec<(Address, Address)>,
    pub calls: Vec<Message>,
    pub max_depth_seen: i32,
    /// What [`Host::memory_limit`] answers.
    pub memory_limit: u64,
}

pub const SENDER: Address = Address::new([0x11; 20]);
pub const CONTRACT: Address = Address::new([0xcc; 20]);

impl TestHost {
    pub fn new(rev: Revision) -> Self {
        let mut h = TestHost {
            rev,
            accounts: HashMap::new(),
            tx: TxContext {
                gas_price: U256::from(7),
                origin: SENDER,
                coinbase: Address::new([0xcb; 20]),
                number: 1000,
                timestamp: 1_700_000_000,
                gas_limit: 30_000_000,
                prev_randao: B256::repeat_byte(0x42),
                chain_id: U256::from(1),
                base_fee: U256::from(10),
                blob_base_fee: U256::from(1),
                blob_hashes: vec![B256::repeat_byte(0x01)],
            },
            logs: vec![],
            warm_accounts: HashSet::new(),
            warm_slots: HashSet::new(),
            transient: HashMap::new(),
            destructed: vec![],
            calls: vec![],
            max_depth_seen: 0,
            memory_limit: MAX_MEMORY_SIZE,
        };
        h.warm_accounts.insert(SENDER);
        h.warm_accounts.insert(CONTRACT);
        h
    }

    pub fn set_code(&mut self, addr: Address, code: &[u8]) {
        self.accounts.entry(addr).or_default().code = Bytes::copy_from_slice(code);
    }

    pub fn storage(&self, addr: Address, key: u64) -> U256 {
        self.accounts
            .get(&addr)
            .and_then(|a| a.storage.get(&U256::from(key)))
            .map_or(U256::ZERO, |s| s.1)
    }

    pub fn set_original(&mut self, addr: Address, key: u64, value: u64) {
        let v = U256::from(value);
        self.accounts
            .entry(addr)
            .or_default()
            .storage
            .insert(U256::from(key), (v, v));
    }
}

impl Host for TestHost {
    fn account_exists(&mut self, addr: &Address) -> bool {
        match self.accounts.get(addr) {
            None => false,
            Some(a) => {
                self.rev < Revision::SpuriousDragon || !a.balance.is_zero() || !a.code.is_empty()
            }
        }
    }
    fn get_storage(&mut self, addr: &Address, key: &U256) -> U256 {
        self.accounts
            .get(addr)
            .and_then(|a| a.storage.get(key))
            .map_or(U256::ZERO, |s| s.1)
    }
    fn set_storage(&mut self, addr: &Address, key: &U256, value: &U256) -> StorageStatus {
        let slot = self
            .accounts
            .entry(*addr)
            .or_default()
            .storage
            .entry(*key)
            .or_default();
        let status = StorageStatus::classify(&slot.0, &slot.1, value);
        slot.1 = *value;
        status
    }
    fn get_balance(&mut self, addr: &Address) -> U256 {
        self.accounts.get(addr).map_or(U256::ZERO, |a| a.balance)
    }
    fn get_code_size(&mut self, addr: &Address) -> usize {
        self.accounts.get(addr).map_or(0, |a| a.code.len())
    }
    fn get_code_hash(&mut self, addr: &Address) -> B256 {
        match self.accounts.get(addr) {
            Some(a) if !a.code.is_empty() || !a.balance.is_zero() => keccak256(&a.code),
            _ => B256::ZERO,
        }
    }
    fn copy_code(&mut self, addr: &Address, offset: usize, buf: &mut [u8]) -> usize {
        let code = self
            .accounts
            .get(addr)
            .map(|a| a.code.clone())
            .unwrap_or_default();
        if offset >= code.len() {
            return 0;
        }
        let n = (code.len() - offset).min(buf.len());
        buf[..n].copy_from_slice(&code[offset..offset + n]);
        n
    }
    fn selfdestruct(&mut self, addr: &Address, beneficiary: &Address) -> bool {
        let first = !self.destructed.iter().any(|(a, _)| a == addr);
        self.destructed.push((*addr, *beneficiary));
        first
    }
    fn call(&mut self, msg: &Message) -> ExecResult {
        self.calls.push(msg.clone());
        self.max_depth_seen = self.max_depth_seen.max(msg.depth);
        if msg.kind.is_create() {
            let addr = Address::new([0xee; 20]);
            let mut sub = msg.clone();
            sub.recipient = addr;
            let r = execute(self, self.rev, &sub, &msg.input.clone());
            if r.status.is_success() {
                self.set_code(addr, &r.output);
                return ExecResult {
                    create_address: Some(addr),
                    output: Bytes::new(),
                    ..r
                };
            }
            return r;
        }
        if !msg.value.is_zero() && msg.kind == CallKind::Call {
            self.accounts.entry(msg.sender).or_default().balance -= msg.value;
            self.accounts.entry(msg.recipient).or_default().balance += msg.value;
        }
        let code = self
            .accounts
            .get(&msg.code_address)
            .map(|a| a.code.clone())
            .unwrap_or_default();
        execute(self, self.rev, msg, &code)
    }
    fn get_tx_context(&mut self) -> &TxContext {
        &self.tx
    }
    fn get_block_hash(&mut self, number: i64) -> B256 {
        keccak256(number.to_string().as_bytes())
    }
    fn emit_log(&mut self, addr: &Address, topics: &[B256], data: &[u8]) {
        self.logs
            .push((*addr, topics.to_vec(), Bytes::copy_from_slice(data)));
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
    fn memory_limit(&self) -> u64 {
        self.memory_limit
    }
}

pub use alloy_primitives::keccak256;

/// Runs hex `code` as CONTRACT with `gas` in `rev`; returns the result and gas used.
pub fn run_with(host: &mut TestHost, code: &str, gas: i64) -> (ExecResult, i64) {
    let code = hex::decode(code).expect("test code hex");
    host.set_code(CONTRACT, &code);
    let msg = Message {
        gas,
        recipient: CONTRACT,
        sender: SENDER,
        code_address: CONTRACT,
        ..Message::default()
    };
    let rev = host.rev;
    let r = execute(host, rev, &msg, &code);
    let used = gas - r.gas_left;
    (r, used)
}

pub fn run(rev: Revision, code: &str) -> (ExecResult, i64) {
    run_with(&mut TestHost::new(rev), code, 1_000_000)
}

/// Runs code that leaves its answer in memory [0, 32) and returns it: appends
/// `PUSH1 32 PUSH1 0 RETURN` after an MSTORE at 0 of the stack top.
pub fn eval(rev: Revision, code: &str) -> U256 {
    let full = format!("{code}60005260206000f3");
    let (r, _) = run(rev, &full);
    assert_eq!(r.status, StatusCode::Success, "code {code}");
    U256::from_be_slice(&r.output)
}
