//! Opcode numbers, names, stack effects and the per-revision static gas table.

use crate::revision::Revision;

/// Opcode byte values.
#[allow(missing_docs)]
pub mod op {
    pub const STOP: u8 = 0x00;
    pub const ADD: u8 = 0x01;
    pub const MUL: u8 = 0x02;
    pub const SUB: u8 = 0x03;
    pub const DIV: u8 = 0x04;
    pub const SDIV: u8 = 0x05;
    pub const MOD: u8 = 0x06;
    pub const SMOD: u8 = 0x07;
    pub const ADDMOD: u8 = 0x08;
    pub const MULMOD: u8 = 0x09;
    pub const EXP: u8 = 0x0a;
    pub const SIGNEXTEND: u8 = 0x0b;
    pub const LT: u8 = 0x10;
    pub const GT: u8 = 0x11;
    pub const SLT: u8 = 0x12;
    pub const SGT: u8 = 0x13;
    pub const EQ: u8 = 0x14;
    pub const ISZERO: u8 = 0x15;
    pub const AND: u8 = 0x16;
    pub const OR: u8 = 0x17;
    pub const XOR: u8 = 0x18;
    pub const NOT: u8 = 0x19;
    pub const BYTE: u8 = 0x1a;
    pub const SHL: u8 = 0x1b;
    pub const SHR: u8 = 0x1c;
    pub const SAR: u8 = 0x1d;
    pub const CLZ: u8 = 0x1e;
    pub const KECCAK256: u8 = 0x20;
    pub const ADDRESS: u8 = 0x30;
    pub const BALANCE: u8 = 0x31;
    pub const ORIGIN: u8 = 0x32;
    pub const CALLER: u8 = 0x33;
    pub const CALLVALUE: u8 = 0x34;
    pub const CALLDATALOAD: u8 = 0x35;
    pub const CALLDATASIZE: u8 = 0x36;
    pub const CALLDATACOPY: u8 = 0x37;
    pub const CODESIZE: u8 = 0x38;
    pub const CODECOPY: u8 = 0x39;
    pub const GASPRICE: u8 = 0x3a;
    pub const EXTCODESIZE: u8 = 0x3b;
    pub const EXTCODECOPY: u8 = 0x3c;
    pub const RETURNDATASIZE: u8 = 0x3d;
    pub const RETURNDATACOPY: u8 = 0x3e;
    pub const EXTCODEHASH: u8 = 0x3f;
    pub const BLOCKHASH: u8 = 0x40;
    pub const COINBASE: u8 = 0x41;
    pub const TIMESTAMP: u8 = 0x42;
    pub const NUMBER: u8 = 0x43;
    pub const PREVRANDAO: u8 = 0x44;
    pub const GASLIMIT: u8 = 0x45;
    pub const CHAINID: u8 = 0x46;
    pub const SELFBALANCE: u8 = 0x47;
    pub const BASEFEE: u8 = 0x48;
    pub const BLOBHASH: u8 = 0x49;
    pub const BLOBBASEFEE: u8 = 0x4a;
    pub const POP: u8 = 0x50;
    pub const MLOAD: u8 = 0x51;
    pub const MSTORE: u8 = 0x52;
    pub const MSTORE8: u8 = 0x53;
    pub const SLOAD: u8 = 0x54;
    pub const SSTORE: u8 = 0x55;
    pub const JUMP: u8 = 0x56;
    pub const JUMPI: u8 = 0x57;
    pub const PC: u8 = 0x58;
    pub const MSIZE: u8 = 0x59;
    pub const GAS: u8 = 0x5a;
    pub const JUMPDEST: u8 = 0x5b;
    pub const TLOAD: u8 = 0x5c;
    pub const TSTORE: u8 = 0x5d;
    pub const MCOPY: u8 = 0x5e;
    pub const PUSH0: u8 = 0x5f;
    pub const PUSH1: u8 = 0x60;
    pub const PUSH32: u8 = 0x7f;
    pub const DUP1: u8 = 0x80;
    pub const DUP16: u8 = 0x8f;
    pub const SWAP1: u8 = 0x90;
    pub const SWAP16: u8 = 0x9f;
    pub const LOG0: u8 = 0xa0;
    pub const LOG4: u8 = 0xa4;
    pub const CREATE: u8 = 0xf0;
    pub const CALL: u8 = 0xf1;
    pub const CALLCODE: u8 = 0xf2;
    pub const RETURN: u8 = 0xf3;
    pub const DELEGATECALL: u8 = 0xf4;
    pub const CREATE2: u8 = 0xf5;
    pub const STATICCALL: u8 = 0xfa;
    pub const REVERT: u8 = 0xfd;
    pub const INVALID: u8 = 0xfe;
    pub const SELFDESTRUCT: u8 = 0xff;
}

/// The mnemonic of an opcode byte (`"UNDEFINED"` for bytes no revision defines; 0xFE is
/// `"INVALID"`).
pub fn op_name(opcode: u8) -> &'static str {
    NAMES[opcode as usize]
}

/// The revision that introduced `opcode`, or `None` for bytes no revision defines.
pub fn introduced_in(opcode: u8) -> Option<Revision> {
    use Revision::*;
    Some(match opcode {
        op::SHL | op::SHR | op::SAR | op::CREATE2 | op::EXTCODEHASH => Constantinople,
        op::CLZ => Osaka,
        op::RETURNDATASIZE | op::RETURNDATACOPY | op::STATICCALL | op::REVERT => Byzantium,
        op::DELEGATECALL => Homestead,
        op::CHAINID | op::SELFBALANCE => Istanbul,
        op::BASEFEE => London,
        op::PUSH0 => Shanghai,
        op::BLOBHASH | op::BLOBBASEFEE | op::TLOAD | op::TSTORE | op::MCOPY => Cancun,
        _ if NAMES[opcode as usize] == "UNDEFINED" => return None,
        _ => Frontier,
    })
}

/// Number of immediate bytes following `opcode` (PUSH1..PUSH32), else 0.
#[inline(always)]
pub fn immediate_size(opcode: u8) -> usize {
    if (op::PUSH1..=op::PUSH32).contains(&opcode) {
        (opcode - op::PUSH1 + 1) as usize
    } else {
        0
    }
}

/// Stack items an opcode pops and pushes: `(inputs, outputs)`.
pub fn stack_io(opcode: u8) -> (u8, u8) {
    match opcode {
        op::STOP | op::JUMPDEST | op::INVALID => (0, 0),
        op::ADD | op::MUL | op::SUB | op::DIV | op::SDIV | op::MOD | op::SMOD | op::EXP => (2, 1),
        op::SIGNEXTEND | op::LT | op::GT | op::SLT | op::SGT | op::EQ | op::AND | op::OR => (2, 1),
        op::XOR | op::BYTE | op::SHL | op::SHR | op::SAR | op::KECCAK256 => (2, 1),
        op::ADDMOD | op::MULMOD => (3, 1),
        op::ISZERO | op::NOT | op::CLZ | op::BALANCE | op::CALLDATALOAD | op::EXTCODESIZE => (1, 1),
        op::EXTCODEHASH | op::BLOCKHASH | op::BLOBHASH | op::MLOAD | op::SLOAD | op::TLOAD => {
            (1, 1)
        }
        op::ADDRESS | op::ORIGIN | op::CALLER | op::CALLVALUE | op::CALLDATASIZE | op::CODESIZE => {
            (0, 1)
        }
        op::GASPRICE | op::RETURNDATASIZE | op::COINBASE | op::TIMESTAMP | op::NUMBER => (0, 1),
        op::PREVRANDAO | op::GASLIMIT | op::CHAINID | op::SELFBALANCE | op::BASEFEE => (0, 1),
        op::BLOBBASEFEE | op::PC | op::MSIZE | op::GAS | op::PUSH0 => (0, 1),
        op::CALLDATACOPY | op::CODECOPY | op::RETURNDATACOPY | op::MCOPY => (3, 0),
        op::EXTCODECOPY => (4, 0),
        op::POP | op::JUMP | op::SELFDESTRUCT => (1, 0),
        op::MSTORE | op::MSTORE8 | op::SSTORE | op::TSTORE | op::JUMPI => (2, 0),
        op::RETURN | op::REVERT => (2, 0),
        op::PUSH1..=op::PUSH32 => (0, 1),
        op::DUP1..=op::DUP16 => {
            let n = opcode - op::DUP1 + 1;
            (n, n + 1)
        }
        op::SWAP1..=op::SWAP16 => {
            let n = opcode - op::SWAP1 + 2;
            (n, n)
        }
        op::LOG0..=op::LOG4 => (opcode - op::LOG0 + 2, 0),
        op::CREATE => (3, 1),
        op::CREATE2 => (4, 1),
        op::CALL | op::CALLCODE => (7, 1),
        op::DELEGATECALL | op::STATICCALL => (6, 1),
        _ => (0, 0),
    }
}

/// Static gas of `opcode` in `rev`, or `None` when the opcode is undefined in that revision.
/// Costs that depend on EIP-2929 warm/cold state use the warm cost here (the engine adds the cold
/// surcharge dynamically), as evmone does.
pub fn static_gas(opcode: u8, rev: Revision) -> Option<i64> {
    use Revision::*;
    match introduced_in(opcode) {
        Some(r) if r <= rev => {}
        _ => return None,
    }
    let berlin = rev >= Berlin;
    let tw = rev >= TangerineWhistle;
    Some(match opcode {
        op::STOP | op::RETURN | op::REVERT | op::SSTORE => 0,
        op::JUMPDEST => 1,
        op::ADDRESS | op::ORIGIN | op::CALLER | op::CALLVALUE | op::CALLDATASIZE => 2,
        op::CODESIZE | op::GASPRICE | op::RETURNDATASIZE | op::COINBASE | op::TIMESTAMP => 2,
        op::NUMBER | op::PREVRANDAO | op::GASLIMIT | op::CHAINID | op::BASEFEE => 2,
        op::BLOBBASEFEE | op::POP | op::PC | op::MSIZE | op::GAS | op::PUSH0 => 2,
        op::ADD | op::SUB | op::LT | op::GT | op::SLT | op::SGT | op::EQ | op::ISZERO => 3,
        op::AND | op::OR | op::XOR | op::NOT | op::BYTE | op::SHL | op::SHR | op::SAR => 3,
        op::CALLDATALOAD | op::CALLDATACOPY | op::CODECOPY | op::RETURNDATACOPY => 3,
        op::MLOAD | op::MSTORE | op::MSTORE8 | op::MCOPY | op::BLOBHASH => 3,
        op::PUSH1..=op::PUSH32 | op::DUP1..=op::DUP16 | op::SWAP1..=op::SWAP16 => 3,
        op::MUL | op::DIV | op::SDIV | op::MOD | op::SMOD | op::SIGNEXTEND | op::SELFBALANCE => 5,
        op::CLZ => 5,
        op::ADDMOD | op::MULMOD | op::JUMP => 8,
        op::EXP | op::JUMPI => 10,
        op::BLOCKHASH => 20,
        op::KECCAK256 => 30,
        op::TLOAD | op::TSTORE => 100,
        op::LOG0..=op::LOG4 => 375 * (1 + (opcode - op::LOG0) as i64),
        op::CREATE | op::CREATE2 => 32000,
        op::BALANCE => {
            if berlin {
                100
            } else if rev >= Istanbul {
                700
            } else if tw {
                400
            } else {
                20
            }
        }
        op::EXTCODESIZE | op::EXTCODECOPY => {
            if berlin {
                100
            } else if tw {
                700
            } else {
                20
            }
        }
        op::EXTCODEHASH => {
            if berlin {
                100
            } else if rev >= Istanbul {
                700
            } else {
                400
            }
        }
        op::SLOAD => {
            if berlin {
                100
            } else if rev >= Istanbul {
                800
            } else if tw {
                200
            } else {
                50
            }
        }
        op::CALL | op::CALLCODE | op::DELEGATECALL | op::STATICCALL => {
            if berlin {
                100
            } else if tw {
                700
            } else {
                40
            }
        }
        op::SELFDESTRUCT => {
            if tw {
                5000
            } else {
                0
            }
        }
        _ => return None,
    })
}

/// One entry of a per-revision instruction table: static gas (negative = undefined) and the
/// stack bounds checked before the instruction runs.
#[derive(Clone, Copy, Debug)]
pub struct OpInfo {
    /// Static gas, or -1 when undefined in the revision.
    pub gas: i32,
    /// Minimum stack height.
    pub min_stack: u16,
    /// Maximum stack height before the instruction for it not to overflow 1024.
    pub max_stack: u16,
}

/// The 256-entry instruction table for `rev`. Built once per revision and cached.
pub fn table(rev: Revision) -> &'static [OpInfo; 256] {
    use std::sync::OnceLock;
    static TABLES: [OnceLock<[OpInfo; 256]>; 15] = [const { OnceLock::new() }; 15];
    TABLES[rev as usize].get_or_init(|| {
        let mut t = [OpInfo {
            gas: -1,
            min_stack: 0,
            max_stack: 1024,
        }; 256];
        for (i, e) in t.iter_mut().enumerate() {
            let opcode = i as u8;
            let (inputs, outputs) = stack_io(opcode);
            e.gas = static_gas(opcode, rev).map_or(-1, |g| g as i32);
            e.min_stack = inputs as u16;
            e.max_stack = (1024 + inputs as i32 - outputs as i32).min(1024) as u16;
        }
        t
    })
}

static NAMES: [&str; 256] = {
    let mut n = ["UNDEFINED"; 256];
    n[0x00] = "STOP";
    n[0x01] = "ADD";
    n[0x02] = "MUL";
    n[0x03] = "SUB";
    n[0x04] = "DIV";
    n[0x05] = "SDIV";
    n[0x06] = "MOD";
    n[0x07] = "SMOD";
    n[0x08] = "ADDMOD";
    n[0x09] = "MULMOD";
    n[0x0a] = "EXP";
    n[0x0b] = "SIGNEXTEND";
    n[0x10] = "LT";
    n[0x11] = "GT";
    n[0x12] = "SLT";
    n[0x13] = "SGT";
    n[0x14] = "EQ";
    n[0x15] = "ISZERO";
    n[0x16] = "AND";
    n[0x17] = "OR";
    n[0x18] = "XOR";
    n[0x19] = "NOT";
    n[0x1a] = "BYTE";
    n[0x1b] = "SHL";
    n[0x1c] = "SHR";
    n[0x1d] = "SAR";
    n[0x1e] = "CLZ";
    n[0x20] = "KECCAK256";
    n[0x30] = "ADDRESS";
    n[0x31] = "BALANCE";
    n[0x32] = "ORIGIN";
    n[0x33] = "CALLER";
    n[0x34] = "CALLVALUE";
    n[0x35] = "CALLDATALOAD";
    n[0x36] = "CALLDATASIZE";
    n[0x37] = "CALLDATACOPY";
    n[0x38] = "CODESIZE";
    n[0x39] = "CODECOPY";
    n[0x3a] = "GASPRICE";
    n[0x3b] = "EXTCODESIZE";
    n[0x3c] = "EXTCODECOPY";
    n[0x3d] = "RETURNDATASIZE";
    n[0x3e] = "RETURNDATACOPY";
    n[0x3f] = "EXTCODEHASH";
    n[0x40] = "BLOCKHASH";
    n[0x41] = "COINBASE";
    n[0x42] = "TIMESTAMP";
    n[0x43] = "NUMBER";
    n[0x44] = "PREVRANDAO";
    n[0x45] = "GASLIMIT";
    n[0x46] = "CHAINID";
    n[0x47] = "SELFBALANCE";
    n[0x48] = "BASEFEE";
    n[0x49] = "BLOBHASH";
    n[0x4a] = "BLOBBASEFEE";
    n[0x50] = "POP";
    n[0x51] = "MLOAD";
    n[0x52] = "MSTORE";
    n[0x53] = "MSTORE8";
    n[0x54] = "SLOAD";
    n[0x55] = "SSTORE";
    n[0x56] = "JUMP";
    n[0x57] = "JUMPI";
    n[0x58] = "PC";
    n[0x59] = "MSIZE";
    n[0x5a] = "GAS";
    n[0x5b] = "JUMPDEST";
    n[0x5c] = "TLOAD";
    n[0x5d] = "TSTORE";
    n[0x5e] = "MCOPY";
    n[0x5f] = "PUSH0";
    const PUSH: [&str; 32] = [
        "PUSH1", "PUSH2", "PUSH3", "PUSH4", "PUSH5", "PUSH6", "PUSH7", "PUSH8", "PUSH9", "PUSH10",
        "PUSH11", "PUSH12", "PUSH13", "PUSH14", "PUSH15", "PUSH16", "PUSH17", "PUSH18", "PUSH19",
        "PUSH20", "PUSH21", "PUSH22", "PUSH23", "PUSH24", "PUSH25", "PUSH26", "PUSH27", "PUSH28",
        "PUSH29", "PUSH30", "PUSH31", "PUSH32",
    ];
    const DUP: [&str; 16] = [
        "DUP1", "DUP2", "DUP3", "DUP4", "DUP5", "DUP6", "DUP7", "DUP8", "DUP9", "DUP10", "DUP11",
        "DUP12", "DUP13", "DUP14", "DUP15", "DUP16",
    ];
    const SWAP: [&str; 16] = [
        "SWAP1", "SWAP2", "SWAP3", "SWAP4", "SWAP5", "SWAP6", "SWAP7", "SWAP8", "SWAP9", "SWAP10",
        "SWAP11", "SWAP12", "SWAP13", "SWAP14", "SWAP15", "SWAP16",
    ];
    let mut i = 0;
    while i < 32 {
        n[0x60 + i] = PUSH[i];
        i += 1;
    }
    let mut i = 0;
    while i < 16 {
        n[0x80 + i] = DUP[i];
        n[0x90 + i] = SWAP[i];
        i += 1;
    }
    n[0xa0] = "LOG0";
    n[0xa1] = "LOG1";
    n[0xa2] = "LOG2";
    n[0xa3] = "LOG3";
    n[0xa4] = "LOG4";
    n[0xf0] = "CREATE";
    n[0xf1] = "CALL";
    n[0xf2] = "CALLCODE";
    n[0xf3] = "RETURN";
    n[0xf4] = "DELEGATECALL";
    n[0xf5] = "CREATE2";
    n[0xfa] = "STATICCALL";
    n[0xfd] = "REVERT";
    n[0xfe] = "INVALID";
    n[0xff] = "SELFDESTRUCT";
    n
};

/// The opcode byte for a mnemonic (case-insensitive; `SHA3` and `DIFFICULTY` accepted as aliases).
pub fn opcode_by_name(name: &str) -> Option<u8> {
    let upper = name.to_ascii_uppercase();
    let upper = match upper.as_str() {
        "SHA3" => "KECCAK256",
        "DIFFICULTY" => "PREVRANDAO",
        other => other,
    };
    if upper == "UNDEFINED" {
        return None;
    }
    NAMES.iter().position(|n| *n == upper).map(|i| i as u8)
}
