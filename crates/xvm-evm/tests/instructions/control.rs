use crate::common::*;
use xvm_evm::*;

#[test]
fn jumps() {
    let r = Revision::Osaka;
    // PUSH1 4 JUMP INVALID JUMPDEST PUSH1 7 -> 7
    assert_eq!(eval(r, "600456fe5b6007"), U256::from(7));
    // JUMPI not taken: PUSH1 0 PUSH1 9 JUMPI PUSH1 1 ... falls through
    assert_eq!(eval(r, "60006009576001"), U256::from(1));
    // Jump into push data is bad.
    let (res, gas) = run(r, "600356605b00");
    assert_eq!(res.status, StatusCode::BadJumpDestination);
    assert_eq!(gas, 1_000_000);
    // Jump past the end is bad.
    assert_eq!(run(r, "61ffff56").0.status, StatusCode::BadJumpDestination);
    // JUMPI taken to a non-JUMPDEST is bad.
    assert_eq!(
        run(r, "6001600057").0.status,
        StatusCode::BadJumpDestination
    );
}

#[test]
fn pc_gas_and_static_costs() {
    let r = Revision::Osaka;
    assert_eq!(eval(r, "600058"), U256::from(2)); // PC after PUSH1
                                                  // GAS: 1_000_000 - 2
    let (res, _) = run(r, "5a60005260206000f3");
    assert_eq!(U256::from_be_slice(&res.output), U256::from(1_000_000 - 2));
    // JUMP 8 + JUMPDEST 1 + PUSH1 3
    let (_, gas) = run(r, "6003565b00");
    assert_eq!(gas, 3 + 8 + 1);
}

#[test]
fn return_and_revert() {
    let r = Revision::Osaka;
    let (res, gas) = run(r, "600160005260206000fd");
    assert_eq!(res.status, StatusCode::Revert);
    assert_eq!(U256::from_be_slice(&res.output), U256::from(1));
    assert_eq!(gas, 3 + 3 + 3 + 3 + 3 + 3);
    assert_eq!(res.gas_left, 1_000_000 - gas);
    // REVERT is undefined before Byzantium.
    assert_eq!(
        run(Revision::SpuriousDragon, "60006000fd").0.status,
        StatusCode::UndefinedInstruction
    );
    // Running off the end is STOP; INVALID consumes everything.
    assert_eq!(run(r, "6001").0.status, StatusCode::Success);
    let (res, gas) = run(r, "fe");
    assert_eq!(
        (res.status, gas),
        (StatusCode::InvalidInstruction, 1_000_000)
    );
    assert_eq!(run(r, "0c").0.status, StatusCode::UndefinedInstruction);
}

#[test]
fn the_issue_example() {
    let (res, gas) = run(Revision::Osaka, "600160020160005260206000f3");
    assert_eq!(res.status, StatusCode::Success);
    assert_eq!(gas, 24);
    assert_eq!(U256::from_be_slice(&res.output), U256::from(3));
}
