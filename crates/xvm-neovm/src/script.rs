//! Scripts and instruction decoding.

use crate::opcode::{OpCode, Operand};
use std::cell::{Cell, OnceCell, RefCell};
use std::fmt;
use std::rc::Rc;

/// An error found while decoding a script (C# `BadScriptException`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadScript(pub String);

impl fmt::Display for BadScript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadScript {}

/// An immutable script shared by reference; two scripts are the same script only when they are
/// the same object (pointers compare scripts by identity, as the reference does).
///
/// Each script keeps a decode cache: the first time execution reaches an offset, the
/// instruction there is decoded once and remembered, so loops pay for decoding only once.
#[derive(Clone)]
pub struct Script(Rc<ScriptBody>);

struct ScriptBody {
    bytes: Rc<[u8]>,
    /// One entry per byte offset, filled lazily; allocated on first use.
    decoded: OnceCell<Box<[Cell<Decoded>]>>,
    /// The data of each PUSHDATA decoded so far, shared by every push of it (a ByteString
    /// is immutable); a PUSHDATA entry's `imm` is its index here.
    pushdata: RefCell<Vec<Rc<[u8]>>>,
}

/// A decoded instruction as the engine caches it (16 bytes): the operand's first (up to) eight
/// bytes as a little-endian immediate, and one word packing the encoded size (bits 0..32), the
/// opcode (32..40) and where the operand starts (40..48). Two plain words, so that the run loop
/// reads an entry straight into two registers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Decoded {
    /// The operand's first eight bytes (zero-padded), little-endian.
    pub imm: u64,
    /// Size, opcode and operand start, packed (see the accessors).
    meta: u64,
}

impl Decoded {
    /// An entry from its parts.
    const fn new(imm: u64, size: u32, op: OpCode, skip: u8) -> Decoded {
        Decoded {
            imm,
            meta: size as u64 | (op.0 as u64) << 32 | (skip as u64) << 40,
        }
    }

    /// An unfilled cache entry.
    const EMPTY: Decoded = Decoded::new(0, 0, OpCode::RET, 1);

    /// The synthetic RET past the end of a script.
    pub const RET: Decoded = Decoded::new(0, 1, OpCode::RET, 1);

    /// Total encoded size; 0 marks an unfilled or undecodable entry.
    #[inline(always)]
    pub fn size(&self) -> u32 {
        self.meta as u32
    }

    /// The opcode.
    #[inline(always)]
    pub fn op(&self) -> OpCode {
        OpCode((self.meta >> 32) as u8)
    }

    /// Bytes from the opcode to the operand (1 + any length prefix).
    #[inline(always)]
    pub fn skip(&self) -> u8 {
        (self.meta >> 40) as u8
    }

    /// Whether the entry holds a decoded instruction.
    #[inline(always)]
    pub fn valid(&self) -> bool {
        self.size() != 0
    }

    /// The cache entry of `ins`; `None` if it does not fit (sizes beyond 32 bits, which no
    /// NeoVM script reaches), in which case it is not cached.
    fn from_instruction(ins: &Instruction<'_>) -> Option<Decoded> {
        let mut imm = [0u8; 8];
        let n = ins.operand.len().min(8);
        imm[..n].copy_from_slice(&ins.operand[..n]);
        Some(Decoded::new(
            u64::from_le_bytes(imm),
            u32::try_from(ins.size).ok()?,
            ins.opcode,
            u8::try_from(ins.size - ins.operand.len()).ok()?,
        ))
    }

    /// The operand as signed 8-bit.
    #[inline(always)]
    pub fn i8(&self) -> i8 {
        self.imm as u8 as i8
    }
    /// The operand as unsigned 8-bit.
    #[inline(always)]
    pub fn u8(&self) -> u8 {
        self.imm as u8
    }
    /// The second operand byte.
    #[inline(always)]
    pub fn u8_1(&self) -> u8 {
        (self.imm >> 8) as u8
    }
    /// The operand as LE signed 32-bit.
    #[inline(always)]
    pub fn i32(&self) -> i32 {
        self.imm as u32 as i32
    }
    /// Operand bytes 4..8 as LE signed 32-bit.
    #[inline(always)]
    pub fn i32_1(&self) -> i32 {
        (self.imm >> 32) as u32 as i32
    }
    /// The operand as LE unsigned 16-bit.
    #[inline(always)]
    pub fn u16(&self) -> u16 {
        self.imm as u16
    }
    /// The operand as LE unsigned 32-bit.
    #[inline(always)]
    pub fn u32(&self) -> u32 {
        self.imm as u32
    }
}

impl Script {
    /// Wraps bytes without validation: bad bytes fault only when execution reaches them.
    pub fn new(bytes: impl Into<Rc<[u8]>>) -> Script {
        Script(Rc::new(ScriptBody {
            bytes: bytes.into(),
            decoded: OnceCell::new(),
            pushdata: RefCell::new(Vec::new()),
        }))
    }

    /// Wraps bytes after strict validation (see [`validate_strict`]).
    pub fn new_strict(bytes: impl Into<Rc<[u8]>>) -> Result<Script, BadScript> {
        let s = Script::new(bytes);
        validate_strict(s.bytes())?;
        Ok(s)
    }

    /// The script bytes.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        &self.0.bytes
    }

    /// The script length in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.0.bytes.len()
    }

    /// Whether the script is empty.
    pub fn is_empty(&self) -> bool {
        self.0.bytes.is_empty()
    }

    /// Whether `self` and `other` are the same script object.
    pub fn same(&self, other: &Script) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// Decodes the instruction at `ip`.
    #[inline]
    pub fn instruction(&self, ip: usize) -> Result<Instruction<'_>, BadScript> {
        decode(&self.0.bytes, ip)
    }

    /// The cached decoding of the instruction at `ip` (the synthetic RET at or past the end).
    /// An entry that is not `valid()` means the bytes at `ip` do not decode; [`Script::instruction`]
    /// then gives the error.
    #[inline(always)]
    pub(crate) fn decoded(&self, ip: usize) -> Decoded {
        self.decoded_in(self.table(), ip)
    }

    /// The decode table, one cell per byte offset (allocated on first use). The run loop
    /// looks it up once per context and then reads entries with [`Script::decoded_in`].
    #[inline(always)]
    pub(crate) fn table(&self) -> &[Cell<Decoded>] {
        match self.0.decoded.get() {
            Some(t) => t,
            None => self.init_table(),
        }
    }

    /// [`Script::decoded`] with the table from [`Script::table`] already in hand.
    #[inline(always)]
    pub(crate) fn decoded_in(&self, table: &[Cell<Decoded>], ip: usize) -> Decoded {
        match table.get(ip) {
            None => Decoded::RET,
            Some(cell) => {
                let d = cell.get();
                if d.valid() {
                    d
                } else {
                    self.decode_into(ip, cell)
                }
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn init_table(&self) -> &[Cell<Decoded>] {
        self.0.decoded.get_or_init(|| {
            (0..self.0.bytes.len())
                .map(|_| Cell::new(Decoded::EMPTY))
                .collect()
        })
    }

    #[cold]
    #[inline(never)]
    fn decode_into(&self, ip: usize, cell: &Cell<Decoded>) -> Decoded {
        let d = decode(&self.0.bytes, ip)
            .ok()
            .and_then(|ins| {
                let mut d = Decoded::from_instruction(&ins)?;
                if is_pushdata(ins.opcode) {
                    let mut data = self.0.pushdata.borrow_mut();
                    d.imm = data.len() as u64;
                    data.push(Rc::from(ins.operand));
                }
                Some(d)
            })
            .unwrap_or(Decoded::EMPTY);
        cell.set(d);
        d
    }

    /// The data of the PUSHDATA instruction [`Script::decoded`] returned for `ip`, shared.
    #[inline]
    pub(crate) fn pushdata(&self, ip: usize, d: &Decoded) -> Rc<[u8]> {
        match self.0.pushdata.borrow().get(d.imm as usize) {
            Some(data) => data.clone(),
            // Only for an entry that did not come from this script's table.
            None => Rc::from(self.operand(ip, d)),
        }
    }

    /// The operand bytes of the instruction [`Script::decoded`] returned for `ip`.
    #[inline(always)]
    pub(crate) fn operand(&self, ip: usize, d: &Decoded) -> &[u8] {
        let (start, end) = (ip + d.skip() as usize, ip + d.size() as usize);
        if start >= end {
            return &[];
        }
        // Always in range for an entry of this script at `ip`; the fallback only guards
        // against a mix-up.
        self.0.bytes.get(start..end).unwrap_or(&[])
    }

    /// The public view of the instruction [`Script::decoded`] returned for `ip`.
    #[inline(always)]
    pub(crate) fn view(&self, ip: usize, d: &Decoded) -> Instruction<'_> {
        Instruction {
            opcode: d.op(),
            operand: self.operand(ip, d),
            size: d.size() as usize,
        }
    }
}

impl fmt::Debug for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Script({} bytes)", self.len())
    }
}

/// Whether `op` is PUSHDATA1, PUSHDATA2 or PUSHDATA4.
fn is_pushdata(op: OpCode) -> bool {
    matches!(
        op,
        OpCode::PUSHDATA1 | OpCode::PUSHDATA2 | OpCode::PUSHDATA4
    )
}

/// One decoded instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instruction<'a> {
    /// The opcode.
    pub opcode: OpCode,
    /// The operand bytes (for PUSHDATA*, the data without its length prefix).
    pub operand: &'a [u8],
    /// Total encoded size, including opcode and any length prefix.
    pub size: usize,
}

impl<'a> Instruction<'a> {
    /// The synthetic RET executed when the instruction pointer is at the end of a script.
    pub const RET: Instruction<'static> = Instruction {
        opcode: OpCode::RET,
        operand: &[],
        size: 1,
    };

    /// The operand as signed 8-bit.
    #[inline]
    pub fn i8(&self) -> i8 {
        self.operand[0] as i8
    }
    /// The operand as unsigned 8-bit.
    #[inline]
    pub fn u8(&self) -> u8 {
        self.operand[0]
    }
    /// The second operand byte as unsigned 8-bit.
    #[inline]
    pub fn u8_1(&self) -> u8 {
        self.operand[1]
    }
    /// The operand as LE signed 32-bit.
    #[inline]
    pub fn i32(&self) -> i32 {
        i32::from_le_bytes([
            self.operand[0],
            self.operand[1],
            self.operand[2],
            self.operand[3],
        ])
    }
    /// The operand bytes 4..8 as LE signed 32-bit.
    #[inline]
    pub fn i32_1(&self) -> i32 {
        i32::from_le_bytes([
            self.operand[4],
            self.operand[5],
            self.operand[6],
            self.operand[7],
        ])
    }
    /// The operand as LE unsigned 16-bit.
    #[inline]
    pub fn u16(&self) -> u16 {
        u16::from_le_bytes([self.operand[0], self.operand[1]])
    }
    /// The operand as LE unsigned 32-bit.
    #[inline]
    pub fn u32(&self) -> u32 {
        u32::from_le_bytes([
            self.operand[0],
            self.operand[1],
            self.operand[2],
            self.operand[3],
        ])
    }

    /// Jump/call target offsets relative to the instruction, if this is a branching instruction
    /// (JMP*, CALL, CALL_L, PUSHA, TRY (two), ENDTRY). Zero TRY offsets mean "none" and are left out.
    pub fn targets(&self) -> Vec<i64> {
        use OpCode as O;
        let op = self.opcode;
        match op {
            O::JMP
            | O::JMPIF
            | O::JMPIFNOT
            | O::JMPEQ
            | O::JMPNE
            | O::JMPGT
            | O::JMPGE
            | O::JMPLT
            | O::JMPLE
            | O::CALL
            | O::ENDTRY => vec![self.i8() as i64],
            O::JMP_L
            | O::JMPIF_L
            | O::JMPIFNOT_L
            | O::JMPEQ_L
            | O::JMPNE_L
            | O::JMPGT_L
            | O::JMPGE_L
            | O::JMPLT_L
            | O::JMPLE_L
            | O::CALL_L
            | O::ENDTRY_L
            | O::PUSHA => {
                vec![self.i32() as i64]
            }
            O::TRY => [self.i8() as i64, self.operand[1] as i8 as i64]
                .into_iter()
                .filter(|&o| o != 0)
                .collect(),
            O::TRY_L => [self.i32() as i64, self.i32_1() as i64]
                .into_iter()
                .filter(|&o| o != 0)
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Decodes the instruction at `ip` of `script` (C# `Instruction(script, ip)`).
#[inline]
pub fn decode(script: &[u8], ip: usize) -> Result<Instruction<'_>, BadScript> {
    let Some(&byte) = script.get(ip) else {
        return Err(bad(ip, "the instruction pointer is outside the script"));
    };
    let opcode = OpCode(byte);
    if !opcode.is_defined() {
        return Err(bad(ip, "invalid opcode"));
    }
    let rest = &script[ip + 1..];
    let (prefix, size) = match opcode.operand() {
        Operand::Fixed(n) => (0usize, n as usize),
        Operand::Prefix(p) => {
            let p = p as usize;
            if rest.len() < p {
                return Err(bad(ip, "length prefix past the end of the script"));
            }
            let n = match p {
                1 => rest[0] as usize,
                2 => u16::from_le_bytes([rest[0], rest[1]]) as usize,
                _ => {
                    let n = i32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
                    if n < 0 {
                        return Err(bad(ip, "negative operand length"));
                    }
                    n as usize
                }
            };
            (p, n)
        }
    };
    let data = &rest[prefix..];
    if data.len() < size {
        return Err(bad(ip, "operand past the end of the script"));
    }
    Ok(Instruction {
        opcode,
        operand: &data[..size],
        size: 1 + prefix + size,
    })
}

#[cold]
#[inline(never)]
fn bad(ip: usize, what: &str) -> BadScript {
    BadScript(format!("Bad script at {ip}: {what}"))
}

/// Strict validation (C# `Script(script, strictMode: true)`): every instruction decodes, every
/// jump, call, TRY, ENDTRY and PUSHA target is an instruction boundary, and NEWARRAY_T, ISTYPE
/// and CONVERT type bytes are defined (ISTYPE and CONVERT not `Any`).
pub fn validate_strict(script: &[u8]) -> Result<(), BadScript> {
    let mut starts = vec![false; script.len() + 1];
    let mut ip = 0;
    let mut instrs = Vec::new();
    while ip < script.len() {
        let ins = decode(script, ip)?;
        starts[ip] = true;
        instrs.push((ip, ins));
        ip += ins.size;
    }
    for (ip, ins) in instrs {
        for off in ins.targets() {
            let t = ip as i64 + off;
            let ok = t >= 0 && (t as usize) < script.len() && starts[t as usize];
            if !ok {
                return Err(BadScript(format!(
                    "{} at {ip}: target {t} is not an instruction",
                    ins.opcode
                )));
            }
        }
        match ins.opcode {
            OpCode::NEWARRAY_T | OpCode::ISTYPE | OpCode::CONVERT => {
                let t = ins.u8();
                let defined = crate::item::ItemType::from_byte(t).is_some();
                if !defined || (ins.opcode != OpCode::NEWARRAY_T && t == 0) {
                    return Err(BadScript(format!(
                        "{} at {ip}: invalid type 0x{t:02x}",
                        ins.opcode
                    )));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding() {
        let s = [0x0C, 0x02, 0xAA, 0xBB, 0x40];
        let i = decode(&s, 0).unwrap();
        assert_eq!(
            (i.opcode, i.operand, i.size),
            (OpCode::PUSHDATA1, &[0xAA, 0xBB][..], 4)
        );
        assert!(decode(&[0x0C, 0x05, 0x00], 0).is_err());
        assert!(decode(&[0xFF], 0).is_err());
        assert!(decode(&[0x0E, 0xFF, 0xFF, 0xFF, 0xFF], 0).is_err());
        assert!(decode(&[0x01, 0x00], 0).is_err());
    }

    #[test]
    fn decode_cache_matches_decode_at_every_offset() {
        // PUSHDATA1 [0x11 0x40], PUSHINT16 -2, TRY_L 1 2, undefined 0xFF.
        let bytes = vec![
            0x0C, 0x02, 0x11, 0x40, 0x01, 0xFE, 0xFF, 0x3C, 1, 0, 0, 0, 2, 0, 0, 0, 0xFF,
        ];
        let s = Script::new(bytes.clone());
        for round in 0..2 {
            for ip in 0..bytes.len() {
                let d = s.decoded(ip);
                match (decode(&bytes, ip), d.valid()) {
                    (Ok(i), true) => {
                        assert_eq!(s.view(ip, &d), i, "offset {ip}, round {round}");
                        if is_pushdata(i.opcode) {
                            // The data, decoded once and shared by every push.
                            assert_eq!(&s.pushdata(ip, &d)[..], i.operand);
                            assert!(Rc::ptr_eq(&s.pushdata(ip, &d), &s.pushdata(ip, &d)));
                            continue;
                        }
                        let mut imm = [0u8; 8];
                        let n = i.operand.len().min(8);
                        imm[..n].copy_from_slice(&i.operand[..n]);
                        assert_eq!(d.imm, u64::from_le_bytes(imm));
                    }
                    (Err(_), false) => {}
                    (a, b) => panic!("offset {ip}: {a:?} vs {b:?}"),
                }
            }
        }
        let end = s.decoded(bytes.len());
        assert_eq!(s.view(bytes.len(), &end), Instruction::RET);
        let d = s.decoded(7);
        assert_eq!((d.i32(), d.i32_1()), (1, 2));
        assert_eq!(s.decoded(4).imm as i16, -2);
    }

    #[test]
    fn strict_mode() {
        assert!(validate_strict(&[0x22, 0x02, 0x21, 0x40]).is_ok()); // JMP +2 -> NOP? no: 2 -> 0x21 boundary
        assert!(validate_strict(&[0x22, 0x01, 0x40]).is_err()); // into the operand
        assert!(validate_strict(&[0x22, 0x03, 0x40]).is_err()); // past end
        assert!(validate_strict(&[0x3B, 0x00, 0x00]).is_ok());
        assert!(validate_strict(&[0xD9, 0x00]).is_err()); // ISTYPE Any
        assert!(validate_strict(&[0xC4, 0x00]).is_ok()); // NEWARRAY_T Any
        assert!(validate_strict(&[0xDB, 0x22]).is_err()); // undefined type
        assert!(validate_strict(&[0x40, 0xFF]).is_err());
    }
}
