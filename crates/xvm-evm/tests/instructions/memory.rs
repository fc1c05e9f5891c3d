use crate::common::*;
use xvm_evm::*;

#[test]
fn mstore_mload_mstore8_msize() {
    let r = Revision::Osaka;
    assert_eq!(
        eval(r, "602a6020526020 51".replace(' ', "").as_str()),
        U256::from(42)
    );
    // MSTORE8 keeps the low byte only.
    let (res, _) = run(r, "61ffaa600053 60016000f3".replace(' ', "").as_str());
    assert_eq!(res.output.as_ref(), &[0xaa]);
    // MSIZE after touching byte 33: 64
    assert_eq!(
        eval(r, "6000602153 59".replace(' ', "").as_str()),
        U256::from(64)
    );
}

#[test]
fn memory_expansion_gas() {
    // MLOAD at 0x3e0 (992): memory to 1024 bytes = 32 words: 3*32 + 32*32/512 = 98
    let (_, gas) = run(Revision::Osaka, "6103e051 00".replace(' ', "").as_str());
    assert_eq!(gas, 3 + 3 + 98);
    // Huge offset: out of gas, everything consumed.
    let (res, gas) = run(Revision::Osaka, "63ffffffff51");
    assert_eq!(res.status, StatusCode::OutOfGas);
    assert_eq!(gas, 1_000_000);
    let (res, _) = run(
        Revision::Osaka,
        "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff51",
    );
    assert_eq!(res.status, StatusCode::OutOfGas);
}

#[test]
fn keccak256_gas_and_value() {
    // KECCAK256 of 0 bytes
    let (res, gas) = run(Revision::Osaka, "600060002060005260206000f3");
    assert_eq!(res.output.as_ref(), keccak256([]).as_slice());
    assert_eq!(gas, 3 + 3 + 30 + 3 + 3 + 3 + 3 + 3);
    // KECCAK256 of 33 bytes at 0: 30 + 6*2 + memory 2 words (6)
    let (_, gas) = run(Revision::Osaka, "602160002000");
    assert_eq!(gas, 3 + 3 + 30 + 12 + 6);
}

#[test]
fn mcopy() {
    let r = Revision::Cancun;
    // store 0x..2a at 0, MCOPY(dst 32, src 0, 32), MLOAD 32
    assert_eq!(
        eval(
            r,
            "602a600052 602060006020 5e 6020 51"
                .replace(' ', "")
                .as_str()
        ),
        U256::from(42)
    );
    // gas: MCOPY of 32 bytes to 32 when memory is 32: 3 + 3 + expansion 3
    let (_, gas) = run(r, "602a600052 602060006020 5e 00".replace(' ', "").as_str());
    assert_eq!(gas, 3 + 3 + 6 + 9 + 3 + 3 + 3);
    // Overlapping copy behaves like memmove.
    let (res, _) = run(
        r,
        "7f000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f600052 601f60006001 5e 60206000f3"
            .replace(' ', "")
            .as_str(),
    );
    assert_eq!(res.output[0], 0);
    assert_eq!(res.output[1], 0);
    assert_eq!(res.output[31], 30);
    assert_eq!(
        run(Revision::Shanghai, "6000600060005e").0.status,
        StatusCode::UndefinedInstruction
    );
}
