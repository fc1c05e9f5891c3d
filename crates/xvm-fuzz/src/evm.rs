//! EVM targets: bytecode execution, the differential check against revm, and the EVMC C ABI.

use crate::bytes::Bytes;
use alloy_primitives::{Address, B256, U256};
use xvm_ethereum::state::SlotMap;
use xvm_ethereum::tx::{BlockEnv, Transaction, TxType};
use xvm_ethereum::{execute_transaction, PreAccount, PreState};
use xvm_evm::{
    AccessStatus, CallKind, ExecResult, Host, Interpreter, Message, Revision, StatusCode,
    StorageStatus, TxContext,
};

const SENDER: Address = Address::repeat_byte(0x5e);
const CONTRACT: Address = Address::repeat_byte(0xc0);

/// Input: `[fork][gas: u16][calldata length][calldata][code...]`. The code runs as the
/// recipient of a transaction (with a second account holding the same code, to call), at gas
/// price 0. No panic; gas used never exceeds the gas limit; no wei is minted; the output is no
/// larger than the memory the gas could pay for.
pub fn evm_exec(data: &[u8]) {
    let mut b = Bytes::new(data);
    let rev = Revision::ALL[b.u8() as usize % Revision::ALL.len()];
    let gas = 21_000 + u64::from(b.u16()) * 16;
    let n = b.u8() as usize;
    let calldata = b.take(n).to_vec();
    let code = b.rest();
    let mut pre = PreState::new();
    let balance = U256::from(10u64).pow(U256::from(18));
    pre.insert(SENDER, PreAccount::new(0, balance, &[], SlotMap::default()));
    let mut storage = SlotMap::default();
    storage.insert(U256::ZERO, U256::from(1));
    pre.insert(CONTRACT, PreAccount::new(1, balance, code, storage));
    pre.insert(
        Address::with_last_byte(0xc1),
        PreAccount::new(1, U256::ZERO, code, SlotMap::default()),
    );
    let block = BlockEnv {
        coinbase: Address::repeat_byte(0xcb),
        gas_limit: 30_000_000,
        number: 100,
        timestamp: 1000,
        difficulty: U256::from(0x20000),
        prev_randao: Some(B256::repeat_byte(1)),
        base_fee: U256::ZERO,
        excess_blob_gas: 0,
        chain_id: 1,
        blob_params: xvm_ethereum::tx::BlobParams::for_revision(rev),
    };
    let tx = Transaction {
        ty: TxType::Legacy,
        sender: SENDER,
        to: Some(CONTRACT),
        nonce: U256::ZERO,
        gas_limit: U256::from(gas),
        max_fee_per_gas: U256::ZERO,
        max_priority_fee_per_gas: U256::ZERO,
        value: U256::from(1),
        data: calldata.into(),
        access_list: vec![],
        max_fee_per_blob_gas: U256::ZERO,
        blob_hashes: vec![],
        authorizations: vec![],
    };
    let Ok(out) = execute_transaction(&pre, &block, &tx, rev, &Interpreter) else {
        return; // e.g. intrinsic gas above the limit
    };
    assert!(
        out.gas_used <= gas,
        "gas used {} > limit {gas}",
        out.gas_used
    );
    assert!(
        (out.output.len() as u64) <= gas * 11 + 32,
        "output of {} bytes with {gas} gas",
        out.output.len()
    );
    let mut total = U256::ZERO;
    out.state
        .for_each_final_account(false, |_, a| total += a.balance);
    assert!(total <= balance * U256::from(2), "wei minted: {total}");
}

/// Input: `[seed: u64][code...]`: case `seed` of the differential generator, with the code (when
/// given) put into the transaction's recipient and the gas limit then capped at the intrinsic gas
/// plus 300,000. xvm and revm must agree.
pub fn differential(data: &[u8]) {
    let case = differential_case(data);
    if let Some(m) = xvm_difftest::check(&case) {
        panic!(
            "xvm and revm disagree on {}: xvm {} / revm {} ({:?})",
            m.field, m.xvm, m.revm, case.rev
        );
    }
}

/// The case the `differential` target runs for `data`.
pub fn differential_case(data: &[u8]) -> xvm_difftest::case::Case {
    let mut b = Bytes::new(data);
    let seed = b.u64();
    let code = b.rest();
    let mut case = xvm_difftest::gen::generate(seed, 0);
    if !code.is_empty() && !code.starts_with(&[0xef, 0x01]) {
        let to = xvm_difftest::gen::contract(0);
        let acc = case
            .pre
            .entry(to)
            .or_insert_with(|| xvm_difftest::case::AccountSpec {
                nonce: 1,
                balance: U256::ZERO,
                code: Default::default(),
                storage: Default::default(),
            });
        acc.code = code.to_vec().into();
        case.tx.to = Some(to);
        // Fuzzed code loops often; at most 300,000 gas of execution keeps an input to about a
        // millisecond in both VMs (the generator's own cases, run by xvm-difftest, go to 3 M).
        let cap = xvm_difftest::intrinsic(&case.tx, case.rev) + 300_000;
        case.tx.gas_limit = case.tx.gas_limit.min(cap);
    }
    case
}

/// A host whose every answer comes from the fuzz input.
struct FuzzHost<'a> {
    b: Bytes<'a>,
    ctx: TxContext,
    calls: u32,
}

impl Host for FuzzHost<'_> {
    fn account_exists(&mut self, _: &Address) -> bool {
        self.b.u8() & 1 == 1
    }
    fn get_storage(&mut self, _: &Address, _: &U256) -> U256 {
        U256::from(self.b.u8())
    }
    fn set_storage(&mut self, _: &Address, _: &U256, _: &U256) -> StorageStatus {
        match self.b.u8() % 9 {
            0 => StorageStatus::Assigned,
            1 => StorageStatus::Added,
            2 => StorageStatus::Deleted,
            3 => StorageStatus::Modified,
            4 => StorageStatus::DeletedAdded,
            5 => StorageStatus::ModifiedDeleted,
            6 => StorageStatus::DeletedRestored,
            7 => StorageStatus::AddedDeleted,
            _ => StorageStatus::ModifiedRestored,
        }
    }
    fn get_balance(&mut self, _: &Address) -> U256 {
        U256::from_be_bytes(self.b.word())
    }
    fn get_code_size(&mut self, _: &Address) -> usize {
        self.b.u16() as usize
    }
    fn get_code_hash(&mut self, _: &Address) -> B256 {
        B256::from(self.b.word())
    }
    fn copy_code(&mut self, _: &Address, offset: usize, buf: &mut [u8]) -> usize {
        let size = self.b.u16() as usize;
        let n = size.saturating_sub(offset).min(buf.len());
        for x in &mut buf[..n] {
            *x = self.b.u8();
        }
        n
    }
    fn selfdestruct(&mut self, _: &Address, _: &Address) -> bool {
        self.b.u8() & 1 == 1
    }
    fn call(&mut self, msg: &Message) -> ExecResult {
        self.calls += 1;
        let status = match self.b.u8() % 6 {
            0 | 1 => StatusCode::Success,
            2 => StatusCode::Revert,
            3 => StatusCode::OutOfGas,
            4 => StatusCode::Failure,
            _ => StatusCode::InternalError,
        };
        let gas_left = match status {
            StatusCode::Success | StatusCode::Revert => {
                msg.gas.max(0) * i64::from(self.b.u8()) / 255
            }
            _ => 0,
        };
        let n = self.b.u8() as usize;
        let output = self.b.take(n).to_vec().into();
        ExecResult {
            status,
            gas_left,
            gas_refund: 0,
            output,
            create_address: (msg.kind == CallKind::Create && status == StatusCode::Success)
                .then(|| Address::repeat_byte(0x77)),
        }
    }
    fn get_tx_context(&mut self) -> &TxContext {
        &self.ctx
    }
    fn get_block_hash(&mut self, _: i64) -> B256 {
        B256::from(self.b.word())
    }
    fn emit_log(&mut self, _: &Address, _: &[B256], _: &[u8]) {}
    fn access_account(&mut self, _: &Address) -> AccessStatus {
        if self.b.u8() & 1 == 1 {
            AccessStatus::Warm
        } else {
            AccessStatus::Cold
        }
    }
    fn access_storage(&mut self, a: &Address, _: &U256) -> AccessStatus {
        self.access_account(a)
    }
    fn get_transient_storage(&mut self, _: &Address, _: &U256) -> U256 {
        U256::from(self.b.u8())
    }
    fn set_transient_storage(&mut self, _: &Address, _: &U256, _: &U256) {}
}

/// Input: `[rev: i32][flags][gas: u16][depth: u16][code length: u16][code][input length]
/// [input][host answers...]`: one message through xvm's EVMC C ABI (`evmc_create_xvm`, the
/// code of `libxvm.so`) with a host that answers from the input. No crash; the result never has
/// more gas than the message; every result the VM handed out is released (no leak).
pub fn evmc(data: &[u8]) {
    let mut b = Bytes::new(data);
    let rev = i32::from_le_bytes([b.u8(), b.u8(), b.u8(), b.u8()]) % 20;
    let flags = b.u8();
    let gas = i64::from(b.u16()) * 64;
    let depth = i32::from(b.u16() % 1100);
    let n = b.u16() as usize % 4096;
    let code = b.take(n).to_vec();
    let n = b.u8() as usize;
    let input = b.take(n).to_vec();
    let kind = match flags % 4 {
        0 => CallKind::Call,
        1 => CallKind::DelegateCall,
        2 => CallKind::CallCode,
        _ => CallKind::Create,
    };
    let msg = Message {
        kind,
        is_static: flags & 0x10 != 0,
        delegated: flags & 0x20 != 0,
        depth,
        gas,
        recipient: Address::repeat_byte(0xaa),
        sender: Address::repeat_byte(0xbb),
        input: input.clone().into(),
        value: U256::from(flags >> 6),
        salt: B256::ZERO,
        code_address: Address::repeat_byte(0xaa),
    };
    let mut host = FuzzHost {
        b: Bytes::new(b.rest()),
        ctx: TxContext {
            gas_price: U256::from(1),
            origin: Address::repeat_byte(0xbb),
            coinbase: Address::repeat_byte(0xcb),
            number: 100,
            timestamp: 1000,
            gas_limit: 30_000_000,
            prev_randao: B256::ZERO,
            chain_id: U256::from(1),
            base_fee: U256::from(7),
            blob_base_fee: U256::from(1),
            blob_hashes: vec![B256::repeat_byte(1)],
        },
        calls: 0,
    };
    let vm = vm();
    let before = xvm::xvm_evmc_outstanding_results();
    let r = vm.execute_revision_with_input(&mut host, rev, &msg, &input, &code);
    assert!(
        r.gas_left >= 0 && r.gas_left <= gas,
        "gas left {} of {gas}",
        r.gas_left
    );
    if !matches!(r.status, StatusCode::Success | StatusCode::Revert) {
        assert_eq!(r.gas_left, 0, "{:?} with gas left", r.status);
    }
    drop(r);
    assert_eq!(
        xvm::xvm_evmc_outstanding_results(),
        before,
        "a result was not released"
    );
}

fn vm() -> &'static xvm::LoadedVm {
    static VM: std::sync::OnceLock<xvm::LoadedVm> = std::sync::OnceLock::new();
    VM.get_or_init(xvm::in_process_vm)
}
