use crate::common::*;
use xvm_evm::*;

fn u(v: u64) -> U256 {
    U256::from(v)
}

#[test]
fn add_mul_sub_div_mod() {
    let r = Revision::Osaka;
    assert_eq!(eval(r, "6002600301"), u(5)); // 3 + 2
    assert_eq!(eval(r, "6003600202"), u(6));
    assert_eq!(eval(r, "6002600303"), u(1)); // 3 - 2
    assert_eq!(eval(r, "6003600203"), U256::MAX); // 2 - 3 wraps
    assert_eq!(eval(r, "6003600704"), u(2)); // 7 / 3
    assert_eq!(eval(r, "6000600704"), u(0)); // 7 / 0
    assert_eq!(eval(r, "6003600706"), u(1)); // 7 % 3
    assert_eq!(eval(r, "6000600706"), u(0));
    // ADDMOD/MULMOD with 512-bit intermediates: (MAX + MAX) % 7, (MAX * MAX) % 12
    let max = "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    assert_eq!(
        eval(r, &format!("6007{max}{max}08")),
        (U256::MAX % u(7) * u(2)) % u(7)
    );
    assert_eq!(eval(r, &format!("600c{max}{max}09")), u(9));
    assert_eq!(eval(r, "60006001600208"), u(0)); // (2 + 1) % 0
}

#[test]
fn signed_ops() {
    let r = Revision::Osaka;
    // -8 / 3 = -2 (toward zero); -8 % 3 = -2
    let m8 = "7ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff8";
    assert_eq!(eval(r, &format!("6003{m8}05")), u(2).wrapping_neg());
    assert_eq!(eval(r, &format!("6003{m8}07")), u(2).wrapping_neg());
    // SIGNEXTEND(0, 0xff) = -1
    assert_eq!(eval(r, "60ff60000b"), U256::MAX);
}

#[test]
fn exp_result_and_gas_per_fork() {
    // PUSH2 0x0100 (exponent 256: 2 bytes) PUSH1 2 EXP -> 2^256 wraps to 0
    let code = "61010060020a00";
    let (res, gas) = run(Revision::Homestead, code);
    assert_eq!(res.status, StatusCode::Success);
    assert_eq!(gas, 3 + 3 + 10 + 2 * 10);
    let (_, gas) = run(Revision::SpuriousDragon, code);
    assert_eq!(gas, 3 + 3 + 10 + 2 * 50);
    assert_eq!(eval(Revision::Osaka, "600a60030a"), u(59049)); // 3^10
    assert_eq!(eval(Revision::Osaka, "600060000a"), u(1)); // 0^0
}
