//! Hostile sizes with absurd gas: every memory-touching instruction with offsets or sizes at and
//! past the 2^32 memory cap ends the frame with OUT_OF_GAS (all gas used), never an allocation
//! failure, an overflow or a panic; memory under the cap works when the gas pays for it.

use crate::common::*;
use xvm_evm::*;

/// Offsets and sizes at or past the cap (`MAX_MEMORY_SIZE` = 2^32 − 1 is the largest end).
fn hostile() -> Vec<U256> {
    vec![
        U256::from(1u64 << 32),
        U256::from((1u64 << 32) + 1),
        U256::from(1u64 << 63),
        U256::from(u64::MAX),
        U256::MAX,
    ]
}

/// PUSH32 of `v`.
fn push(v: U256) -> String {
    format!("7f{v:064x}")
}

/// Code that pushes `args` (given top of stack first) and runs `opcode`, then STOP.
fn op(args: &[U256], opcode: &str) -> String {
    let mut code: String = args.iter().rev().map(|&a| push(a)).collect();
    code.push_str(opcode);
    code.push_str("00");
    code
}

fn n(v: u64) -> U256 {
    U256::from(v)
}

/// Runs `code` with `i64::MAX` gas and checks it ends with `status`, all gas used.
#[track_caller]
fn ends_with(rev: Revision, code: &str, status: StatusCode) {
    let mut host = TestHost::new(rev);
    host.set_code(Address::new([0xaa; 20]), &[0x60, 0x01]);
    let (r, used) = run_with(&mut host, code, i64::MAX);
    assert_eq!(r.status, status, "{rev:?} {code}");
    assert_eq!(r.gas_left, 0, "{rev:?} {code}");
    assert_eq!(used, i64::MAX, "{rev:?} {code}");
    assert!(r.output.is_empty());
}

#[track_caller]
fn oog(rev: Revision, code: &str) {
    ends_with(rev, code, StatusCode::OutOfGas);
}

/// Every (offset, size) pair of a one-region instruction: the hostile value as the offset (size
/// 1 and 32) and as the size (offset 0 and 1).
fn regions() -> Vec<(U256, U256)> {
    let mut out = vec![
        // Ends one past the cap.
        (n(u32::MAX as u64), n(1)),
        (n((1u64 << 32) - 32), n(32)),
        (n(0), n(1u64 << 32)),
    ];
    for v in hostile() {
        out.extend([(v, n(1)), (v, n(32)), (n(0), v), (n(1), v), (v, v)]);
    }
    out
}

#[test]
fn mload_mstore_mstore8_past_the_cap() {
    for v in hostile() {
        for rev in [Revision::Frontier, Revision::Osaka] {
            oog(rev, &op(&[v], "51"));
            oog(rev, &op(&[v, n(0x2a)], "52"));
            oog(rev, &op(&[v, n(0x2a)], "53"));
        }
    }
    // A word whose last byte is one past the cap.
    oog(Revision::Osaka, &op(&[n((1u64 << 32) - 31)], "51"));
    oog(Revision::Osaka, &op(&[n((1u64 << 32) - 31), n(0x2a)], "52"));
    // MSTORE8 one past the cap; the user's report: PUSH1 0 PUSH5 0x0fffffffff MSTORE.
    oog(Revision::Osaka, &op(&[n(u32::MAX as u64), n(1)], "53"));
    oog(Revision::Osaka, "6000640fffffffff52");
    oog(Revision::Frontier, "6000640fffffffff52");
}

#[test]
fn keccak_log_return_revert_past_the_cap() {
    for (off, size) in regions() {
        oog(Revision::Osaka, &op(&[off, size], "20"));
        oog(Revision::Osaka, &op(&[off, size], "a0"));
        oog(
            Revision::Osaka,
            &op(&[off, size, n(1), n(2), n(3), n(4)], "a4"),
        );
        oog(Revision::Osaka, &op(&[off, size], "f3"));
        oog(Revision::Osaka, &op(&[off, size], "fd"));
        oog(Revision::Frontier, &op(&[off, size], "f3"));
    }
}

#[test]
fn copies_past_the_cap() {
    let other = U256::from_be_slice(&[0xaa; 20]);
    for (dst, size) in regions() {
        for src in [n(0), U256::MAX] {
            for rev in [Revision::Frontier, Revision::Osaka] {
                oog(rev, &op(&[dst, src, size], "37"));
                oog(rev, &op(&[dst, src, size], "39"));
                oog(rev, &op(&[other, dst, src, size], "3c"));
            }
            // RETURNDATACOPY checks memory first: out of gas before the bounds.
            oog(Revision::Osaka, &op(&[dst, src, size], "3e"));
        }
        // MCOPY: the hostile region as the destination, as the source, and as both.
        oog(Revision::Osaka, &op(&[dst, n(0), size], "5e"));
        oog(Revision::Osaka, &op(&[n(0), dst, size], "5e"));
        oog(Revision::Osaka, &op(&[dst, dst, size], "5e"));
    }
}

#[test]
fn returndatacopy_out_of_bounds_is_invalid_memory_access() {
    for v in hostile() {
        for size in [n(0), n(1), n(32)] {
            ends_with(
                Revision::Osaka,
                &op(&[n(0), v, size], "3e"),
                StatusCode::InvalidMemoryAccess,
            );
        }
    }
}

#[test]
fn copies_from_far_sources_pad_with_zeros() {
    for src in hostile() {
        for copy in [
            op(&[n(0), src, n(32)], "37"),
            op(&[n(0), src, n(32)], "39"),
            op(&[U256::from_be_slice(&[0xaa; 20]), n(0), src, n(32)], "3c"),
        ] {
            // Fill memory with 0xff first so that the zeros come from the copy.
            let code = format!(
                "{}{}{}",
                push(U256::MAX) + "600052",
                &copy[..copy.len() - 2],
                "60206000f3"
            );
            let mut host = TestHost::new(Revision::Osaka);
            host.set_code(Address::new([0xaa; 20]), &[0x60, 0x01]);
            let (r, _) = run_with(&mut host, &code, i64::MAX);
            assert_eq!(r.status, StatusCode::Success, "{code}");
            assert_eq!(&r.output[..], &[0u8; 32], "{code}");
        }
    }
}

#[test]
fn create_and_call_past_the_cap() {
    for (off, size) in regions() {
        for rev in [Revision::Frontier, Revision::Osaka] {
            oog(rev, &op(&[n(0), off, size], "f0"));
            oog(
                rev,
                &op(&[n(0xffff), n(0xaa), n(0), off, size, n(0), n(0)], "f1"),
            );
            oog(
                rev,
                &op(&[n(0xffff), n(0xaa), n(0), n(0), n(0), off, size], "f1"),
            );
            oog(
                rev,
                &op(&[n(0xffff), n(0xaa), n(0), off, size, n(0), n(0)], "f2"),
            );
        }
        oog(Revision::Osaka, &op(&[n(0), off, size, n(7)], "f5"));
        oog(
            Revision::Osaka,
            &op(&[n(0xffff), n(0xaa), off, size, n(0), n(0)], "f4"),
        );
        oog(
            Revision::Osaka,
            &op(&[n(0xffff), n(0xaa), n(0), n(0), off, size], "fa"),
        );
    }
}

#[test]
fn a_callee_past_the_cap_fails_and_the_caller_goes_on() {
    let callee = Address::new([0xbb; 20]);
    let mut host = TestHost::new(Revision::Osaka);
    host.set_code(callee, &hex::decode("6000640fffffffff52").unwrap());
    // CALL(GAS, callee, 0, 0, 0, 0, 0); MSTORE the flag at 0; RETURN 32 bytes.
    let code = format!(
        "6000600060006000600073{}5af1600052 60206000f3",
        "bb".repeat(20)
    )
    .replace(' ', "");
    let (r, used) = run_with(&mut host, &code, i64::MAX);
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(
        U256::from_be_slice(&r.output),
        U256::ZERO,
        "the call failed"
    );
    // The callee burnt the 63/64 it was given, the caller keeps the rest.
    assert!(used > i64::MAX / 64 * 63 && r.gas_left > i64::MAX / 65);
}

/// PUSH1 0xff, PUSH4 `offset`, MSTORE8, MSIZE, PUSH1 0, MSTORE, RETURN 32 bytes.
fn mstore8_then_msize(offset: u32) -> String {
    format!("60ff63{offset:08x}53 59600052 60206000f3").replace(' ', "")
}

#[test]
fn memory_under_the_cap_works_when_the_gas_pays() {
    const MIB64: u64 = 64 << 20;
    let code = mstore8_then_msize(MIB64 as u32 - 1);
    let words = MIB64 / 32;
    // Static gas: 3 PUSHes, MSTORE8, MSIZE, PUSH1, MSTORE, PUSH1 PUSH1 RETURN.
    let exact = 3 + 3 + 3 + 2 + 3 + 3 + 3 + 3 + memory_cost(words);
    let mut host = TestHost::new(Revision::Osaka);
    let (r, used) = run_with(&mut host, &code, exact);
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(U256::from_be_slice(&r.output), U256::from(MIB64));
    assert_eq!(used, exact);
    // One gas less is out of gas.
    let (r, used) = run_with(&mut TestHost::new(Revision::Osaka), &code, exact - 1);
    assert_eq!(r.status, StatusCode::OutOfGas);
    assert_eq!(used, exact - 1);
}

#[test]
fn a_host_chooses_the_cap() {
    const MIB64: u64 = 64 << 20;
    let with_cap = |code: &str| {
        let mut host = TestHost::new(Revision::Osaka);
        host.memory_limit = MIB64;
        run_with(&mut host, code, i64::MAX)
    };
    // The last byte under the cap is reachable...
    let (r, _) = with_cap(&mstore8_then_msize(MIB64 as u32 - 1));
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(U256::from_be_slice(&r.output), U256::from(MIB64));
    // ...one byte further is out of gas, with every gas unit used.
    for code in [
        mstore8_then_msize(MIB64 as u32),
        op(&[n(MIB64 - 31), n(1)], "52"),
        op(&[n(0), n(0), n(MIB64 + 1)], "37"),
    ] {
        let (r, used) = with_cap(&code);
        assert_eq!(r.status, StatusCode::OutOfGas, "{code}");
        assert_eq!(used, i64::MAX);
    }
}

#[test]
fn the_frames_of_a_call_stack_share_the_cap() {
    const MIB: u32 = 1 << 20;
    let callee = Address::new([0xbb; 20]);
    // The caller holds 48 MiB, then calls a callee that wants `callee_mib` more.
    let call_result = |callee_mib: u32| {
        let mut host = TestHost::new(Revision::Osaka);
        host.memory_limit = 64 << 20;
        let callee_code = format!("600163{:08x}5300", callee_mib * MIB - 1);
        host.set_code(callee, &hex::decode(callee_code).unwrap());
        let code = format!(
            "600163{:08x}53 6000600060006000600073{}5af1 600052 60206000f3",
            48 * MIB - 1,
            "bb".repeat(20)
        )
        .replace(' ', "");
        let (r, _) = run_with(&mut host, &code, i64::MAX);
        assert_eq!(r.status, StatusCode::Success);
        U256::from_be_slice(&r.output)
    };
    assert_eq!(call_result(16), U256::from(1), "48 + 16 MiB fit the cap");
    assert_eq!(call_result(17), U256::ZERO, "48 + 17 MiB do not");
    // Memory comes back when the frames end: the same again on this thread.
    assert_eq!(call_result(16), U256::from(1));
}
