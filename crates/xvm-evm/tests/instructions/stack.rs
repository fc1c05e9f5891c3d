use crate::common::*;
use xvm_evm::*;

#[test]
fn push_dup_swap_pop() {
    let r = Revision::Osaka;
    assert_eq!(eval(r, "600160028150"), U256::from(2)); // DUP2 then POP -> 2 on top
    assert_eq!(eval(r, "6001600290"), U256::from(1)); // SWAP1
    assert_eq!(
        eval(r, "60016002600391 5050".replace(' ', "").as_str()),
        U256::from(3)
    ); // SWAP2
    assert_eq!(eval(r, "5f"), U256::ZERO);
    let (_, gas) = run(r, "5f00");
    assert_eq!(gas, 2);
    // PUSH32
    let v = "7f0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";
    assert_eq!(
        eval(r, v),
        U256::from_be_slice(&(1..=32).collect::<Vec<u8>>())
    );
    // A truncated push at the end reads zeros.
    let (res, _) = run(r, "62ff");
    assert_eq!(res.status, StatusCode::Success);
}

#[test]
fn underflow_and_overflow() {
    let r = Revision::Osaka;
    let (res, gas) = run(r, "01");
    assert_eq!((res.status, gas), (StatusCode::StackUnderflow, 1_000_000));
    assert_eq!(run(r, "600180").0.status, StatusCode::Success);
    assert_eq!(run(r, "600181").0.status, StatusCode::StackUnderflow);
    // 1025 pushes overflow.
    let code = "5f".repeat(1025);
    assert_eq!(run(r, &code).0.status, StatusCode::StackOverflow);
    let code = "5f".repeat(1024);
    assert_eq!(run(r, &code).0.status, StatusCode::Success);
    // DUP1 on a full stack overflows.
    let code = format!("{}80", "5f".repeat(1024));
    assert_eq!(run(r, &code).0.status, StatusCode::StackOverflow);
}
