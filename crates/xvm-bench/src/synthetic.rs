//! Synthetic loop programs, one per opcode family, so that the cost of one instruction is
//! visible family by family.
//!
//! Every program has the same frame: 16 filler words (so DUP16/SWAP16 have something to reach),
//! a work word `w` and a loop counter, then a loop of [`ITERATIONS`] iterations whose body is
//! [`UNITS`] copies of a stack-neutral unit that exercises the family on top of `w`:
//!
//! | family | unit |
//! |---|---|
//! | PUSHn, PUSH0 | `PUSHn imm; POP` |
//! | DUPn | `DUPn; POP` |
//! | SWAPn | `SWAPn` (an even number of them, so the stack ends as it began) |
//! | JUMPDEST | `JUMPDEST` |
//! | unary (ISZERO, NOT, CLZ) | `OP` |
//! | binary (ADD, LT, SHL, SIGNEXTEND, ...) | `DUP1; OP` |
//! | ternary (ADDMOD, MULMOD) | `DUP1; DUP1; OP` |
//! | getters (ADDRESS, PC, MSIZE, GAS, CODESIZE, ...) | `OP; POP` |
//! | memory | `PUSH1 0; MLOAD; POP` and `DUP1; PUSH1 0; MSTORE` |
//! | CALLDATALOAD | `PUSH1 0; CALLDATALOAD; POP` |
//!
//! The loop's own bookkeeping (about ten instructions per iteration) is small against the body.

use crate::Case;

/// Units per loop iteration.
pub const UNITS: usize = 500;
/// Loop iterations.
pub const ITERATIONS: u32 = 200;

const JUMPDEST: u8 = 0x5b;
const POP: u8 = 0x50;
const DUP1: u8 = 0x80;
const SWAP1: u8 = 0x90;
const PUSH0: u8 = 0x5f;
const PUSH1: u8 = 0x60;

/// One synthetic case: the label names the family member (`PUSH7`, `ADD`, ...).
fn case(label: &str, unit: &[u8]) -> Case {
    Case {
        group: "synthetic".to_string(),
        label: label.to_string(),
        code: loop_program(unit, UNITS, ITERATIONS),
        input: vec![0x5a; 32],
    }
}

/// A loop running `units` copies of `unit` per iteration, `iterations` times (at least once).
pub fn loop_program(unit: &[u8], units: usize, iterations: u32) -> Vec<u8> {
    let mut code = Vec::with_capacity(64 + unit.len() * units);
    for i in 1..=16u8 {
        code.extend([PUSH1, i]);
    }
    // w: a full-width word with bits set in every limb.
    code.push(0x7f);
    code.extend((0..32u8).map(|i| i.wrapping_mul(37) ^ 0xa5));
    let [_, c2, c1, c0] = iterations.max(1).to_be_bytes();
    code.extend([0x62, c2, c1, c0]); // PUSH3 counter
    let head = code.len();
    code.extend([JUMPDEST, SWAP1]); // [.., counter, w]
    for _ in 0..units {
        code.extend_from_slice(unit);
    }
    // [.., counter, w] -> [.., w, counter - 1]; loop while it is not zero.
    let [h1, h0] = (head as u16).to_be_bytes();
    code.extend([SWAP1, PUSH1, 1, SWAP1, 0x03, DUP1, 0x61, h1, h0, 0x57, 0x00]);
    code
}

/// Every synthetic case, in a fixed order.
pub fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    out.push(case("PUSH0", &[PUSH0, POP]));
    for n in 1..=32u8 {
        let mut unit = vec![PUSH1 + n - 1];
        unit.extend((0..n).map(|i| 0x80 | i.wrapping_mul(29)));
        unit.push(POP);
        out.push(case(&format!("PUSH{n}"), &unit));
    }
    for n in 1..=16u8 {
        out.push(case(&format!("DUP{n}"), &[DUP1 + n - 1, POP]));
    }
    for n in 1..=16u8 {
        out.push(case(&format!("SWAP{n}"), &[SWAP1 + n - 1]));
    }
    out.push(case("JUMPDEST", &[JUMPDEST]));
    for (name, op) in [("ISZERO", 0x15), ("NOT", 0x19), ("CLZ", 0x1e)] {
        out.push(case(name, &[op]));
    }
    for (name, op) in [
        ("ADD", 0x01),
        ("MUL", 0x02),
        ("SUB", 0x03),
        ("DIV", 0x04),
        ("SDIV", 0x05),
        ("MOD", 0x06),
        ("SMOD", 0x07),
        ("SIGNEXTEND", 0x0b),
        ("LT", 0x10),
        ("GT", 0x11),
        ("SLT", 0x12),
        ("SGT", 0x13),
        ("EQ", 0x14),
        ("AND", 0x16),
        ("OR", 0x17),
        ("XOR", 0x18),
        ("BYTE", 0x1a),
        ("SHL", 0x1b),
        ("SHR", 0x1c),
        ("SAR", 0x1d),
    ] {
        out.push(case(name, &[DUP1, op]));
    }
    for (name, op) in [("ADDMOD", 0x08), ("MULMOD", 0x09)] {
        out.push(case(name, &[DUP1, DUP1, op]));
    }
    for (name, op) in [
        ("ADDRESS", 0x30),
        ("ORIGIN", 0x32),
        ("CALLER", 0x33),
        ("CALLVALUE", 0x34),
        ("CALLDATASIZE", 0x36),
        ("CODESIZE", 0x38),
        ("GASPRICE", 0x3a),
        ("RETURNDATASIZE", 0x3d),
        ("COINBASE", 0x41),
        ("TIMESTAMP", 0x42),
        ("NUMBER", 0x43),
        ("PREVRANDAO", 0x44),
        ("GASLIMIT", 0x45),
        ("CHAINID", 0x46),
        ("BASEFEE", 0x48),
        ("PC", 0x58),
        ("MSIZE", 0x59),
        ("GAS", 0x5a),
    ] {
        out.push(case(name, &[op, POP]));
    }
    out.push(case("MLOAD", &[PUSH1, 0, 0x51, POP]));
    out.push(case("MSTORE", &[DUP1, PUSH1, 0, 0x52]));
    out.push(case("CALLDATALOAD", &[PUSH1, 0, 0x35, POP]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::MemHost;
    use xvm_evm::{AnalyzedCode, Interpreter, Revision, StatusCode};

    #[test]
    fn every_program_runs_to_stop_and_costs_what_its_units_cost() {
        for c in cases() {
            let code = AnalyzedCode::new(&c.code);
            let r = crate::measure::run(
                &Interpreter,
                Revision::Osaka,
                &code,
                &c.input,
                &mut MemHost::new(),
            );
            assert_eq!(r.status, StatusCode::Success, "{}", c.label);
            let used = crate::GAS - r.gas_left;
            // At least the body's base cost: every unit costs at least 1 gas.
            assert!(
                used >= (UNITS as i64) * (ITERATIONS as i64),
                "{}: {used}",
                c.label
            );
        }
    }

    #[test]
    fn add_loop_gas_is_exact() {
        // Prelude: 16 PUSH1 + PUSH32 + PUSH3 = 18 * 3. Per iteration: JUMPDEST 1, SWAP1 3,
        // units * (DUP1 3 + ADD 3), tail SWAP1 3, PUSH1 3, SWAP1 3, SUB 3, DUP1 3, PUSH2 3,
        // JUMPI 10; then STOP.
        let prog = loop_program(&[DUP1, 0x01], 10, 3);
        let code = AnalyzedCode::new(&prog);
        let r = crate::measure::run(
            &Interpreter,
            Revision::Osaka,
            &code,
            &[],
            &mut MemHost::new(),
        );
        assert_eq!(r.status, StatusCode::Success);
        let per_iter = 1 + 3 + 10 * 6 + 6 * 3 + 10;
        assert_eq!(crate::GAS - r.gas_left, 18 * 3 + 3 * per_iter);
    }
}
