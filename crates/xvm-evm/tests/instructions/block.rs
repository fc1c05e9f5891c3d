use crate::common::*;
use xvm_evm::*;

#[test]
fn block_and_tx_context() {
    let r = Revision::Osaka;
    assert_eq!(eval(r, "43"), U256::from(1000)); // NUMBER
    assert_eq!(eval(r, "42"), U256::from(1_700_000_000u64)); // TIMESTAMP
    assert_eq!(eval(r, "45"), U256::from(30_000_000)); // GASLIMIT
    assert_eq!(eval(r, "46"), U256::from(1)); // CHAINID
    assert_eq!(eval(r, "48"), U256::from(10)); // BASEFEE
    assert_eq!(eval(r, "4a"), U256::from(1)); // BLOBBASEFEE
    assert_eq!(eval(r, "3a"), U256::from(7)); // GASPRICE
    assert_eq!(eval(r, "44"), U256::from_be_bytes([0x42; 32])); // PREVRANDAO
    assert_eq!(eval(r, "600049"), U256::from_be_bytes([0x01; 32])); // BLOBHASH 0
    assert_eq!(eval(r, "600149"), U256::ZERO); // BLOBHASH 1: out of range
    assert_eq!(
        eval(r, "41"),
        U256::from_be_slice(&[0xcb; 20]) // COINBASE
    );
}

#[test]
fn blockhash_window() {
    let r = Revision::Osaka;
    let h = |n: i64| U256::from_be_bytes(keccak256(n.to_string().as_bytes()).0);
    assert_eq!(eval(r, "6103e740"), h(999));
    assert_eq!(eval(r, "6102e840"), h(744));
    assert_eq!(eval(r, "6102e740"), U256::ZERO); // 743 < 1000 - 256
    assert_eq!(eval(r, "6103e840"), U256::ZERO); // current block
}

#[test]
fn introduced_opcodes_are_undefined_before_their_fork() {
    for (code, first) in [
        ("46", Revision::Istanbul),
        ("47", Revision::Istanbul),
        ("48", Revision::London),
        ("5f", Revision::Shanghai),
        ("4a", Revision::Cancun),
        ("600049", Revision::Cancun),
    ] {
        let before = Revision::from_evmc(first as i64 - 1).unwrap();
        assert_eq!(
            run(before, code).0.status,
            StatusCode::UndefinedInstruction,
            "{code}"
        );
        assert_eq!(run(first, code).0.status, StatusCode::Success, "{code}");
    }
}
