//! The VM direction: `libxvm.so` loaded by xvm's own loader, driven over the C ABI by a Rust
//! test host, compared with the native interpreter on the same host.

mod common;

use common::*;
use std::ptr;
use xvm::convert::{message_to_c, tx_context_to_c};
use xvm::ffi::*;
use xvm::{HostFrame, LoadedVm};
use xvm_evm::{
    Address, AnalyzedCode, Bytes, ExecResult, Interpreter, Message, Revision, StatusCode, Vm, B256,
    U256,
};

const ME: Address = Address::repeat_byte(0xaa);
const OTHER: Address = Address::repeat_byte(0xbb);
const TARGET: Address = Address::repeat_byte(0xdd);
const HEIR: Address = Address::repeat_byte(0xee);

/// A tiny assembler.
#[derive(Default)]
struct Asm(Vec<u8>);

impl Asm {
    fn op(mut self, op: u8) -> Self {
        self.0.push(op);
        self
    }
    fn push(mut self, v: u64) -> Self {
        let bytes = v.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
        let data = &bytes[skip..];
        self.0.push(0x5f + data.len() as u8);
        self.0.extend_from_slice(data);
        self
    }
    fn push_addr(mut self, a: &Address) -> Self {
        self.0.push(0x73);
        self.0.extend_from_slice(a.as_slice());
        self
    }
    /// Stores the top of the stack at memory word `i`.
    fn store(self, i: u64) -> Self {
        self.push(i * 32).op(0x52)
    }
}

/// Bytecode that makes the engine use every host callback, storing what it reads in memory
/// words 0..=9 and returning them.
fn every_callback_program() -> Vec<u8> {
    Asm::default()
        .push(0x2a)
        .push(1)
        .op(0x55) // SSTORE: access_storage, get_storage?, set_storage
        .push(1)
        .op(0x54) // SLOAD
        .store(0)
        .push_addr(&OTHER)
        .op(0x31) // BALANCE: access_account, get_balance
        .store(1)
        .push_addr(&OTHER)
        .op(0x3b) // EXTCODESIZE
        .store(2)
        .push_addr(&OTHER)
        .op(0x3f) // EXTCODEHASH
        .store(3)
        .push(4)
        .push(0)
        .push(4 * 32)
        .push_addr(&OTHER)
        .op(0x3c) // EXTCODECOPY: copy_code
        .op(0x43) // NUMBER: get_tx_context
        .store(5)
        .push(1)
        .op(0x43)
        .op(0x03)
        .op(0x40) // BLOCKHASH(NUMBER - 1)
        .store(6)
        .push(7)
        .push(5)
        .op(0x5d) // TSTORE
        .push(5)
        .op(0x5c) // TLOAD
        .store(7)
        .push(0)
        .op(0x49) // BLOBHASH(0)
        .store(8)
        .push(0xbb)
        .push(0xaa)
        .push(32)
        .push(0)
        .op(0xa2) // LOG2(mem[0..32], 0xaa, 0xbb)
        .push(0)
        .push(0)
        .push(0)
        .push(0)
        .push(1)
        .push_addr(&TARGET)
        .op(0x5a)
        .op(0xf1) // CALL(gas, TARGET, 1, ...): account_exists, call
        .store(9)
        .push(10 * 32)
        .push(0)
        .op(0xf3) // RETURN
        .0
}

fn setup<V: Vm>(vm: &V) -> TestHost<'_, V> {
    let mut host = TestHost::new(Some(vm), Revision::Cancun);
    host.balances.insert(ME, U256::from(1000));
    host.balances.insert(OTHER, U256::from(0x1234));
    host.codes
        .insert(OTHER, Bytes::from_static(&[0x60, 0x01, 0x60, 0x02, 0x01]));
    host.codes
        .insert(TARGET, Asm::default().push_addr(&HEIR).op(0xff).0.into());
    host
}

fn top_message() -> Message {
    Message {
        gas: 1_000_000,
        recipient: ME,
        sender: Address::repeat_byte(0x5e),
        code_address: ME,
        ..Message::default()
    }
}

fn run<V: Vm>(vm: &V) -> (ExecResult, TestHost<'_, V>) {
    let mut host = setup(vm);
    let code = AnalyzedCode::new(&every_callback_program());
    let r = vm.execute(&mut host, Revision::Cancun, &top_message(), &code);
    (r, host)
}

fn outstanding_in_libxvm() -> isize {
    read_counter::<isize>(&libxvm_path(), "xvm_evmc_outstanding_results")
}

#[test]
fn every_callback_through_the_c_abi_matches_the_native_interpreter() {
    let _g = serial();
    let vm = load_xvm();
    let leaked_before = outstanding_in_libxvm();
    let bridge_before = xvm::convert::outstanding_results();

    let (r, host) = run(&vm);
    assert_eq!(r.status, StatusCode::Success, "{r:?}");
    let word = |i: usize| U256::from_be_slice(&r.output[i * 32..(i + 1) * 32]);
    assert_eq!(r.output.len(), 320);
    assert_eq!(word(0), U256::from(0x2a), "SLOAD after SSTORE");
    assert_eq!(word(1), U256::from(0x1234), "BALANCE");
    assert_eq!(word(2), U256::from(5), "EXTCODESIZE");
    assert_eq!(
        B256::from(word(3)),
        TestHost::<LoadedVm>::code_hash_of(&OTHER),
        "EXTCODEHASH"
    );
    assert_eq!(&r.output[128..133], &[0x60, 0x01, 0x60, 0x02, 0]);
    assert_eq!(word(5), U256::from(1000), "NUMBER");
    assert_eq!(
        B256::from(word(6)),
        TestHost::<LoadedVm>::block_hash_of(999),
        "BLOCKHASH"
    );
    assert_eq!(word(7), U256::from(7), "TLOAD after TSTORE");
    assert_eq!(B256::from(word(8)), B256::repeat_byte(1), "BLOBHASH");
    assert_eq!(word(9), U256::from(1), "CALL succeeded");
    for name in ALL_CALLBACKS {
        assert!(
            host.count(name) >= 1,
            "{name} never called: {:?}",
            host.calls
        );
    }
    // NUMBER twice and BLOBHASH in the top frame, nothing in the callee's: fetched lazily, once.
    assert_eq!(host.count("get_tx_context"), 1);
    assert_eq!(host.logs.len(), 1);
    assert_eq!(host.logs[0].0, ME);
    assert_eq!(
        host.logs[0].1,
        vec![B256::from(U256::from(0xaa)), B256::from(U256::from(0xbb))]
    );
    assert_eq!(host.destructed, vec![(TARGET, HEIR)]);
    let sub = &host.messages[0];
    assert_eq!(sub.depth, 1);
    assert_eq!(sub.value, U256::from(1));
    assert_eq!(sub.recipient, TARGET);
    assert_eq!(sub.sender, ME);

    // Same host, same code, native engine: the same result and the same host traffic.
    let (native, native_host) = run(&Interpreter);
    assert_eq!(r, native);
    // ... except that the native engine asks the Rust host for the tx context at each use, while
    // the C path fetches it once per frame.
    let without_tx = |calls: &std::collections::BTreeMap<&'static str, u32>| {
        let mut c = calls.clone();
        c.remove("get_tx_context");
        c
    };
    assert_eq!(without_tx(&host.calls), without_tx(&native_host.calls));
    assert_eq!(host.logs, native_host.logs);
    assert_eq!(host.storage, native_host.storage);
    assert_eq!(host.messages, native_host.messages);

    // Every result was released exactly once on both sides of the boundary.
    assert_eq!(outstanding_in_libxvm(), leaked_before);
    assert_eq!(xvm::convert::outstanding_results(), bridge_before);
}

#[test]
fn all_known_revisions_run_and_unknown_ones_are_rejected() {
    let _g = serial();
    let vm = load_xvm();
    // PUSH1 0x2a PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
    let code = Asm::default()
        .push(0x2a)
        .store(0)
        .push(32)
        .push(0)
        .op(0xf3)
        .0;
    // 15 is EVMC_EXPERIMENTAL: it runs with the newest rules (Osaka).
    for rev in 0..=15 {
        let mut host = TestHost::<Interpreter>::new(None, Revision::Cancun);
        let r = vm.execute_revision(&mut host, rev, &top_message(), &code);
        assert_eq!(r.status, StatusCode::Success, "revision {rev}");
        assert_eq!(U256::from_be_slice(&r.output), U256::from(0x2a));
        assert!(r.gas_left < 1_000_000 && r.gas_left > 999_900);
    }
    for rev in [16, 99, -1, i32::MAX, i32::MIN] {
        let mut host = TestHost::<Interpreter>::new(None, Revision::Cancun);
        let r = vm.execute_revision(&mut host, rev, &top_message(), &code);
        assert_eq!(r.status, StatusCode::Rejected, "revision {rev}");
        assert_eq!(r.gas_left, 0);
        assert!(host.calls.is_empty());
    }
}

#[test]
fn a_panicking_host_callback_ends_with_internal_error_not_a_crash() {
    let _g = serial();
    let vm = load_xvm();
    let leaked_before = outstanding_in_libxvm();
    // In the top frame.
    let mut host = setup(&vm);
    host.panic_in = Some(("get_balance", 1));
    let code = AnalyzedCode::new(&every_callback_program());
    let r = vm.execute(&mut host, Revision::Cancun, &top_message(), &code);
    assert_eq!(r.status, StatusCode::InternalError);
    assert_eq!(r.gas_left, 0);
    assert_eq!(
        host.count("call"),
        0,
        "nothing reaches the host after the panic"
    );
    // In a nested frame (SELFDESTRUCT runs in the callee).
    let mut host = setup(&vm);
    host.panic_in = Some(("selfdestruct", 1));
    let r = vm.execute(&mut host, Revision::Cancun, &top_message(), &code);
    assert_eq!(r.status, StatusCode::InternalError);
    assert_eq!(host.count("selfdestruct"), 1);
    assert_eq!(outstanding_in_libxvm(), leaked_before);
}

unsafe extern "C" fn null_blob_hashes(_ctx: *mut evmc_host_context) -> evmc_tx_context {
    let mut t = tx_context_to_c(&Default::default(), &[]);
    t.blob_hashes_count = 5;
    t
}

/// Calls libxvm's `execute` directly with raw arguments.
#[allow(clippy::too_many_arguments)]
unsafe fn raw_execute(
    vm: *mut evmc_vm,
    host: *const evmc_host_interface,
    ctx: *mut evmc_host_context,
    rev: i32,
    msg: *const evmc_message,
    code: *const u8,
    code_size: usize,
    real_vm: &LoadedVm,
) -> (evmc_status_code, i64) {
    let exec = (*real_vm.as_ptr()).execute.expect("execute");
    let r = exec(vm, host, ctx, evmc_revision(rev), msg, code, code_size);
    let out = (r.status_code, r.gas_left);
    if let Some(release) = r.release {
        release(&r);
    }
    out
}

#[test]
fn null_and_inconsistent_arguments_get_an_error_status() {
    let _g = serial();
    let vm = load_xvm();
    let leaked_before = outstanding_in_libxvm();
    let raw = vm.as_ptr();
    let mut host = TestHost::<Interpreter>::new(None, Revision::Cancun);
    let iface = HostFrame::<TestHost<Interpreter>>::INTERFACE;
    let mut frame = HostFrame::new(&mut host);
    let ctx = frame.as_context();
    let code = [0x00u8];
    let good = message_to_c(&top_message(), &[]);
    let internal = evmc_status_code::EVMC_INTERNAL_ERROR;
    let rejected = evmc_status_code::EVMC_REJECTED;
    let c = code.as_ptr();
    // SAFETY: every pointer passed is null or valid; the VM must check the nulls.
    unsafe {
        assert_eq!(
            raw_execute(raw, &iface, ctx, 12, &good, c, 1, &vm),
            (evmc_status_code::EVMC_SUCCESS, 1_000_000),
            "sanity: STOP"
        );
        assert_eq!(
            raw_execute(ptr::null_mut(), &iface, ctx, 12, &good, c, 1, &vm).0,
            internal
        );
        assert_eq!(
            raw_execute(raw, ptr::null(), ctx, 12, &good, c, 1, &vm).0,
            internal
        );
        assert_eq!(
            raw_execute(raw, &iface, ctx, 12, ptr::null(), c, 1, &vm).0,
            internal
        );
        assert_eq!(
            raw_execute(raw, &iface, ctx, 12, &good, ptr::null(), 5, &vm).0,
            internal
        );
        assert_eq!(
            raw_execute(raw, &iface, ctx, 12, &good, ptr::null(), 0, &vm),
            (evmc_status_code::EVMC_SUCCESS, 1_000_000),
            "null code of size 0 is empty code"
        );
        let mut m = good;
        m.gas = -5;
        assert_eq!(raw_execute(raw, &iface, ctx, 12, &m, c, 1, &vm).0, internal);
        let mut m = good;
        m.depth = -1;
        assert_eq!(raw_execute(raw, &iface, ctx, 12, &m, c, 1, &vm).0, internal);
        let mut m = good;
        m.input_size = 10;
        assert_eq!(raw_execute(raw, &iface, ctx, 12, &m, c, 1, &vm).0, internal);
        let mut m = good;
        m.kind = evmc_call_kind::EVMC_EOFCREATE;
        assert_eq!(raw_execute(raw, &iface, ctx, 12, &m, c, 1, &vm).0, rejected);
        let mut m = good;
        m.kind = evmc_call_kind(77);
        assert_eq!(raw_execute(raw, &iface, ctx, 12, &m, c, 1, &vm).0, rejected);
        assert_eq!(
            raw_execute(raw, &iface, ctx, 16, &good, c, 1, &vm).0,
            rejected
        );
        assert_eq!(
            raw_execute(raw, &iface, ctx, 15, &good, c, 1, &vm).0,
            evmc_status_code::EVMC_SUCCESS,
            "EVMC_EXPERIMENTAL runs"
        );
        let mut partial = iface;
        partial.get_block_hash = None;
        assert_eq!(
            raw_execute(raw, &partial, ctx, 12, &good, c, 1, &vm).0,
            internal
        );
        // A host whose tx context claims blob hashes behind a null pointer.
        let mut lying = iface;
        lying.get_tx_context = Some(null_blob_hashes);
        let number = [0x43u8, 0x00]; // NUMBER STOP
        assert_eq!(
            raw_execute(raw, &lying, ctx, 12, &good, number.as_ptr(), 2, &vm).0,
            internal
        );

        // set_option through the raw function pointer.
        let set = (*raw).set_option.expect("set_option");
        assert_eq!(set(raw, c"trace".as_ptr(), c"1".as_ptr()).0, 0);
        assert_eq!(set(raw, c"trace".as_ptr(), c"0".as_ptr()).0, 0);
        assert_eq!(set(raw, c"trace".as_ptr(), c"yes please".as_ptr()).0, 2);
        assert_eq!(set(raw, c"trace".as_ptr(), ptr::null()).0, 2);
        assert_eq!(set(raw, c"speed".as_ptr(), c"1".as_ptr()).0, 1);
        assert_eq!(set(raw, ptr::null(), c"1".as_ptr()).0, 1);
        let caps = (*raw).get_capabilities.expect("get_capabilities");
        assert_eq!(caps(raw), 1);
    }
    assert!(!frame.failed());
    assert_eq!(outstanding_in_libxvm(), leaked_before);
}

/// With `trace=1`, libxvm writes EIP-3155 lines to stderr: checked in a child process (this same
/// test binary) whose stderr we read.
#[test]
fn trace_option_writes_eip3155_lines_to_stderr() {
    if std::env::var_os("XVM_EVMC_TRACE_CHILD").is_some() {
        return;
    }
    let run_child = |trace: &str| {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["trace_child", "--exact", "--nocapture", "--test-threads=1"])
            .env("XVM_EVMC_TRACE_CHILD", trace)
            .output()
            .expect("run child");
        assert!(out.status.success(), "child failed: {out:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let traced = run_child("1");
    let lines: Vec<&str> = traced.lines().filter(|l| l.starts_with('{')).collect();
    assert_eq!(
        lines.first().copied(),
        Some(
            r#"{"pc":0,"op":96,"gas":"0x186a0","gasCost":"0x3","memSize":0,"stack":[],"depth":1,"refund":0,"opName":"PUSH1"}"#
        ),
        "{traced}"
    );
    assert!(
        lines.iter().any(|l| l.contains(r#""opName":"RETURN""#)),
        "{traced}"
    );
    let summary = lines[lines.len() - 4];
    assert!(summary.starts_with(r#"{"output":"000000000000000000000000000000000000000000000000000000000000002a","gasUsed":"0x"#), "{summary}");
    assert!(summary.ends_with(r#""pass":true}"#), "{summary}");
    // The failing run: the step it fails on and the summary carry the status's EVMC text.
    assert_eq!(
        &lines[lines.len() - 3..],
        &[
            r#"{"pc":0,"op":96,"gas":"0x186a0","gasCost":"0x3","memSize":0,"stack":[],"depth":1,"refund":0,"opName":"PUSH1"}"#,
            r#"{"pc":2,"op":1,"gas":"0x1869d","gasCost":"0x3","memSize":0,"stack":["0x1"],"depth":1,"refund":0,"opName":"ADD","error":"stack underflow"}"#,
            r#"{"output":"","gasUsed":"0x186a0","pass":false,"error":"stack underflow"}"#,
        ],
        "{traced}"
    );
    let quiet = run_child("0");
    assert!(!quiet.lines().any(|l| l.starts_with('{')), "{quiet}");
}

#[test]
fn trace_child() {
    let Some(trace) = std::env::var_os("XVM_EVMC_TRACE_CHILD") else {
        return;
    };
    let cfg = format!(
        "{},trace={}",
        libxvm_path().display(),
        trace.to_string_lossy()
    );
    let vm = LoadedVm::load_and_configure(&cfg).expect("load with trace");
    let code = Asm::default()
        .push(0x2a)
        .store(0)
        .push(32)
        .push(0)
        .op(0xf3)
        .0;
    let mut host = TestHost::<Interpreter>::new(None, Revision::Cancun);
    let msg = Message {
        gas: 100_000,
        ..top_message()
    };
    let r = vm.execute_revision(&mut host, Revision::Cancun as i32, &msg, &code);
    assert_eq!(r.status, StatusCode::Success);
    // PUSH1 1 ADD: a stack underflow on the second step.
    let r = vm.execute_revision(
        &mut host,
        Revision::Cancun as i32,
        &msg,
        &[0x60, 0x01, 0x01],
    );
    assert_eq!(r.status, StatusCode::StackUnderflow);
}

/// The same C entry points linked into this binary (no shared library) behave the same.
#[test]
fn in_process_vm_matches_the_shared_library() {
    let _g = serial();
    let in_process = xvm::in_process_vm();
    assert_eq!(in_process.name(), "xvm");
    let (r, host) = run(&in_process);
    let lib = load_xvm();
    let (r2, host2) = run(&lib);
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(r, r2);
    assert_eq!(host.calls, host2.calls);
    assert_eq!(host.logs, host2.logs);
}

/// A host whose `call` answers more gas than the call was given must not mint gas: the execution
/// ends with INTERNAL_ERROR.
#[test]
fn a_host_answering_impossible_gas_gives_internal_error() {
    let _g = serial();
    let vm = load_xvm();
    let mut host = setup(&vm);
    host.forced_gas_left = Some(i64::MAX);
    let code = AnalyzedCode::new(&every_callback_program());
    let r = vm.execute(&mut host, Revision::Cancun, &top_message(), &code);
    assert_eq!(r.status, StatusCode::InternalError);
    assert_eq!(r.gas_left, 0);
    assert_eq!(host.count("call"), 1);
}

/// The user's report: `PUSH1 0 PUSH5 0x0fffffffff MSTORE` with INT64_MAX gas made libxvm
/// allocate 64 GiB and abort its host process. Through the C ABI it is OUT_OF_GAS, all gas
/// used, and the host goes on; the same with a callee doing it under a caller.
#[test]
fn a_64_gib_mstore_with_int64_max_gas_is_out_of_gas_through_the_c_abi() {
    let _g = serial();
    let vm = load_xvm();
    let leaked_before = outstanding_in_libxvm();
    let hostile: &[u8] = &[0x60, 0x00, 0x64, 0x0f, 0xff, 0xff, 0xff, 0xff, 0x52];
    let msg = Message {
        gas: i64::MAX,
        ..top_message()
    };
    for rev in [Revision::Frontier, Revision::Cancun, Revision::Osaka] {
        let mut host = TestHost::<Interpreter>::new(None, rev);
        let r = vm.execute(&mut host, rev, &msg, &AnalyzedCode::new(hostile));
        assert_eq!(r.status, StatusCode::OutOfGas, "{rev:?}");
        assert_eq!(r.gas_left, 0);
        assert!(r.output.is_empty());
    }
    // A caller through libxvm calls a callee (run by libxvm again) that does it: the call fails,
    // the caller returns CALL's 0 with the gas the 63/64 rule kept back.
    let mut host = TestHost::new(Some(&vm), Revision::Cancun);
    host.codes.insert(OTHER, Bytes::copy_from_slice(hostile));
    let caller = Asm::default()
        .push(0)
        .push(0)
        .push(0)
        .push(0)
        .push(0)
        .push_addr(&OTHER)
        .op(0x5a)
        .op(0xf1)
        .store(0)
        .push(32)
        .push(0)
        .op(0xf3)
        .0;
    let r = vm.execute(
        &mut host,
        Revision::Cancun,
        &msg,
        &AnalyzedCode::new(&caller),
    );
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(U256::from_be_slice(&r.output), U256::ZERO);
    assert!(r.gas_left > i64::MAX / 65, "{}", r.gas_left);
    assert_eq!(outstanding_in_libxvm(), leaked_before);
}

/// The `memory_limit` option caps a frame's memory: the last byte under it is reachable, one
/// further is OUT_OF_GAS; bad values are refused.
#[test]
fn the_memory_limit_option_caps_memory() {
    let _g = serial();
    let mut vm = load_xvm();
    vm.set_option("memory_limit", "1024")
        .expect("set memory_limit");
    let msg = Message {
        gas: i64::MAX,
        ..top_message()
    };
    // MSTORE8 of 1 at `offset`, then RETURN MSIZE as a word.
    let probe = |offset: u64| {
        Asm::default()
            .push(1)
            .push(offset)
            .op(0x53)
            .op(0x59)
            .store(0)
            .push(32)
            .push(0)
            .op(0xf3)
            .0
    };
    let mut host = TestHost::<Interpreter>::new(None, Revision::Cancun);
    let r = vm.execute(
        &mut host,
        Revision::Cancun,
        &msg,
        &AnalyzedCode::new(&probe(1023)),
    );
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(U256::from_be_slice(&r.output), U256::from(1024));
    let r = vm.execute(
        &mut host,
        Revision::Cancun,
        &msg,
        &AnalyzedCode::new(&probe(1024)),
    );
    assert_eq!(r.status, StatusCode::OutOfGas);
    assert_eq!(r.gas_left, 0);
    // Back to the default cap (2^32 - 1): 1024 is fine again, 2^32 is not.
    vm.set_option("memory_limit", "4294967295")
        .expect("default cap");
    let r = vm.execute(
        &mut host,
        Revision::Cancun,
        &msg,
        &AnalyzedCode::new(&probe(1024)),
    );
    assert_eq!(r.status, StatusCode::Success);
    let r = vm.execute(
        &mut host,
        Revision::Cancun,
        &msg,
        &AnalyzedCode::new(&probe(1 << 32)),
    );
    assert_eq!(r.status, StatusCode::OutOfGas);
    for bad in ["", "-1", "lots", "18446744073709551616", "1e9"] {
        assert!(vm.set_option("memory_limit", bad).is_err(), "{bad:?}");
    }
}
