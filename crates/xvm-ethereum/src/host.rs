//! The engine's [`Host`]: calls, creates, precompiles, selfdestruct and everything else the
//! engine asks of the world, on top of the journaled [`State`].

use crate::state::{Log, State};
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use std::sync::Arc;
use xvm_evm::{
    AccessStatus, AnalyzedCode, CallKind, ExecResult, Host, Interpreter, Message, Revision,
    StatusCode, StorageStatus, TxContext, Vm, MAX_CODE_SIZE,
};

pub use xvm_evm::{delegate_of, DELEGATION_PREFIX};

/// The CREATE address: keccak256(rlp([sender, nonce]))[12..].
pub fn create_address(sender: &Address, nonce: u64) -> Address {
    use alloy_rlp::{Encodable, Header};
    let payload = sender.length() + nonce.length();
    let mut out = Vec::with_capacity(payload + 1);
    Header {
        list: true,
        payload_length: payload,
    }
    .encode(&mut out);
    sender.encode(&mut out);
    nonce.encode(&mut out);
    Address::from_slice(&keccak256(&out)[12..])
}

/// The CREATE2 address: keccak256(0xff ++ sender ++ salt ++ keccak256(init_code))[12..].
pub fn create2_address(sender: &Address, salt: &B256, init_code: &[u8]) -> Address {
    let mut buf = [0u8; 85];
    buf[0] = 0xff;
    buf[1..21].copy_from_slice(sender.as_slice());
    buf[21..53].copy_from_slice(salt.as_slice());
    buf[53..].copy_from_slice(keccak256(init_code).as_slice());
    Address::from_slice(&keccak256(buf)[12..])
}

/// BLOCKHASH as the state tests define it: keccak256 of the decimal block number.
pub fn test_block_hash(number: i64) -> B256 {
    keccak256(number.to_string().as_bytes())
}

const RIPEMD160: Address =
    Address::new([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]);

/// The world as the engine sees it during one transaction: state, logs, context and the VM that
/// runs nested frames. Works through `&mut self` only, so any [`Vm`] can drive it.
pub struct Evm<'a, V: Vm = Interpreter> {
    /// The journaled world state.
    pub state: State<'a>,
    /// Logs emitted so far.
    pub logs: Vec<Log>,
    vm: &'a V,
    rev: Revision,
    ctx: TxContext,
    /// Receives every step of every frame when set (e.g. an EIP-3155 tracer).
    pub tracer: Option<Box<dyn xvm_evm::Tracer + 'a>>,
    /// BLOCKHASH answers; `None`: [`test_block_hash`], as the state tests define it.
    pub block_hash: Option<&'a dyn Fn(u64) -> B256>,
}

impl<'a, V: Vm> Evm<'a, V> {
    /// A host over `state` for revision `rev`.
    pub fn new(state: State<'a>, vm: &'a V, rev: Revision, ctx: TxContext) -> Self {
        Evm {
            state,
            logs: Vec::new(),
            vm,
            rev,
            ctx,
            tracer: None,
            block_hash: None,
        }
    }

    /// The revision.
    pub fn revision(&self) -> Revision {
        self.rev
    }

    fn is_precompile(&self, addr: &Address) -> bool {
        xvm_evm_precompiles::is_precompile(addr, self.rev)
    }

    /// Undoes everything after the checkpoint `(journal, logs)`, keeping the historical quirk
    /// that a touch of 0x03 (RIPEMD-160) is never reverted.
    fn revert_to(&mut self, journal: usize, logs: usize) {
        let ripemd_touched = self.rev >= Revision::SpuriousDragon
            && self
                .state
                .peek(&RIPEMD160)
                .is_some_and(|acc| acc.exists && acc.erase_if_empty);
        self.state.rollback(journal);
        self.logs.truncate(logs);
        if ripemd_touched {
            self.state.touch(&RIPEMD160);
        }
    }

    fn code_of(&mut self, addr: &Address) -> Option<Arc<AnalyzedCode>> {
        self.state.find(addr).and_then(|a| a.code.clone())
    }

    fn run(&mut self, msg: &Message, code: &AnalyzedCode) -> ExecResult {
        let vm = self.vm;
        vm.execute(self, self.rev, msg, code)
    }

    /// Runs one message (call or create) with its checkpoint and revert.
    fn message(&mut self, msg: &Message) -> ExecResult {
        if msg.kind.is_create() {
            return self.create(msg);
        }
        let (journal, logs) = (self.state.checkpoint(), self.logs.len());
        let mut res = self.call_inner(msg);
        if res.status != StatusCode::Success {
            self.revert_to(journal, logs);
            res.gas_refund = 0;
        }
        res
    }

    fn call_inner(&mut self, msg: &Message) -> ExecResult {
        if msg.kind == CallKind::Call {
            if msg.value.is_zero() {
                self.state.touch(&msg.recipient);
            } else {
                if !self.state.sub_balance(&msg.sender, msg.value) {
                    return ExecResult {
                        gas_left: msg.gas,
                        ..ExecResult::failure(StatusCode::InsufficientBalance)
                    };
                }
                self.state.add_balance(&msg.recipient, msg.value);
                self.state.touch(&msg.recipient);
            }
        }
        if !msg.delegated && self.is_precompile(&msg.code_address) {
            return xvm_evm_precompiles::execute(&msg.code_address, &msg.input, msg.gas, self.rev);
        }
        let Some(code) = self.code_of(&msg.code_address) else {
            return success(msg.gas, 0, Bytes::new(), None);
        };
        if self.rev >= Revision::Prague && !msg.delegated {
            if let Some(delegate) = delegate_of(code.code()) {
                let Some(dcode) = self.code_of(&delegate) else {
                    return success(msg.gas, 0, Bytes::new(), None);
                };
                let mut m = msg.clone();
                m.delegated = true;
                m.code_address = delegate;
                return self.run(&m, &dcode);
            }
        }
        self.run(msg, &code)
    }

    fn create(&mut self, msg: &Message) -> ExecResult {
        let mut msg = msg.clone();
        if msg.depth > 0 {
            let nonce = self.state.load(&msg.sender).nonce;
            if nonce == u64::MAX {
                return ExecResult {
                    gas_left: msg.gas,
                    ..ExecResult::failure(StatusCode::Failure)
                };
            }
            self.state.set_nonce(&msg.sender, nonce + 1);
            msg.recipient = if msg.kind == CallKind::Create {
                create_address(&msg.sender, nonce)
            } else {
                create2_address(&msg.sender, &msg.salt, &msg.input)
            };
            if self.rev >= Revision::Berlin {
                self.state.warm_account(&msg.recipient);
            }
        }
        msg.code_address = msg.recipient;
        let addr = msg.recipient;
        let acc = self.state.load(&addr);
        if acc.exists && (acc.nonce != 0 || acc.code.is_some() || acc.has_initial_storage) {
            return ExecResult::failure(StatusCode::Failure);
        }
        let (journal, logs) = (self.state.checkpoint(), self.logs.len());
        let nonce = if self.rev >= Revision::SpuriousDragon {
            1
        } else {
            0
        };
        self.state.create_account(&addr, nonce);
        self.state.touch(&addr);
        if !msg.value.is_zero() {
            if !self.state.sub_balance(&msg.sender, msg.value) {
                self.revert_to(journal, logs);
                return ExecResult {
                    gas_left: msg.gas,
                    ..ExecResult::failure(StatusCode::InsufficientBalance)
                };
            }
            self.state.add_balance(&addr, msg.value);
        }
        let init_code = AnalyzedCode::new(&msg.input);
        msg.input = Bytes::new();
        let res = if init_code.is_empty() {
            success(msg.gas, 0, Bytes::new(), None)
        } else {
            self.run(&msg, &init_code)
        };
        if res.status != StatusCode::Success {
            self.revert_to(journal, logs);
            return ExecResult {
                gas_refund: 0,
                ..res
            };
        }
        let code = res.output;
        if self.rev >= Revision::London && code.first() == Some(&0xef) {
            self.revert_to(journal, logs);
            return ExecResult::failure(StatusCode::ContractValidationFailure);
        }
        if self.rev >= Revision::SpuriousDragon && code.len() > MAX_CODE_SIZE {
            self.revert_to(journal, logs);
            return ExecResult::failure(StatusCode::OutOfGas);
        }
        let cost = code.len() as i64 * 200;
        if res.gas_left < cost {
            if self.rev == Revision::Frontier {
                return success(res.gas_left, res.gas_refund, Bytes::new(), Some(addr));
            }
            self.revert_to(journal, logs);
            return ExecResult::failure(StatusCode::OutOfGas);
        }
        if !code.is_empty() {
            self.state.set_code(&addr, &code);
        }
        success(
            res.gas_left - cost,
            res.gas_refund,
            Bytes::new(),
            Some(addr),
        )
    }
}

fn success(gas_left: i64, gas_refund: i64, output: Bytes, create: Option<Address>) -> ExecResult {
    ExecResult {
        status: StatusCode::Success,
        gas_left,
        gas_refund,
        output,
        create_address: create,
    }
}

impl<V: Vm> Host for Evm<'_, V> {
    fn account_exists(&mut self, addr: &Address) -> bool {
        let rev = self.rev;
        self.state
            .find(addr)
            .is_some_and(|a| rev < Revision::SpuriousDragon || !a.is_empty())
    }

    fn get_storage(&mut self, addr: &Address, key: &U256) -> U256 {
        self.state.storage(addr, key).current
    }

    fn set_storage(&mut self, addr: &Address, key: &U256, value: &U256) -> StorageStatus {
        let before = self.state.storage(addr, key);
        let status = StorageStatus::classify(&before.original, &before.current, value);
        if before.current != *value {
            self.state.set_storage(addr, key, *value);
        }
        status
    }

    fn get_balance(&mut self, addr: &Address) -> U256 {
        self.state.find(addr).map(|a| a.balance).unwrap_or_default()
    }

    fn get_code_size(&mut self, addr: &Address) -> usize {
        self.state
            .find(addr)
            .map(|a| a.code_bytes().len())
            .unwrap_or(0)
    }

    fn get_code_hash(&mut self, addr: &Address) -> B256 {
        match self.state.find(addr) {
            Some(a) if !a.is_empty() => a.code_hash,
            _ => B256::ZERO,
        }
    }

    fn copy_code(&mut self, addr: &Address, offset: usize, buf: &mut [u8]) -> usize {
        let Some(acc) = self.state.find(addr) else {
            return 0;
        };
        let code = acc.code_bytes();
        if offset >= code.len() {
            return 0;
        }
        let n = buf.len().min(code.len() - offset);
        buf[..n].copy_from_slice(&code[offset..offset + n]);
        n
    }

    fn selfdestruct(&mut self, addr: &Address, beneficiary: &Address) -> bool {
        let balance = self.state.load(addr).balance;
        let just_created = self.state.load(addr).just_created;
        self.state.touch(beneficiary);
        if self.rev >= Revision::Cancun && !just_created {
            if addr != beneficiary {
                self.state.set_balance(addr, U256::ZERO);
                self.state.add_balance(beneficiary, balance);
            }
            return false;
        }
        if addr != beneficiary {
            self.state.add_balance(beneficiary, balance);
        }
        self.state.set_balance(addr, U256::ZERO);
        self.state.mark_destructed(addr)
    }

    fn call(&mut self, msg: &Message) -> ExecResult {
        if let Some(t) = self.tracer.as_mut() {
            t.on_call_start(msg);
            let res = self.message(msg);
            if let Some(t) = self.tracer.as_mut() {
                t.on_call_end(&res);
            }
            return res;
        }
        self.message(msg)
    }

    fn get_tx_context(&mut self) -> &TxContext {
        &self.ctx
    }

    fn get_block_hash(&mut self, number: i64) -> B256 {
        match (self.block_hash, u64::try_from(number)) {
            (Some(f), Ok(n)) => f(n),
            (Some(_), Err(_)) => B256::ZERO,
            (None, _) => test_block_hash(number),
        }
    }

    fn emit_log(&mut self, addr: &Address, topics: &[B256], data: &[u8]) {
        self.logs.push(Log {
            address: *addr,
            topics: topics.to_vec(),
            data: Bytes::copy_from_slice(data),
        });
    }

    fn access_account(&mut self, addr: &Address) -> AccessStatus {
        if self.rev < Revision::Berlin || self.is_precompile(addr) {
            return AccessStatus::Warm;
        }
        if self.state.warm_account(addr) {
            AccessStatus::Warm
        } else {
            AccessStatus::Cold
        }
    }

    fn access_storage(&mut self, addr: &Address, key: &U256) -> AccessStatus {
        if self.rev < Revision::Berlin {
            return AccessStatus::Warm;
        }
        if self.state.warm_storage(addr, key) {
            AccessStatus::Warm
        } else {
            AccessStatus::Cold
        }
    }

    fn get_transient_storage(&mut self, addr: &Address, key: &U256) -> U256 {
        self.state.transient(addr, key)
    }

    fn set_transient_storage(&mut self, addr: &Address, key: &U256, value: &U256) {
        self.state.set_transient(addr, key, *value);
    }

    fn tracing(&self) -> bool {
        self.tracer.is_some()
    }

    fn on_step(&mut self, step: &xvm_evm::trace::Step<'_>) {
        if let Some(t) = self.tracer.as_mut() {
            t.on_step(step);
        }
    }

    fn on_frame_end(&mut self, depth: i32, result: &ExecResult) {
        if let Some(t) = self.tracer.as_mut() {
            t.on_frame_end(depth, result);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256};

    #[test]
    fn addresses() {
        let s = address!("6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0");
        assert_eq!(
            create_address(&s, 0),
            address!("cd234a471b72ba2f1ccf0a70fcaba648a5eecd8d")
        );
        assert_eq!(
            create_address(&s, 1),
            address!("343c43a37d37dff08ae8c4a11544c718abb4fcf8")
        );
        // EIP-1014 example 1.
        assert_eq!(
            create2_address(&Address::ZERO, &B256::ZERO, &[0x00]),
            address!("4d1a2e2bb4f88f0250f26ffff098b0b30b26bf38")
        );
        // EIP-1014 example 5.
        assert_eq!(
            create2_address(
                &address!("00000000000000000000000000000000deadbeef"),
                &b256!("00000000000000000000000000000000000000000000000000000000cafebabe"),
                &alloy_primitives::hex!("deadbeef")
            ),
            address!("60f3f640a8508fC6a86d45DF051962668E1e8AC7")
        );
    }

    #[test]
    fn delegation_designator() {
        let mut code = vec![0xef, 0x01, 0x00];
        code.extend_from_slice(&[0x11; 20]);
        assert_eq!(delegate_of(&code), Some(Address::repeat_byte(0x11)));
        assert_eq!(delegate_of(&code[..22]), None);
        code[2] = 1;
        assert_eq!(delegate_of(&code), None);
    }

    #[test]
    fn block_hash_is_keccak_of_decimal() {
        assert_eq!(test_block_hash(12), keccak256(b"12"));
    }
}
