use crate::common::*;
use xvm_evm::*;

fn call_with_input(rev: Revision, code: &str, input: &[u8], value: u64) -> ExecResult {
    let mut host = TestHost::new(rev);
    let code = hex::decode(code).unwrap();
    host.set_code(CONTRACT, &code);
    host.accounts.entry(CONTRACT).or_default().balance = U256::from(555);
    let msg = Message {
        gas: 100_000,
        recipient: CONTRACT,
        sender: SENDER,
        code_address: CONTRACT,
        input: Bytes::copy_from_slice(input),
        value: U256::from(value),
        ..Message::default()
    };
    execute(&mut host, rev, &msg, &code)
}

fn word(r: &ExecResult) -> U256 {
    U256::from_be_slice(&r.output)
}

const RET: &str = "60005260206000f3";

#[test]
fn message_fields() {
    let r = Revision::Osaka;
    let res = call_with_input(r, &format!("30{RET}"), &[], 0);
    assert_eq!(word(&res), U256::from_be_slice(CONTRACT.as_slice()));
    let res = call_with_input(r, &format!("33{RET}"), &[], 0);
    assert_eq!(word(&res), U256::from_be_slice(SENDER.as_slice()));
    let res = call_with_input(r, &format!("32{RET}"), &[], 0);
    assert_eq!(word(&res), U256::from_be_slice(SENDER.as_slice()));
    let res = call_with_input(r, &format!("34{RET}"), &[], 9);
    assert_eq!(word(&res), U256::from(9));
    let res = call_with_input(r, &format!("47{RET}"), &[], 0);
    assert_eq!(word(&res), U256::from(555));
    let res = call_with_input(r, &format!("38{RET}"), &[], 0);
    assert_eq!(word(&res), U256::from(9));
}

#[test]
fn calldata() {
    let r = Revision::Osaka;
    let input: Vec<u8> = (1..=40).collect();
    let res = call_with_input(r, &format!("36{RET}"), &input, 0);
    assert_eq!(word(&res), U256::from(40));
    // CALLDATALOAD at 20: bytes 21..40 then zero padding
    let res = call_with_input(r, &format!("601435{RET}"), &input, 0);
    let mut expect = [0u8; 32];
    expect[..20].copy_from_slice(&input[20..]);
    assert_eq!(res.output.as_ref(), &expect);
    // CALLDATACOPY(mem 0, offset 38, size 4) -> 39 40 0 0
    let res = call_with_input(
        r,
        "60046026600037 60206000f3".replace(' ', "").as_str(),
        &input,
        0,
    );
    assert_eq!(&res.output[..5], &[39, 40, 0, 0, 0]);
    // A huge source offset copies zeros.
    let res = call_with_input(
        r,
        "6004 7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff 600037 60206000f3"
            .replace(' ', "")
            .as_str(),
        &input,
        0,
    );
    assert_eq!(res.status, StatusCode::Success);
    assert_eq!(&res.output[..4], &[0, 0, 0, 0]);
}

#[test]
fn copy_gas() {
    // CALLDATACOPY of 33 bytes: 3 + 3*2 words + memory 2 words (6) + pushes 9
    let (res, gas) = run(Revision::Osaka, "602160006000 37".replace(' ', "").as_str());
    assert_eq!(res.status, StatusCode::Success);
    assert_eq!(gas, 9 + 3 + 6 + 6);
}

#[test]
fn extcode_cold_and_warm_costs() {
    let other = "73aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let code = format!("{other}3b50{other}3b50");
    let mut host = TestHost::new(Revision::Berlin);
    let (_, gas) = run_with(&mut host, &code, 100_000);
    assert_eq!(gas, 3 + 2600 + 2 + 3 + 100 + 2);
    let mut host = TestHost::new(Revision::Istanbul);
    let (_, gas) = run_with(&mut host, &code, 100_000);
    assert_eq!(gas, 2 * (3 + 700 + 2));
    let mut host = TestHost::new(Revision::Frontier);
    let (_, gas) = run_with(&mut host, &code, 100_000);
    assert_eq!(gas, 2 * (3 + 20 + 2));
    // BALANCE: 400 in Tangerine Whistle, 700 in Istanbul.
    let mut host = TestHost::new(Revision::TangerineWhistle);
    let (_, gas) = run_with(&mut host, &format!("{other}3100"), 100_000);
    assert_eq!(gas, 3 + 400);
}

#[test]
fn extcodehash_and_copy() {
    let other = Address::new([0xaa; 20]);
    let mut host = TestHost::new(Revision::Osaka);
    host.set_code(other, &[0x60, 0x01]);
    let (res, _) = run_with(
        &mut host,
        "73aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3f60005260206000f3",
        100_000,
    );
    assert_eq!(res.output.as_ref(), keccak256([0x60, 0x01]).as_slice());
    // EXTCODECOPY 4 bytes from offset 1: 01 00 00 00
    let (res, _) = run_with(
        &mut host,
        "600460016000 73aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 3c 60206000f3"
            .replace(' ', "")
            .as_str(),
        100_000,
    );
    assert_eq!(&res.output[..5], &[1, 0, 0, 0, 0]);
    // No account: hash 0.
    let (res, _) = run_with(
        &mut host,
        "73bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb3f60005260206000f3",
        100_000,
    );
    assert_eq!(word(&res), U256::ZERO);
}

#[test]
fn returndata_bounds() {
    // RETURNDATACOPY of 1 byte with empty return data: invalid memory access.
    let (res, gas) = run(Revision::Osaka, "600160006000 3e".replace(' ', "").as_str());
    assert_eq!(res.status, StatusCode::InvalidMemoryAccess);
    assert_eq!(gas, 1_000_000);
    // Zero bytes at offset 0 is fine; RETURNDATASIZE is 0.
    assert_eq!(
        run(Revision::Osaka, "6000600060003e3d").0.status,
        StatusCode::Success
    );
}
