//! What real EVMC hosts and their conformance suites expect of libxvm.so, checked through the C
//! ABI with xvm's own loader (and against the native interpreter on the same host): failed host
//! calls, precise status codes, the experimental revision, EOF.

mod common;

use common::*;
use xvm_evm::{Address, Bytes, ExecResult, Interpreter, Message, Revision, StatusCode, Vm, U256};

const ME: Address = Address::repeat_byte(0xaa);
const TARGET: Address = Address::repeat_byte(0xdd);

fn message(gas: i64, is_static: bool) -> Message {
    Message {
        gas,
        is_static,
        recipient: ME,
        sender: Address::repeat_byte(0x5e),
        code_address: ME,
        ..Message::default()
    }
}

fn outstanding_in_libxvm() -> isize {
    read_counter::<isize>(&libxvm_path(), "xvm_evmc_outstanding_results")
}

/// Runs `code` at `rev` through `vm` on a fresh test host (nested calls answer `forced`).
fn run_on<V: Vm>(
    vm: &V,
    rev: i32,
    code: &[u8],
    is_static: bool,
    forced: Option<(StatusCode, Bytes)>,
    through_c: Option<&xvm::LoadedVm>,
) -> ExecResult {
    let mut host = TestHost::new(Some(vm), Revision::Cancun);
    host.codes.insert(TARGET, Bytes::from_static(&[0x00]));
    host.forced_result = forced;
    let msg = message(1_000_000, is_static);
    match through_c {
        Some(c) => c.execute_revision(&mut host, rev, &msg, code),
        None => {
            let rev = Revision::from_evmc(rev.into()).expect("known revision");
            xvm_evm::execute(&mut host, rev, &msg, code)
        }
    }
}

/// CALL(gas, TARGET, 0, 0, 0, 0, 0); then memory word 0 = the success flag, word 1 =
/// RETURNDATASIZE, words 2.. = the return data; RETURN the lot (96 bytes).
fn call_then_report() -> Vec<u8> {
    let mut c = vec![
        0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x73,
    ];
    c.extend_from_slice(TARGET.as_slice());
    c.extend_from_slice(&[
        0x5a, 0xf1, // GAS CALL
        0x60, 0x00, 0x52, // MSTORE(0, success)
        0x3d, 0x60, 0x20, 0x52, // MSTORE(32, RETURNDATASIZE)
        0x3d, 0x60, 0x00, 0x60, 0x40, 0x3e, // RETURNDATACOPY(64, 0, RETURNDATASIZE)
        0x60, 0x60, 0x60, 0x00, 0xf3, // RETURN(0, 96)
    ]);
    c
}

#[test]
fn a_host_call_failing_with_any_status_is_a_failed_sub_call() {
    let _g = serial();
    let vm = load_xvm();
    let leaked_before = outstanding_in_libxvm();
    let code = call_then_report();
    for status in [
        StatusCode::InternalError,
        StatusCode::Rejected,
        StatusCode::OutOfMemory,
        StatusCode::Failure,
        StatusCode::OutOfGas,
        StatusCode::PrecompileFailure,
        StatusCode::CallDepthExceeded,
        StatusCode::Revert,
    ] {
        let forced = Some((status, Bytes::from_static(b"why")));
        let r = run_on(&vm, 12, &code, false, forced.clone(), Some(&vm));
        assert_eq!(r.status, StatusCode::Success, "{status:?}: {r:?}");
        let word = |i: usize| U256::from_be_slice(&r.output[i * 32..(i + 1) * 32]);
        assert_eq!(word(0), U256::ZERO, "{status:?}: CALL pushed 0");
        assert_eq!(
            word(1),
            U256::from(3),
            "{status:?}: output kept as return data"
        );
        assert_eq!(&r.output[64..67], b"why");
        // The callee took all the gas it was given and the caller went on with the rest.
        assert!(
            r.gas_left > 0 && r.gas_left < 1_000_000 / 64 + 1000,
            "{r:?}"
        );
        // Exactly what the native interpreter does on the same host.
        let native = run_on(&Interpreter, 12, &code, false, forced, None);
        assert_eq!(r, native, "{status:?}");
    }
    assert_eq!(outstanding_in_libxvm(), leaked_before);
}

#[test]
fn failures_end_with_the_evmc_status_that_names_them() {
    let _g = serial();
    let vm = load_xvm();
    let mut overflow = vec![0x5f; 1025]; // PUSH0 x 1025
    overflow.push(0x00);
    let cases: Vec<(&str, Vec<u8>, bool, StatusCode)> = vec![
        // RETURNDATACOPY(0, 0, 1) with no return data: EVMC's documented example.
        (
            "returndatacopy past the end",
            vec![0x60, 0x01, 0x60, 0x00, 0x60, 0x00, 0x3e],
            false,
            StatusCode::InvalidMemoryAccess,
        ),
        // RETURNDATACOPY(0, 2^64, 0): an offset past the end even with size 0.
        (
            "returndatacopy offset past the end",
            vec![
                0x60, 0x00, 0x68, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x60, 0x00, 0x3e,
            ],
            false,
            StatusCode::InvalidMemoryAccess,
        ),
        (
            "stack underflow",
            vec![0x01],
            false,
            StatusCode::StackUnderflow,
        ),
        ("stack overflow", overflow, false, StatusCode::StackOverflow),
        (
            "bad jump destination",
            vec![0x60, 0x03, 0x56, 0x00],
            false,
            StatusCode::BadJumpDestination,
        ),
        ("0xFE", vec![0xfe], false, StatusCode::InvalidInstruction),
        (
            "undefined 0x0c",
            vec![0x0c],
            false,
            StatusCode::UndefinedInstruction,
        ),
        (
            "SSTORE in a static call",
            vec![0x60, 0x01, 0x60, 0x00, 0x55],
            true,
            StatusCode::StaticModeViolation,
        ),
        (
            "LOG0 in a static call",
            vec![0x60, 0x00, 0x60, 0x00, 0xa0],
            true,
            StatusCode::StaticModeViolation,
        ),
        (
            "out of gas",
            vec![0x60, 0x01, 0x63, 0xff, 0xff, 0xff, 0xff, 0x52],
            false,
            StatusCode::OutOfGas,
        ),
    ];
    for (name, code, is_static, want) in cases {
        let r = run_on(&vm, 12, &code, is_static, None, Some(&vm));
        assert_eq!(r.status, want, "{name}");
        assert_eq!(r.gas_left, 0, "{name}");
        let native = run_on(&Interpreter, 12, &code, is_static, None, None);
        assert_eq!(native.status, want, "{name} (native)");
    }
}

#[test]
fn experimental_runs_as_osaka_and_eof_stays_out() {
    let _g = serial();
    let vm = load_xvm();
    // CLZ(1) = 255 (an Osaka instruction), returned as one word.
    let clz = [
        0x60, 0x01, 0x1e, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3,
    ];
    for rev in [14, 15] {
        let r = run_on(&vm, rev, &clz, false, None, Some(&vm));
        assert_eq!(r.status, StatusCode::Success, "revision {rev}");
        assert_eq!(U256::from_be_slice(&r.output), U256::from(255));
    }
    let r = run_on(&vm, 13, &clz, false, None, Some(&vm));
    assert_eq!(
        r.status,
        StatusCode::UndefinedInstruction,
        "no CLZ in Prague"
    );

    // A minimal EOF container: refused where EOF rules would apply (the experimental
    // revision), plain legacy code (0xEF undefined) in the forks that define the rules.
    let eof = [
        0xef, 0x00, 0x01, 0x01, 0x00, 0x04, 0x02, 0x00, 0x01, 0x00, 0x01, 0xff, 0x00, 0x00, 0x00,
        0x80, 0x00, 0x00, 0x00,
    ];
    let r = run_on(&vm, 15, &eof, false, None, Some(&vm));
    assert_eq!(r.status, StatusCode::Rejected);
    for rev in [9, 12, 14] {
        let r = run_on(&vm, rev, &eof, false, None, Some(&vm));
        assert_eq!(r.status, StatusCode::UndefinedInstruction, "revision {rev}");
    }
    // EOF-only opcodes are undefined instructions: RJUMP (0xE0), EXTCALL (0xF8).
    for op in [0xe0u8, 0xf8] {
        let r = run_on(&vm, 15, &[op, 0, 0], false, None, Some(&vm));
        assert_eq!(r.status, StatusCode::UndefinedInstruction, "{op:#x}");
    }
}

/// A 1024-deep call chain through the C ABI both ways (libxvm's frames call xvm's host, which
/// runs the callee through libxvm again), many times over on a test thread's small stack: every
/// result released, the same answer as the native interpreter every time.
#[test]
fn a_1024_deep_call_chain_many_times_over() {
    let _g = serial();
    let vm = load_xvm();
    let leaked_before = outstanding_in_libxvm();
    // MSTORE8(0xffff, 1); CALL(GAS, ADDRESS, 0, 0, 0x10000, 0, 32); RETURN(0, 32) of the
    // callee's word + 1: the transaction returns 1025.
    let code: Vec<u8> = vec![
        0x60, 0x01, 0x62, 0x00, 0xff, 0xff, 0x53, 0x60, 0x20, 0x60, 0x00, 0x62, 0x01, 0x00, 0x00,
        0x60, 0x00, 0x60, 0x00, 0x30, 0x5a, 0xf1, 0x50, 0x60, 0x00, 0x51, 0x60, 0x01, 0x01, 0x60,
        0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3,
    ];
    let msg = message(1_000_000_000_000_000, false);
    let chain = |through_c: bool| {
        let mut host = TestHost::new(Some(&vm), Revision::Cancun);
        host.record_messages = false;
        host.codes.insert(ME, Bytes::from(code.clone()));
        let r = if through_c {
            vm.execute_revision(&mut host, 12, &msg, &code)
        } else {
            // The same host, natively: nested calls still go through libxvm (the host's VM),
            // only the transaction's own frame runs in the interpreter.
            xvm_evm::execute(&mut host, Revision::Cancun, &msg, &code)
        };
        assert_eq!(host.count("call"), 1024);
        r
    };
    let first = chain(true);
    assert_eq!(first.status, StatusCode::Success, "{first:?}");
    assert_eq!(U256::from_be_slice(&first.output), U256::from(1025));
    for _ in 0..20 {
        assert_eq!(chain(true), first);
    }
    assert_eq!(chain(false), first);
    assert_eq!(outstanding_in_libxvm(), leaked_before);
}
