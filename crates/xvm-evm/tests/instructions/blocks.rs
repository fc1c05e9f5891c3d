//! The interpreter charges static gas and checks the stack once per basic block; these check
//! that what a program observes is what per-instruction charging gives: the gas GAS reads, the
//! gas used across jumps and fall-throughs, and the exact failure (status) inside a block.

use crate::common::*;
use xvm_evm::*;

#[test]
fn gas_reads_the_gas_left_after_its_own_cost_only() {
    // GAS, then the rest of the program (MSTORE, RETURN) in the same straight line.
    assert_eq!(eval(Revision::Osaka, "5a"), U256::from(1_000_000 - 2));
    // GAS, GAS, SWAP1, SUB: the two readings are 2 apart.
    assert_eq!(eval(Revision::Osaka, "5a5a9003"), U256::from(2));
}

#[test]
fn jumps_and_fall_through_charge_each_instruction_once() {
    // PUSH1 4, JUMP, STOP, JUMPDEST, JUMPDEST, STOP
    let (r, gas) = run(Revision::Osaka, "600456005b5b00");
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(gas, 3 + 8 + 1 + 1);
    // PUSH1 0, PUSH1 8, JUMPI (not taken), PUSH1 1, POP, JUMPDEST, STOP
    let (r, gas) = run(Revision::Osaka, "60006008576001505b00");
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(gas, 3 + 3 + 10 + 3 + 2 + 1);
    // Taken: PUSH1 1, PUSH1 8, JUMPI, INVALID x2, PUSH1 0 (pad), JUMPDEST at 8, STOP
    let (r, gas) = run(Revision::Osaka, "6001600857fefefe5b00");
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(gas, 3 + 3 + 10 + 1);
}

#[test]
fn a_run_of_jumpdests_costs_one_gas_each() {
    // GAS, five JUMPDESTs, GAS, SWAP1, SUB: the readings are 5 + 2 apart.
    assert_eq!(
        eval(Revision::Osaka, "5a5b5b5b5b5b5a9003"),
        U256::from(5 + 2)
    );
    // PUSH1 5, JUMP into the middle of a run (JUMPDESTs at 3..=6), STOP: two are passed.
    let (r, gas) = run(Revision::Osaka, "6005565b5b5b5b00");
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(gas, 3 + 8 + 1 + 1);
    // A run that ends the code stops at the implicit STOP after it.
    let (r, gas) = run(Revision::Osaka, "5b5b5b");
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(gas, 3);
    // Not enough gas for the whole run: out of gas, all of it used.
    let (r, _) = run_with(&mut TestHost::new(Revision::Osaka), "5b5b5b5b", 3);
    assert_eq!(r.status, StatusCode::OutOfGas);
    assert_eq!(r.gas_left, 0);
}

#[test]
fn failures_inside_a_block_are_the_exact_ones() {
    // PUSH1, PUSH1, SUB, ADD (underflow): enough gas -> stack underflow ...
    let (r, gas) = run(Revision::Osaka, "600160020301");
    assert_eq!(r.status, StatusCode::StackUnderflow);
    assert_eq!(gas, 1_000_000);
    // ... but out of gas at SUB first when the gas runs out there.
    let (r, _) = run_with(&mut TestHost::new(Revision::Osaka), "600160020301", 7);
    assert_eq!(r.status, StatusCode::OutOfGas);
    // ADD on an empty stack with no gas for it: underflow is checked first.
    let (r, _) = run_with(&mut TestHost::new(Revision::Osaka), "01", 1);
    assert_eq!(r.status, StatusCode::StackUnderflow);
    // INVALID and an undefined opcode after straight-line code.
    assert_eq!(
        run(Revision::Osaka, "60016002fe").0.status,
        StatusCode::InvalidInstruction
    );
    assert_eq!(
        run(Revision::Osaka, "600160020c").0.status,
        StatusCode::UndefinedInstruction
    );
    // PUSH0 is undefined before Shanghai, fine from it on.
    assert_eq!(
        run(Revision::Paris, "60015f00").0.status,
        StatusCode::UndefinedInstruction
    );
    assert_eq!(
        run(Revision::Shanghai, "60015f00").0.status,
        StatusCode::Success
    );
}

#[test]
fn stack_overflow_is_found_in_a_long_block() {
    let full = "5f".repeat(1024) + "00";
    assert_eq!(run(Revision::Osaka, &full).0.status, StatusCode::Success);
    let over = "5f".repeat(1025) + "00";
    let (r, gas) = run(Revision::Osaka, &over);
    assert_eq!(r.status, StatusCode::StackOverflow);
    assert_eq!(gas, 1_000_000);
}

#[test]
fn push_reads_zero_padding_past_the_end_of_the_code() {
    // PUSH32 with one immediate byte: the other 31 come from the padding.
    let (r, gas) = run(Revision::Osaka, "7f01");
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(gas, 3);
    // PUSH2 with no immediate at all, as the last byte: 0.
    let (r, gas) = run(Revision::Osaka, "61");
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(gas, 3);
}
