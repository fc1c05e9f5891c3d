use crate::common::*;
use xvm_evm::*;

const OTHER: Address = Address::new([0xaa; 20]);
const OTHER_HEX: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/// CALL(gas, OTHER, value, 0, 0, 0, 32) and return memory[0..32] (the callee's output).
fn call_code(op: &str, value: Option<u64>, gas: u64) -> String {
    let v = value.map(|v| format!("60{v:02x}")).unwrap_or_default();
    format!("60206000600060 00{v}73{OTHER_HEX}62{gas:06x}{op}60005260206000f3").replace(' ', "")
}

fn host_with_callee(rev: Revision, callee: &str) -> TestHost {
    let mut host = TestHost::new(rev);
    host.set_code(OTHER, &hex::decode(callee).unwrap());
    host.accounts.entry(CONTRACT).or_default().balance = U256::from(1000);
    host
}

/// Callee code returning CALLER, CALLVALUE, ADDRESS packed in three words.
const WHO: &str = "33600052346020523060405260606000f3";

#[test]
fn call_kinds_set_sender_value_recipient() {
    let rev = Revision::Osaka;
    let mut host = host_with_callee(rev, WHO);
    let (res, _) = run_with(&mut host, &call_code("f1", Some(5), 0xffff), 1_000_000);
    assert_eq!(res.status, StatusCode::Success);
    let m = host.calls.last().unwrap().clone();
    assert_eq!(
        (m.kind, m.sender, m.recipient, m.code_address),
        (CallKind::Call, CONTRACT, OTHER, OTHER)
    );
    assert_eq!(m.value, U256::from(5));
    assert_eq!(m.depth, 1);
    assert_eq!(m.gas, 0xffff + 2300);
    assert_eq!(host.accounts[&OTHER].balance, U256::from(5));

    let mut host = host_with_callee(rev, WHO);
    run_with(&mut host, &call_code("f2", Some(5), 0xffff), 1_000_000);
    let m = host.calls.last().unwrap().clone();
    assert_eq!(
        (m.kind, m.sender, m.recipient, m.code_address),
        (CallKind::CallCode, CONTRACT, CONTRACT, OTHER)
    );

    let mut host = host_with_callee(rev, WHO);
    run_with(&mut host, &call_code("f4", None, 0xffff), 1_000_000);
    let m = host.calls.last().unwrap().clone();
    assert_eq!(
        (m.kind, m.sender, m.recipient, m.code_address),
        (CallKind::DelegateCall, SENDER, CONTRACT, OTHER)
    );

    let mut host = host_with_callee(rev, WHO);
    run_with(&mut host, &call_code("fa", None, 0xffff), 1_000_000);
    let m = host.calls.last().unwrap().clone();
    assert!(m.is_static);
    assert_eq!(
        (m.kind, m.sender, m.recipient),
        (CallKind::Call, CONTRACT, OTHER)
    );
}

#[test]
fn call_output_and_return_data() {
    let rev = Revision::Osaka;
    // Callee returns 42.
    let mut host = host_with_callee(rev, "602a60005260206000f3");
    // CALL then RETURNDATASIZE stored after the output: return 64 bytes.
    let code = format!("6020600060006000600073{OTHER_HEX}61fffff1503d60205260406000f3");
    let (res, _) = run_with(&mut host, &code, 1_000_000);
    assert_eq!(U256::from_be_slice(&res.output[..32]), U256::from(42));
    assert_eq!(U256::from_be_slice(&res.output[32..]), U256::from(32));
}

#[test]
fn call_gas_costs() {
    // Berlin: cold callee 2600, no value. Callee is STOP.
    // pushes: 7 * 3 (6 PUSH1/PUSH20/PUSH3 ... ) then CALL 100 + 2500 cold, memory 1 word (3)
    let mut host = host_with_callee(Revision::Berlin, "00");
    let (_, gas) = run_with(&mut host, &call_code("f1", Some(0), 0xffff), 1_000_000);
    let pushes = 7 * 3;
    let tail = 3 + 3 + 3 + 3; // PUSH1 0, MSTORE, 2x PUSH1, RETURN (0)
    assert_eq!(gas, pushes + 2600 + 3 + tail);
    // Value to a non-existent account: 9000 + 25000; the callee (no code) hands back the 2300
    // stipend it was given for free, so the caller ends up 2300 better off.
    let mut host = TestHost::new(Revision::Istanbul);
    host.accounts.entry(CONTRACT).or_default().balance = U256::from(1000);
    let (_, gas) = run_with(&mut host, &call_code("f1", Some(1), 0), 1_000_000);
    assert_eq!(gas, pushes + 700 + 9000 + 25000 + 3 + tail - 2300);
}

#[test]
fn call_with_insufficient_balance_fails_lightly() {
    let mut host = host_with_callee(Revision::Osaka, "00");
    host.accounts.entry(CONTRACT).or_default().balance = U256::ZERO;
    let (res, _) = run_with(&mut host, &call_code("f1", Some(1), 0), 1_000_000);
    assert_eq!(res.status, StatusCode::Success);
    assert_eq!(U256::from_be_slice(&res.output), U256::ZERO);
    assert!(host.calls.is_empty());
}

#[test]
fn static_call_with_value_violates() {
    let mut host = host_with_callee(Revision::Osaka, "00");
    let code = hex::decode(call_code("f1", Some(1), 0)).unwrap();
    let msg = Message {
        gas: 100_000,
        is_static: true,
        recipient: CONTRACT,
        sender: SENDER,
        code_address: CONTRACT,
        ..Message::default()
    };
    let res = execute(&mut host, Revision::Osaka, &msg, &code);
    assert_eq!(res.status, StatusCode::StaticModeViolation);
}

#[test]
fn create_and_create2() {
    // Init code returning one byte 0xfe: 60fe60005360016000f3 (10 bytes), stored in memory via
    // PUSH10 at offset 22, CREATE(value 0, offset 22, size 10)
    let init = "60fe60005360016000f3";
    let code = format!("69{init}600052600a60166000f060005260206000f3");
    let mut host = TestHost::new(Revision::Osaka);
    let (res, _) = run_with(&mut host, &code, 1_000_000);
    assert_eq!(res.status, StatusCode::Success);
    assert_eq!(&res.output[12..], &[0xee; 20]);
    let m = host.calls.last().unwrap();
    assert_eq!(m.kind, CallKind::Create);
    assert_eq!(m.input.as_ref(), hex::decode(init).unwrap().as_slice());
    assert_eq!(
        host.accounts[&Address::new([0xee; 20])].code.as_ref(),
        &[0xfe]
    );
    // CREATE2 charges 6 gas per word of init code for hashing; Shanghai adds 2 per word.
    let code2 = format!("69{init}6000526000600a60166000f500");
    let mut host = TestHost::new(Revision::Osaka);
    let (_, gas_osaka) = run_with(&mut host, &code2, 1_000_000);
    let m = host.calls.last().unwrap().clone();
    assert_eq!(m.kind, CallKind::Create2);
    let mut host = TestHost::new(Revision::Constantinople);
    let (_, gas_const) = run_with(&mut host, &code2, 1_000_000);
    // Same child execution in both; the difference is the EIP-3860 word cost (1 word).
    assert_eq!(gas_osaka - gas_const, 2);
}

#[test]
fn initcode_limit_from_shanghai() {
    // CREATE with size 0xC001 (> 49152): exceptional failure in Shanghai.
    let code = "61c00160006000f0";
    let mut host = TestHost::new(Revision::Shanghai);
    let (res, _) = run_with(&mut host, code, 100_000_000);
    assert_eq!(res.status, StatusCode::OutOfGas);
    let mut host = TestHost::new(Revision::Paris);
    let (res, _) = run_with(&mut host, code, 100_000_000);
    assert_eq!(res.status, StatusCode::Success);
}

#[test]
fn selfdestruct_costs() {
    let code = format!("73{OTHER_HEX}ff");
    // Frontier: free.
    let (res, gas) = run(Revision::Frontier, &code);
    assert_eq!((res.status, gas), (StatusCode::Success, 3));
    assert_eq!(res.gas_refund, 24000);
    // Tangerine Whistle: 5000 + 25000 for a non-existent beneficiary.
    assert_eq!(run(Revision::TangerineWhistle, &code).1, 3 + 5000 + 25000);
    // Spurious Dragon: new-account cost only when value moves (balance 0 here).
    assert_eq!(run(Revision::SpuriousDragon, &code).1, 3 + 5000);
    // Berlin: cold beneficiary +2600.
    assert_eq!(run(Revision::Berlin, &code).1, 3 + 5000 + 2600);
    // London: no refund.
    assert_eq!(run(Revision::London, &code).0.gas_refund, 0);
}

#[test]
fn eip7702_delegate_access_is_charged() {
    let delegate = Address::new([0xdd; 20]);
    let mut designator = vec![0xef, 0x01, 0x00];
    designator.extend_from_slice(delegate.as_slice());
    let code = call_code("f1", Some(0), 0);
    let mut host = TestHost::new(Revision::Prague);
    host.set_code(OTHER, &designator);
    let (_, prague) = run_with(&mut host, &code, 1_000_000);
    let mut host = TestHost::new(Revision::Cancun);
    host.set_code(OTHER, &designator);
    let (_, cancun) = run_with(&mut host, &code, 1_000_000);
    assert_eq!(prague - cancun, 2600);
    assert_eq!(delegation_target(&mut host, &OTHER), Some(delegate));
}
