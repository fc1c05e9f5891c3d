use crate::common::*;
use xvm_evm::*;

fn u(v: u64) -> U256 {
    U256::from(v)
}

#[test]
fn comparisons() {
    let r = Revision::Osaka;
    assert_eq!(eval(r, "6002600110"), u(1)); // 1 < 2
    assert_eq!(eval(r, "6002600111"), u(0)); // 1 > 2
                                             // -1 < 1 signed, not unsigned
    assert_eq!(eval(r, "600160001912"), u(1));
    assert_eq!(eval(r, "600160001910"), u(0));
    assert_eq!(eval(r, "600160001913"), u(0));
    assert_eq!(eval(r, "6005600514"), u(1));
    assert_eq!(eval(r, "600015"), u(1));
}

#[test]
fn logic_byte_shifts() {
    let r = Revision::Osaka;
    assert_eq!(eval(r, "600c600a16"), u(8));
    assert_eq!(eval(r, "600c600a17"), u(14));
    assert_eq!(eval(r, "600c600a18"), u(6));
    assert_eq!(eval(r, "600019"), U256::MAX);
    // BYTE 31 of 0x1234 = 0x34; BYTE 32 = 0
    assert_eq!(eval(r, "611234601f1a"), u(0x34));
    assert_eq!(eval(r, "61123460201a"), u(0));
    assert_eq!(eval(r, "600160041b"), u(16)); // 1 << 4
    assert_eq!(eval(r, "60106004 1c".replace(' ', "").as_str()), u(1)); // 16 >> 4
    assert_eq!(eval(r, "6001610100 1b".replace(' ', "").as_str()), u(0)); // 1 << 256
    assert_eq!(
        eval(r, "6000196004 1d".replace(' ', "").as_str()),
        U256::MAX
    ); // -1 >>> 4
}

#[test]
fn shifts_are_undefined_before_constantinople() {
    let (res, gas) = run(Revision::Byzantium, "600160041b");
    assert_eq!(res.status, StatusCode::UndefinedInstruction);
    assert_eq!(gas, 1_000_000);
}

#[test]
fn clz_osaka_only() {
    assert_eq!(eval(Revision::Osaka, "60011e"), u(255));
    assert_eq!(eval(Revision::Osaka, "60001e"), u(256));
    assert_eq!(eval(Revision::Osaka, "6000191e"), u(0));
    let (_, gas) = run(Revision::Osaka, "60011e00");
    assert_eq!(gas, 3 + 5);
    assert_eq!(
        run(Revision::Prague, "60011e").0.status,
        StatusCode::UndefinedInstruction
    );
}
