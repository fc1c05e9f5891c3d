//! Opcodes: names, operand layout and fee table (from `neovm-opcodes.tsv`).

use std::fmt;

/// How an opcode's operand is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// A fixed number of operand bytes (0 for none).
    Fixed(u8),
    /// A little-endian length prefix of this many bytes, followed by that many data bytes.
    Prefix(u8),
}

/// A NeoVM opcode byte. Undefined bytes can be held but [`OpCode::is_defined`] is false.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpCode(pub u8);

#[allow(missing_docs)]
impl OpCode {
    pub const PUSHINT8: OpCode = OpCode(0x00);
    pub const PUSHINT16: OpCode = OpCode(0x01);
    pub const PUSHINT32: OpCode = OpCode(0x02);
    pub const PUSHINT64: OpCode = OpCode(0x03);
    pub const PUSHINT128: OpCode = OpCode(0x04);
    pub const PUSHINT256: OpCode = OpCode(0x05);
    pub const PUSHT: OpCode = OpCode(0x08);
    pub const PUSHF: OpCode = OpCode(0x09);
    pub const PUSHA: OpCode = OpCode(0x0A);
    pub const PUSHNULL: OpCode = OpCode(0x0B);
    pub const PUSHDATA1: OpCode = OpCode(0x0C);
    pub const PUSHDATA2: OpCode = OpCode(0x0D);
    pub const PUSHDATA4: OpCode = OpCode(0x0E);
    pub const PUSHM1: OpCode = OpCode(0x0F);
    pub const PUSH0: OpCode = OpCode(0x10);
    pub const PUSH1: OpCode = OpCode(0x11);
    pub const PUSH2: OpCode = OpCode(0x12);
    pub const PUSH3: OpCode = OpCode(0x13);
    pub const PUSH4: OpCode = OpCode(0x14);
    pub const PUSH5: OpCode = OpCode(0x15);
    pub const PUSH6: OpCode = OpCode(0x16);
    pub const PUSH7: OpCode = OpCode(0x17);
    pub const PUSH8: OpCode = OpCode(0x18);
    pub const PUSH9: OpCode = OpCode(0x19);
    pub const PUSH10: OpCode = OpCode(0x1A);
    pub const PUSH11: OpCode = OpCode(0x1B);
    pub const PUSH12: OpCode = OpCode(0x1C);
    pub const PUSH13: OpCode = OpCode(0x1D);
    pub const PUSH14: OpCode = OpCode(0x1E);
    pub const PUSH15: OpCode = OpCode(0x1F);
    pub const PUSH16: OpCode = OpCode(0x20);
    pub const NOP: OpCode = OpCode(0x21);
    pub const JMP: OpCode = OpCode(0x22);
    pub const JMP_L: OpCode = OpCode(0x23);
    pub const JMPIF: OpCode = OpCode(0x24);
    pub const JMPIF_L: OpCode = OpCode(0x25);
    pub const JMPIFNOT: OpCode = OpCode(0x26);
    pub const JMPIFNOT_L: OpCode = OpCode(0x27);
    pub const JMPEQ: OpCode = OpCode(0x28);
    pub const JMPEQ_L: OpCode = OpCode(0x29);
    pub const JMPNE: OpCode = OpCode(0x2A);
    pub const JMPNE_L: OpCode = OpCode(0x2B);
    pub const JMPGT: OpCode = OpCode(0x2C);
    pub const JMPGT_L: OpCode = OpCode(0x2D);
    pub const JMPGE: OpCode = OpCode(0x2E);
    pub const JMPGE_L: OpCode = OpCode(0x2F);
    pub const JMPLT: OpCode = OpCode(0x30);
    pub const JMPLT_L: OpCode = OpCode(0x31);
    pub const JMPLE: OpCode = OpCode(0x32);
    pub const JMPLE_L: OpCode = OpCode(0x33);
    pub const CALL: OpCode = OpCode(0x34);
    pub const CALL_L: OpCode = OpCode(0x35);
    pub const CALLA: OpCode = OpCode(0x36);
    pub const CALLT: OpCode = OpCode(0x37);
    pub const ABORT: OpCode = OpCode(0x38);
    pub const ASSERT: OpCode = OpCode(0x39);
    pub const THROW: OpCode = OpCode(0x3A);
    pub const TRY: OpCode = OpCode(0x3B);
    pub const TRY_L: OpCode = OpCode(0x3C);
    pub const ENDTRY: OpCode = OpCode(0x3D);
    pub const ENDTRY_L: OpCode = OpCode(0x3E);
    pub const ENDFINALLY: OpCode = OpCode(0x3F);
    pub const RET: OpCode = OpCode(0x40);
    pub const SYSCALL: OpCode = OpCode(0x41);
    pub const DEPTH: OpCode = OpCode(0x43);
    pub const DROP: OpCode = OpCode(0x45);
    pub const NIP: OpCode = OpCode(0x46);
    pub const XDROP: OpCode = OpCode(0x48);
    pub const CLEAR: OpCode = OpCode(0x49);
    pub const DUP: OpCode = OpCode(0x4A);
    pub const OVER: OpCode = OpCode(0x4B);
    pub const PICK: OpCode = OpCode(0x4D);
    pub const TUCK: OpCode = OpCode(0x4E);
    pub const SWAP: OpCode = OpCode(0x50);
    pub const ROT: OpCode = OpCode(0x51);
    pub const ROLL: OpCode = OpCode(0x52);
    pub const REVERSE3: OpCode = OpCode(0x53);
    pub const REVERSE4: OpCode = OpCode(0x54);
    pub const REVERSEN: OpCode = OpCode(0x55);
    pub const INITSSLOT: OpCode = OpCode(0x56);
    pub const INITSLOT: OpCode = OpCode(0x57);
    pub const LDSFLD0: OpCode = OpCode(0x58);
    pub const LDSFLD1: OpCode = OpCode(0x59);
    pub const LDSFLD2: OpCode = OpCode(0x5A);
    pub const LDSFLD3: OpCode = OpCode(0x5B);
    pub const LDSFLD4: OpCode = OpCode(0x5C);
    pub const LDSFLD5: OpCode = OpCode(0x5D);
    pub const LDSFLD6: OpCode = OpCode(0x5E);
    pub const LDSFLD: OpCode = OpCode(0x5F);
    pub const STSFLD0: OpCode = OpCode(0x60);
    pub const STSFLD1: OpCode = OpCode(0x61);
    pub const STSFLD2: OpCode = OpCode(0x62);
    pub const STSFLD3: OpCode = OpCode(0x63);
    pub const STSFLD4: OpCode = OpCode(0x64);
    pub const STSFLD5: OpCode = OpCode(0x65);
    pub const STSFLD6: OpCode = OpCode(0x66);
    pub const STSFLD: OpCode = OpCode(0x67);
    pub const LDLOC0: OpCode = OpCode(0x68);
    pub const LDLOC1: OpCode = OpCode(0x69);
    pub const LDLOC2: OpCode = OpCode(0x6A);
    pub const LDLOC3: OpCode = OpCode(0x6B);
    pub const LDLOC4: OpCode = OpCode(0x6C);
    pub const LDLOC5: OpCode = OpCode(0x6D);
    pub const LDLOC6: OpCode = OpCode(0x6E);
    pub const LDLOC: OpCode = OpCode(0x6F);
    pub const STLOC0: OpCode = OpCode(0x70);
    pub const STLOC1: OpCode = OpCode(0x71);
    pub const STLOC2: OpCode = OpCode(0x72);
    pub const STLOC3: OpCode = OpCode(0x73);
    pub const STLOC4: OpCode = OpCode(0x74);
    pub const STLOC5: OpCode = OpCode(0x75);
    pub const STLOC6: OpCode = OpCode(0x76);
    pub const STLOC: OpCode = OpCode(0x77);
    pub const LDARG0: OpCode = OpCode(0x78);
    pub const LDARG1: OpCode = OpCode(0x79);
    pub const LDARG2: OpCode = OpCode(0x7A);
    pub const LDARG3: OpCode = OpCode(0x7B);
    pub const LDARG4: OpCode = OpCode(0x7C);
    pub const LDARG5: OpCode = OpCode(0x7D);
    pub const LDARG6: OpCode = OpCode(0x7E);
    pub const LDARG: OpCode = OpCode(0x7F);
    pub const STARG0: OpCode = OpCode(0x80);
    pub const STARG1: OpCode = OpCode(0x81);
    pub const STARG2: OpCode = OpCode(0x82);
    pub const STARG3: OpCode = OpCode(0x83);
    pub const STARG4: OpCode = OpCode(0x84);
    pub const STARG5: OpCode = OpCode(0x85);
    pub const STARG6: OpCode = OpCode(0x86);
    pub const STARG: OpCode = OpCode(0x87);
    pub const NEWBUFFER: OpCode = OpCode(0x88);
    pub const MEMCPY: OpCode = OpCode(0x89);
    pub const CAT: OpCode = OpCode(0x8B);
    pub const SUBSTR: OpCode = OpCode(0x8C);
    pub const LEFT: OpCode = OpCode(0x8D);
    pub const RIGHT: OpCode = OpCode(0x8E);
    pub const INVERT: OpCode = OpCode(0x90);
    pub const AND: OpCode = OpCode(0x91);
    pub const OR: OpCode = OpCode(0x92);
    pub const XOR: OpCode = OpCode(0x93);
    pub const EQUAL: OpCode = OpCode(0x97);
    pub const NOTEQUAL: OpCode = OpCode(0x98);
    pub const SIGN: OpCode = OpCode(0x99);
    pub const ABS: OpCode = OpCode(0x9A);
    pub const NEGATE: OpCode = OpCode(0x9B);
    pub const INC: OpCode = OpCode(0x9C);
    pub const DEC: OpCode = OpCode(0x9D);
    pub const ADD: OpCode = OpCode(0x9E);
    pub const SUB: OpCode = OpCode(0x9F);
    pub const MUL: OpCode = OpCode(0xA0);
    pub const DIV: OpCode = OpCode(0xA1);
    pub const MOD: OpCode = OpCode(0xA2);
    pub const POW: OpCode = OpCode(0xA3);
    pub const SQRT: OpCode = OpCode(0xA4);
    pub const MODMUL: OpCode = OpCode(0xA5);
    pub const MODPOW: OpCode = OpCode(0xA6);
    pub const SHL: OpCode = OpCode(0xA8);
    pub const SHR: OpCode = OpCode(0xA9);
    pub const NOT: OpCode = OpCode(0xAA);
    pub const BOOLAND: OpCode = OpCode(0xAB);
    pub const BOOLOR: OpCode = OpCode(0xAC);
    pub const NZ: OpCode = OpCode(0xB1);
    pub const NUMEQUAL: OpCode = OpCode(0xB3);
    pub const NUMNOTEQUAL: OpCode = OpCode(0xB4);
    pub const LT: OpCode = OpCode(0xB5);
    pub const LE: OpCode = OpCode(0xB6);
    pub const GT: OpCode = OpCode(0xB7);
    pub const GE: OpCode = OpCode(0xB8);
    pub const MIN: OpCode = OpCode(0xB9);
    pub const MAX: OpCode = OpCode(0xBA);
    pub const WITHIN: OpCode = OpCode(0xBB);
    pub const PACKMAP: OpCode = OpCode(0xBE);
    pub const PACKSTRUCT: OpCode = OpCode(0xBF);
    pub const PACK: OpCode = OpCode(0xC0);
    pub const UNPACK: OpCode = OpCode(0xC1);
    pub const NEWARRAY0: OpCode = OpCode(0xC2);
    pub const NEWARRAY: OpCode = OpCode(0xC3);
    pub const NEWARRAY_T: OpCode = OpCode(0xC4);
    pub const NEWSTRUCT0: OpCode = OpCode(0xC5);
    pub const NEWSTRUCT: OpCode = OpCode(0xC6);
    pub const NEWMAP: OpCode = OpCode(0xC8);
    pub const SIZE: OpCode = OpCode(0xCA);
    pub const HASKEY: OpCode = OpCode(0xCB);
    pub const KEYS: OpCode = OpCode(0xCC);
    pub const VALUES: OpCode = OpCode(0xCD);
    pub const PICKITEM: OpCode = OpCode(0xCE);
    pub const APPEND: OpCode = OpCode(0xCF);
    pub const SETITEM: OpCode = OpCode(0xD0);
    pub const REVERSEITEMS: OpCode = OpCode(0xD1);
    pub const REMOVE: OpCode = OpCode(0xD2);
    pub const CLEARITEMS: OpCode = OpCode(0xD3);
    pub const POPITEM: OpCode = OpCode(0xD4);
    pub const ISNULL: OpCode = OpCode(0xD8);
    pub const ISTYPE: OpCode = OpCode(0xD9);
    pub const CONVERT: OpCode = OpCode(0xDB);
    pub const ABORTMSG: OpCode = OpCode(0xE0);
    pub const ASSERTMSG: OpCode = OpCode(0xE1);
}

struct Info {
    name: &'static str,
    operand: Operand,
    price: u32,
}

const UNDEFINED: Info = Info {
    name: "",
    operand: Operand::Fixed(0),
    price: 0,
};

const fn build() -> [Info; 256] {
    let mut t = [UNDEFINED; 256];
    let mut i = 0;
    while i < TABLE.len() {
        let (name, byte, operand, price) = TABLE[i];
        t[byte as usize] = Info {
            name,
            operand,
            price,
        };
        i += 1;
    }
    t
}

static INFO: [Info; 256] = build();

/// Name, byte, operand layout and price (datoshi before the execution fee factor) of every opcode.
const TABLE: &[(&str, u8, Operand, u32)] = &[
    ("PUSHINT8", 0x00, Operand::Fixed(1), 1),
    ("PUSHINT16", 0x01, Operand::Fixed(2), 1),
    ("PUSHINT32", 0x02, Operand::Fixed(4), 1),
    ("PUSHINT64", 0x03, Operand::Fixed(8), 1),
    ("PUSHINT128", 0x04, Operand::Fixed(16), 4),
    ("PUSHINT256", 0x05, Operand::Fixed(32), 4),
    ("PUSHT", 0x08, Operand::Fixed(0), 1),
    ("PUSHF", 0x09, Operand::Fixed(0), 1),
    ("PUSHA", 0x0A, Operand::Fixed(4), 4),
    ("PUSHNULL", 0x0B, Operand::Fixed(0), 1),
    ("PUSHDATA1", 0x0C, Operand::Prefix(1), 8),
    ("PUSHDATA2", 0x0D, Operand::Prefix(2), 512),
    ("PUSHDATA4", 0x0E, Operand::Prefix(4), 4096),
    ("PUSHM1", 0x0F, Operand::Fixed(0), 1),
    ("PUSH0", 0x10, Operand::Fixed(0), 1),
    ("PUSH1", 0x11, Operand::Fixed(0), 1),
    ("PUSH2", 0x12, Operand::Fixed(0), 1),
    ("PUSH3", 0x13, Operand::Fixed(0), 1),
    ("PUSH4", 0x14, Operand::Fixed(0), 1),
    ("PUSH5", 0x15, Operand::Fixed(0), 1),
    ("PUSH6", 0x16, Operand::Fixed(0), 1),
    ("PUSH7", 0x17, Operand::Fixed(0), 1),
    ("PUSH8", 0x18, Operand::Fixed(0), 1),
    ("PUSH9", 0x19, Operand::Fixed(0), 1),
    ("PUSH10", 0x1A, Operand::Fixed(0), 1),
    ("PUSH11", 0x1B, Operand::Fixed(0), 1),
    ("PUSH12", 0x1C, Operand::Fixed(0), 1),
    ("PUSH13", 0x1D, Operand::Fixed(0), 1),
    ("PUSH14", 0x1E, Operand::Fixed(0), 1),
    ("PUSH15", 0x1F, Operand::Fixed(0), 1),
    ("PUSH16", 0x20, Operand::Fixed(0), 1),
    ("NOP", 0x21, Operand::Fixed(0), 1),
    ("JMP", 0x22, Operand::Fixed(1), 2),
    ("JMP_L", 0x23, Operand::Fixed(4), 2),
    ("JMPIF", 0x24, Operand::Fixed(1), 2),
    ("JMPIF_L", 0x25, Operand::Fixed(4), 2),
    ("JMPIFNOT", 0x26, Operand::Fixed(1), 2),
    ("JMPIFNOT_L", 0x27, Operand::Fixed(4), 2),
    ("JMPEQ", 0x28, Operand::Fixed(1), 2),
    ("JMPEQ_L", 0x29, Operand::Fixed(4), 2),
    ("JMPNE", 0x2A, Operand::Fixed(1), 2),
    ("JMPNE_L", 0x2B, Operand::Fixed(4), 2),
    ("JMPGT", 0x2C, Operand::Fixed(1), 2),
    ("JMPGT_L", 0x2D, Operand::Fixed(4), 2),
    ("JMPGE", 0x2E, Operand::Fixed(1), 2),
    ("JMPGE_L", 0x2F, Operand::Fixed(4), 2),
    ("JMPLT", 0x30, Operand::Fixed(1), 2),
    ("JMPLT_L", 0x31, Operand::Fixed(4), 2),
    ("JMPLE", 0x32, Operand::Fixed(1), 2),
    ("JMPLE_L", 0x33, Operand::Fixed(4), 2),
    ("CALL", 0x34, Operand::Fixed(1), 512),
    ("CALL_L", 0x35, Operand::Fixed(4), 512),
    ("CALLA", 0x36, Operand::Fixed(0), 512),
    ("CALLT", 0x37, Operand::Fixed(2), 32768),
    ("ABORT", 0x38, Operand::Fixed(0), 0),
    ("ASSERT", 0x39, Operand::Fixed(0), 1),
    ("THROW", 0x3A, Operand::Fixed(0), 512),
    ("TRY", 0x3B, Operand::Fixed(2), 4),
    ("TRY_L", 0x3C, Operand::Fixed(8), 4),
    ("ENDTRY", 0x3D, Operand::Fixed(1), 4),
    ("ENDTRY_L", 0x3E, Operand::Fixed(4), 4),
    ("ENDFINALLY", 0x3F, Operand::Fixed(0), 4),
    ("RET", 0x40, Operand::Fixed(0), 0),
    ("SYSCALL", 0x41, Operand::Fixed(4), 0),
    ("DEPTH", 0x43, Operand::Fixed(0), 2),
    ("DROP", 0x45, Operand::Fixed(0), 2),
    ("NIP", 0x46, Operand::Fixed(0), 2),
    ("XDROP", 0x48, Operand::Fixed(0), 16),
    ("CLEAR", 0x49, Operand::Fixed(0), 16),
    ("DUP", 0x4A, Operand::Fixed(0), 2),
    ("OVER", 0x4B, Operand::Fixed(0), 2),
    ("PICK", 0x4D, Operand::Fixed(0), 2),
    ("TUCK", 0x4E, Operand::Fixed(0), 2),
    ("SWAP", 0x50, Operand::Fixed(0), 2),
    ("ROT", 0x51, Operand::Fixed(0), 2),
    ("ROLL", 0x52, Operand::Fixed(0), 16),
    ("REVERSE3", 0x53, Operand::Fixed(0), 2),
    ("REVERSE4", 0x54, Operand::Fixed(0), 2),
    ("REVERSEN", 0x55, Operand::Fixed(0), 16),
    ("INITSSLOT", 0x56, Operand::Fixed(1), 16),
    ("INITSLOT", 0x57, Operand::Fixed(2), 64),
    ("LDSFLD0", 0x58, Operand::Fixed(0), 2),
    ("LDSFLD1", 0x59, Operand::Fixed(0), 2),
    ("LDSFLD2", 0x5A, Operand::Fixed(0), 2),
    ("LDSFLD3", 0x5B, Operand::Fixed(0), 2),
    ("LDSFLD4", 0x5C, Operand::Fixed(0), 2),
    ("LDSFLD5", 0x5D, Operand::Fixed(0), 2),
    ("LDSFLD6", 0x5E, Operand::Fixed(0), 2),
    ("LDSFLD", 0x5F, Operand::Fixed(1), 2),
    ("STSFLD0", 0x60, Operand::Fixed(0), 2),
    ("STSFLD1", 0x61, Operand::Fixed(0), 2),
    ("STSFLD2", 0x62, Operand::Fixed(0), 2),
    ("STSFLD3", 0x63, Operand::Fixed(0), 2),
    ("STSFLD4", 0x64, Operand::Fixed(0), 2),
    ("STSFLD5", 0x65, Operand::Fixed(0), 2),
    ("STSFLD6", 0x66, Operand::Fixed(0), 2),
    ("STSFLD", 0x67, Operand::Fixed(1), 2),
    ("LDLOC0", 0x68, Operand::Fixed(0), 2),
    ("LDLOC1", 0x69, Operand::Fixed(0), 2),
    ("LDLOC2", 0x6A, Operand::Fixed(0), 2),
    ("LDLOC3", 0x6B, Operand::Fixed(0), 2),
    ("LDLOC4", 0x6C, Operand::Fixed(0), 2),
    ("LDLOC5", 0x6D, Operand::Fixed(0), 2),
    ("LDLOC6", 0x6E, Operand::Fixed(0), 2),
    ("LDLOC", 0x6F, Operand::Fixed(1), 2),
    ("STLOC0", 0x70, Operand::Fixed(0), 2),
    ("STLOC1", 0x71, Operand::Fixed(0), 2),
    ("STLOC2", 0x72, Operand::Fixed(0), 2),
    ("STLOC3", 0x73, Operand::Fixed(0), 2),
    ("STLOC4", 0x74, Operand::Fixed(0), 2),
    ("STLOC5", 0x75, Operand::Fixed(0), 2),
    ("STLOC6", 0x76, Operand::Fixed(0), 2),
    ("STLOC", 0x77, Operand::Fixed(1), 2),
    ("LDARG0", 0x78, Operand::Fixed(0), 2),
    ("LDARG1", 0x79, Operand::Fixed(0), 2),
    ("LDARG2", 0x7A, Operand::Fixed(0), 2),
    ("LDARG3", 0x7B, Operand::Fixed(0), 2),
    ("LDARG4", 0x7C, Operand::Fixed(0), 2),
    ("LDARG5", 0x7D, Operand::Fixed(0), 2),
    ("LDARG6", 0x7E, Operand::Fixed(0), 2),
    ("LDARG", 0x7F, Operand::Fixed(1), 2),
    ("STARG0", 0x80, Operand::Fixed(0), 2),
    ("STARG1", 0x81, Operand::Fixed(0), 2),
    ("STARG2", 0x82, Operand::Fixed(0), 2),
    ("STARG3", 0x83, Operand::Fixed(0), 2),
    ("STARG4", 0x84, Operand::Fixed(0), 2),
    ("STARG5", 0x85, Operand::Fixed(0), 2),
    ("STARG6", 0x86, Operand::Fixed(0), 2),
    ("STARG", 0x87, Operand::Fixed(1), 2),
    ("NEWBUFFER", 0x88, Operand::Fixed(0), 256),
    ("MEMCPY", 0x89, Operand::Fixed(0), 2048),
    ("CAT", 0x8B, Operand::Fixed(0), 2048),
    ("SUBSTR", 0x8C, Operand::Fixed(0), 2048),
    ("LEFT", 0x8D, Operand::Fixed(0), 2048),
    ("RIGHT", 0x8E, Operand::Fixed(0), 2048),
    ("INVERT", 0x90, Operand::Fixed(0), 4),
    ("AND", 0x91, Operand::Fixed(0), 8),
    ("OR", 0x92, Operand::Fixed(0), 8),
    ("XOR", 0x93, Operand::Fixed(0), 8),
    ("EQUAL", 0x97, Operand::Fixed(0), 32),
    ("NOTEQUAL", 0x98, Operand::Fixed(0), 32),
    ("SIGN", 0x99, Operand::Fixed(0), 4),
    ("ABS", 0x9A, Operand::Fixed(0), 4),
    ("NEGATE", 0x9B, Operand::Fixed(0), 4),
    ("INC", 0x9C, Operand::Fixed(0), 4),
    ("DEC", 0x9D, Operand::Fixed(0), 4),
    ("ADD", 0x9E, Operand::Fixed(0), 8),
    ("SUB", 0x9F, Operand::Fixed(0), 8),
    ("MUL", 0xA0, Operand::Fixed(0), 8),
    ("DIV", 0xA1, Operand::Fixed(0), 8),
    ("MOD", 0xA2, Operand::Fixed(0), 8),
    ("POW", 0xA3, Operand::Fixed(0), 64),
    ("SQRT", 0xA4, Operand::Fixed(0), 64),
    ("MODMUL", 0xA5, Operand::Fixed(0), 32),
    ("MODPOW", 0xA6, Operand::Fixed(0), 2048),
    ("SHL", 0xA8, Operand::Fixed(0), 8),
    ("SHR", 0xA9, Operand::Fixed(0), 8),
    ("NOT", 0xAA, Operand::Fixed(0), 4),
    ("BOOLAND", 0xAB, Operand::Fixed(0), 8),
    ("BOOLOR", 0xAC, Operand::Fixed(0), 8),
    ("NZ", 0xB1, Operand::Fixed(0), 4),
    ("NUMEQUAL", 0xB3, Operand::Fixed(0), 8),
    ("NUMNOTEQUAL", 0xB4, Operand::Fixed(0), 8),
    ("LT", 0xB5, Operand::Fixed(0), 8),
    ("LE", 0xB6, Operand::Fixed(0), 8),
    ("GT", 0xB7, Operand::Fixed(0), 8),
    ("GE", 0xB8, Operand::Fixed(0), 8),
    ("MIN", 0xB9, Operand::Fixed(0), 8),
    ("MAX", 0xBA, Operand::Fixed(0), 8),
    ("WITHIN", 0xBB, Operand::Fixed(0), 8),
    ("PACKMAP", 0xBE, Operand::Fixed(0), 2048),
    ("PACKSTRUCT", 0xBF, Operand::Fixed(0), 2048),
    ("PACK", 0xC0, Operand::Fixed(0), 2048),
    ("UNPACK", 0xC1, Operand::Fixed(0), 2048),
    ("NEWARRAY0", 0xC2, Operand::Fixed(0), 16),
    ("NEWARRAY", 0xC3, Operand::Fixed(0), 512),
    ("NEWARRAY_T", 0xC4, Operand::Fixed(1), 512),
    ("NEWSTRUCT0", 0xC5, Operand::Fixed(0), 16),
    ("NEWSTRUCT", 0xC6, Operand::Fixed(0), 512),
    ("NEWMAP", 0xC8, Operand::Fixed(0), 8),
    ("SIZE", 0xCA, Operand::Fixed(0), 4),
    ("HASKEY", 0xCB, Operand::Fixed(0), 64),
    ("KEYS", 0xCC, Operand::Fixed(0), 16),
    ("VALUES", 0xCD, Operand::Fixed(0), 8192),
    ("PICKITEM", 0xCE, Operand::Fixed(0), 64),
    ("APPEND", 0xCF, Operand::Fixed(0), 8192),
    ("SETITEM", 0xD0, Operand::Fixed(0), 8192),
    ("REVERSEITEMS", 0xD1, Operand::Fixed(0), 8192),
    ("REMOVE", 0xD2, Operand::Fixed(0), 16),
    ("CLEARITEMS", 0xD3, Operand::Fixed(0), 16),
    ("POPITEM", 0xD4, Operand::Fixed(0), 16),
    ("ISNULL", 0xD8, Operand::Fixed(0), 2),
    ("ISTYPE", 0xD9, Operand::Fixed(1), 2),
    ("CONVERT", 0xDB, Operand::Fixed(1), 8192),
    ("ABORTMSG", 0xE0, Operand::Fixed(0), 0),
    ("ASSERTMSG", 0xE1, Operand::Fixed(0), 1),
];

impl OpCode {
    /// Whether this byte is one of the 196 defined opcodes.
    #[inline]
    pub fn is_defined(self) -> bool {
        !INFO[self.0 as usize].name.is_empty()
    }

    /// The opcode's name, or `None` for an undefined byte.
    pub fn name(self) -> Option<&'static str> {
        let n = INFO[self.0 as usize].name;
        (!n.is_empty()).then_some(n)
    }

    /// The operand layout (meaningless for undefined bytes).
    #[inline]
    pub fn operand(self) -> Operand {
        INFO[self.0 as usize].operand
    }

    /// The fee of this opcode in datoshi before the execution fee factor (Neo's `OpCodePriceTable`).
    #[inline]
    pub fn price(self) -> u32 {
        INFO[self.0 as usize].price
    }

    /// Looks an opcode up by its exact (case-sensitive) name.
    pub fn from_name(name: &str) -> Option<OpCode> {
        TABLE.iter().find(|e| e.0 == name).map(|e| OpCode(e.1))
    }

    /// All defined opcodes in byte order.
    pub fn all() -> impl Iterator<Item = OpCode> {
        TABLE.iter().map(|e| OpCode(e.1))
    }
}

impl fmt::Display for OpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.0),
        }
    }
}

impl fmt::Debug for OpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        assert_eq!(OpCode::all().count(), 196);
        let mut seen = std::collections::HashSet::new();
        for op in OpCode::all() {
            assert!(seen.insert(op.0), "duplicate byte {:#x}", op.0);
            assert_eq!(OpCode::from_name(op.name().unwrap()), Some(op));
        }
        assert!(!OpCode(0xFF).is_defined());
        assert_eq!(OpCode::PUSHDATA2.operand(), Operand::Prefix(2));
        assert_eq!(OpCode::TRY_L.operand(), Operand::Fixed(8));
        assert_eq!(OpCode::CALLT.price(), 32768);
    }
}
