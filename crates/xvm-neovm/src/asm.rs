//! Text assembly and disassembly of NeoVM scripts.
//!
//! Format: one instruction per line, `OPCODE [operands]`, `;` starts a comment, `name:` defines
//! a label. Operands:
//! - PUSHINT8..PUSHINT256: a decimal integer (encoded in exactly the opcode's width);
//! - PUSHDATA1/2/4: `0x` hex data (length prefix added by the assembler);
//! - jumps, CALL/CALL_L, ENDTRY/ENDTRY_L, PUSHA: a label, or a signed offset relative to the
//!   instruction (`+5`, `-3`, `0`);
//! - TRY/TRY_L: catch and finally, each a label or offset (`0` = none), separated by a comma;
//! - INITSLOT: locals and arguments; INITSSLOT, LD*/ST* with index, CALLT: a number;
//! - SYSCALL: a known name (`System.Runtime.Notify`) or the u32 id as `0x` + 8 hex digits
//!   (little-endian value of the operand);
//! - NEWARRAY_T, ISTYPE, CONVERT: a type name (`Integer`, `ByteString`, ...) or `0x`-byte.
//!
//! `DB 0x..` emits raw bytes (the disassembler uses it for undefined opcodes and truncated
//! operands, so that `assemble(disassemble(x)) == x` for every byte string).

use crate::int::Int;
use crate::item::{hex, ItemType};
use crate::opcode::{OpCode, Operand};
use crate::script::decode;
use crate::syscalls::{syscall_id, syscall_name};
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// An assembly error with its 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsmError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for AsmError {}

fn is_jump_like(op: OpCode) -> bool {
    use OpCode as O;
    matches!(
        op,
        O::JMP
            | O::JMP_L
            | O::JMPIF
            | O::JMPIF_L
            | O::JMPIFNOT
            | O::JMPIFNOT_L
            | O::JMPEQ
            | O::JMPEQ_L
            | O::JMPNE
            | O::JMPNE_L
            | O::JMPGT
            | O::JMPGT_L
            | O::JMPGE
            | O::JMPGE_L
            | O::JMPLT
            | O::JMPLT_L
            | O::JMPLE
            | O::JMPLE_L
            | O::CALL
            | O::CALL_L
            | O::ENDTRY
            | O::ENDTRY_L
            | O::PUSHA
    )
}

fn label_name(addr: i64) -> String {
    format!("L{addr:04x}")
}

/// Disassembles a script into text that [`assemble`] turns back into the same bytes.
pub fn disassemble(script: &[u8]) -> String {
    // First pass: decode, collect instruction starts.
    let mut instrs = Vec::new();
    let mut ip = 0;
    let mut tail = None;
    while ip < script.len() {
        match decode(script, ip) {
            Ok(ins) => {
                instrs.push((ip, ins));
                ip += ins.size;
            }
            Err(_) => {
                tail = Some(ip);
                break;
            }
        }
    }
    let starts: BTreeSet<i64> = instrs.iter().map(|(ip, _)| *ip as i64).collect();
    let mut labels = BTreeSet::new();
    for (ip, ins) in &instrs {
        for off in ins.targets() {
            let t = *ip as i64 + off;
            if starts.contains(&t) {
                labels.insert(t);
            }
        }
    }
    let target = |ip: usize, off: i64| -> String {
        let t = ip as i64 + off;
        if off != 0 && labels.contains(&t) {
            label_name(t)
        } else if off > 0 {
            format!("+{off}")
        } else {
            off.to_string()
        }
    };
    let mut out = String::new();
    for (ip, ins) in &instrs {
        if labels.contains(&(*ip as i64)) {
            out.push_str(&label_name(*ip as i64));
            out.push_str(":\n");
        }
        let op = ins.opcode;
        let mut text = op.to_string();
        let operand = match op {
            _ if is_jump_like(op) => {
                let off = if ins.operand.len() == 1 {
                    ins.i8() as i64
                } else {
                    ins.i32() as i64
                };
                Some(target(*ip, off))
            }
            OpCode::TRY => Some(format!(
                "{}, {}",
                target(*ip, ins.i8() as i64),
                target(*ip, ins.operand[1] as i8 as i64)
            )),
            OpCode::TRY_L => Some(format!(
                "{}, {}",
                target(*ip, ins.i32() as i64),
                target(*ip, ins.i32_1() as i64)
            )),
            OpCode::PUSHINT8
            | OpCode::PUSHINT16
            | OpCode::PUSHINT32
            | OpCode::PUSHINT64
            | OpCode::PUSHINT128
            | OpCode::PUSHINT256 => Int::from_le_bytes(ins.operand).map(|v| v.to_string()),
            OpCode::PUSHDATA1 | OpCode::PUSHDATA2 | OpCode::PUSHDATA4 => {
                Some(format!("0x{}", hex(ins.operand)))
            }
            OpCode::INITSLOT => Some(format!("{} {}", ins.u8(), ins.u8_1())),
            OpCode::SYSCALL => Some(match syscall_name(ins.u32()) {
                Some(name) => name.to_string(),
                None => format!("0x{:08x}", ins.u32()),
            }),
            OpCode::CALLT => Some(ins.u16().to_string()),
            OpCode::NEWARRAY_T | OpCode::ISTYPE | OpCode::CONVERT => {
                Some(match ItemType::from_byte(ins.u8()) {
                    Some(t) => t.name().to_string(),
                    None => format!("0x{:02x}", ins.u8()),
                })
            }
            _ => match op.operand() {
                Operand::Fixed(1) => Some(ins.u8().to_string()),
                Operand::Fixed(0) => None,
                _ => Some(format!("0x{}", hex(ins.operand))),
            },
        };
        if let Some(o) = operand {
            text.push(' ');
            text.push_str(&o);
        }
        out.push_str(&format!("    {text:<40} ; {ip:04x}\n"));
    }
    if let Some(t) = tail {
        out.push_str(&format!("    DB 0x{:<37} ; {t:04x}\n", hex(&script[t..])));
    }
    out
}

enum Arg<'a> {
    Label(&'a str),
    Offset(i64),
}

fn parse_target(s: &str) -> Option<Arg<'_>> {
    let first = s.chars().next()?;
    if first == '+' || first == '-' || first.is_ascii_digit() {
        let t = s.strip_prefix('+').unwrap_or(s);
        t.parse::<i64>().ok().map(Arg::Offset)
    } else if first.is_ascii_alphabetic() || first == '_' || first == '.' {
        Some(Arg::Label(s))
    } else {
        None
    }
}

fn parse_num(s: &str) -> Option<u64> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else {
        s.parse().ok()
    }
}

struct Line<'a> {
    no: usize,
    op: Option<OpCode>,
    args: Vec<&'a str>,
    raw: Option<Vec<u8>>,
    addr: usize,
}

/// Assembles text (see the module docs for the format).
pub fn assemble(text: &str) -> Result<Vec<u8>, AsmError> {
    let mut lines = Vec::new();
    let mut labels: HashMap<String, usize> = HashMap::new();
    let mut addr = 0usize;
    for (i, raw_line) in text.lines().enumerate() {
        let no = i + 1;
        let e = |m: String| AsmError {
            line: no,
            message: m,
        };
        let mut line = raw_line.split(';').next().unwrap_or("").trim();
        // Labels.
        while let Some(pos) = line.find(':') {
            let (name, rest) = line.split_at(pos);
            let name = name.trim();
            if name.is_empty() || name.contains(char::is_whitespace) {
                break;
            }
            if labels.insert(name.to_string(), addr).is_some() {
                return Err(e(format!("label {name:?} defined twice")));
            }
            line = rest[1..].trim();
        }
        if line.is_empty() {
            continue;
        }
        let (mnemonic, rest) = match line.find(char::is_whitespace) {
            Some(p) => (&line[..p], line[p..].trim()),
            None => (line, ""),
        };
        let args: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split([',', ' ', '\t'])
                .filter(|s| !s.is_empty())
                .collect()
        };
        if mnemonic.eq_ignore_ascii_case("DB") {
            let mut bytes = Vec::new();
            for a in &args {
                let h = a
                    .strip_prefix("0x")
                    .ok_or_else(|| e(format!("DB expects 0x-hex, got {a:?}")))?;
                bytes.extend(parse_hex(h).ok_or_else(|| e(format!("bad hex {a:?}")))?);
            }
            let n = bytes.len();
            lines.push(Line {
                no,
                op: None,
                args,
                raw: Some(bytes),
                addr,
            });
            addr += n;
            continue;
        }
        let op = OpCode::from_name(&mnemonic.to_ascii_uppercase())
            .ok_or_else(|| e(format!("unknown opcode {mnemonic:?}")))?;
        let size = match op.operand() {
            Operand::Fixed(n) => 1 + n as usize,
            Operand::Prefix(p) => {
                let a = args
                    .first()
                    .ok_or_else(|| e(format!("{op} needs 0x-hex data")))?;
                let h = a
                    .strip_prefix("0x")
                    .ok_or_else(|| e(format!("{op} needs 0x-hex data, got {a:?}")))?;
                if h.len() % 2 != 0 {
                    return Err(e(format!("odd number of hex digits in {a:?}")));
                }
                1 + p as usize + h.len() / 2
            }
        };
        lines.push(Line {
            no,
            op: Some(op),
            args,
            raw: None,
            addr,
        });
        addr += size;
    }

    let mut out = Vec::with_capacity(addr);
    for l in &lines {
        let e = |m: String| AsmError {
            line: l.no,
            message: m,
        };
        if let Some(raw) = &l.raw {
            out.extend_from_slice(raw);
            continue;
        }
        let op = l.op.expect("instruction line");
        out.push(op.0);
        let want_args = |n: usize| -> Result<(), AsmError> {
            if l.args.len() != n {
                return Err(e(format!(
                    "{op} takes {n} operand(s), got {}",
                    l.args.len()
                )));
            }
            Ok(())
        };
        let resolve = |s: &str| -> Result<i64, AsmError> {
            match parse_target(s) {
                Some(Arg::Offset(o)) => Ok(o),
                Some(Arg::Label(name)) => {
                    let t = labels
                        .get(name)
                        .ok_or_else(|| e(format!("unknown label {name:?}")))?;
                    Ok(*t as i64 - l.addr as i64)
                }
                None => Err(e(format!("bad jump target {s:?}"))),
            }
        };
        let short = |v: i64| -> Result<u8, AsmError> {
            i8::try_from(v).map(|x| x as u8).map_err(|_| {
                e(format!(
                    "offset {v} does not fit in 8 bits; use the _L form"
                ))
            })
        };
        let long = |v: i64| -> Result<[u8; 4], AsmError> {
            i32::try_from(v)
                .map(i32::to_le_bytes)
                .map_err(|_| e(format!("offset {v} does not fit in 32 bits")))
        };
        let Operand::Fixed(width) = op.operand() else {
            want_args(1)?;
            let h = &l.args[0][2..];
            let data = parse_hex(h).ok_or_else(|| e(format!("bad hex {:?}", l.args[0])))?;
            match op {
                OpCode::PUSHDATA1 => {
                    let n = u8::try_from(data.len())
                        .map_err(|_| e("PUSHDATA1 data longer than 255 bytes".into()))?;
                    out.push(n);
                }
                OpCode::PUSHDATA2 => {
                    let n = u16::try_from(data.len())
                        .map_err(|_| e("PUSHDATA2 data longer than 65535 bytes".into()))?;
                    out.extend_from_slice(&n.to_le_bytes());
                }
                _ => {
                    let n = i32::try_from(data.len())
                        .map_err(|_| e("PUSHDATA4 data too long".into()))?;
                    out.extend_from_slice(&n.to_le_bytes());
                }
            }
            out.extend_from_slice(&data);
            continue;
        };
        let width = width as usize;
        match op {
            _ if is_jump_like(op) => {
                want_args(1)?;
                let off = resolve(l.args[0])?;
                if width == 1 {
                    out.push(short(off)?);
                } else {
                    out.extend_from_slice(&long(off)?);
                }
            }
            OpCode::TRY | OpCode::TRY_L => {
                want_args(2)?;
                let (c, f) = (resolve(l.args[0])?, resolve(l.args[1])?);
                if op == OpCode::TRY {
                    out.push(short(c)?);
                    out.push(short(f)?);
                } else {
                    out.extend_from_slice(&long(c)?);
                    out.extend_from_slice(&long(f)?);
                }
            }
            OpCode::PUSHINT8
            | OpCode::PUSHINT16
            | OpCode::PUSHINT32
            | OpCode::PUSHINT64
            | OpCode::PUSHINT128
            | OpCode::PUSHINT256 => {
                want_args(1)?;
                let v = Int::from_dec_str(l.args[0])
                    .ok_or_else(|| e(format!("bad integer {:?}", l.args[0])))?;
                let full: [u8; 32] = v.to_raw().to_le_bytes();
                let fill = if v.is_negative() { 0xFF } else { 0 };
                let fits = full[width..].iter().all(|&b| b == fill)
                    && ((full[width - 1] & 0x80 != 0) == v.is_negative());
                if !fits {
                    return Err(e(format!("{v} does not fit in {op}")));
                }
                out.extend_from_slice(&full[..width]);
            }
            OpCode::INITSLOT => {
                want_args(2)?;
                for a in &l.args {
                    let n = parse_num(a)
                        .and_then(|n| u8::try_from(n).ok())
                        .ok_or_else(|| e(format!("bad byte {a:?}")))?;
                    out.push(n);
                }
            }
            OpCode::SYSCALL => {
                want_args(1)?;
                let n = syscall_id(l.args[0])
                    .or_else(|| parse_num(l.args[0]).and_then(|n| u32::try_from(n).ok()))
                    .ok_or_else(|| e(format!("bad syscall id or name {:?}", l.args[0])))?;
                out.extend_from_slice(&n.to_le_bytes());
            }
            OpCode::CALLT => {
                want_args(1)?;
                let n = parse_num(l.args[0])
                    .and_then(|n| u16::try_from(n).ok())
                    .ok_or_else(|| e(format!("bad token {:?}", l.args[0])))?;
                out.extend_from_slice(&n.to_le_bytes());
            }
            OpCode::NEWARRAY_T | OpCode::ISTYPE | OpCode::CONVERT => {
                want_args(1)?;
                let a = l.args[0];
                let b = match ItemType::from_name(a) {
                    Some(t) => t as u8,
                    None => parse_num(a)
                        .and_then(|n| u8::try_from(n).ok())
                        .ok_or_else(|| e(format!("bad type {a:?}")))?,
                };
                out.push(b);
            }
            _ if width == 0 => want_args(0)?,
            _ if width == 1 => {
                want_args(1)?;
                let n = parse_num(l.args[0])
                    .and_then(|n| u8::try_from(n).ok())
                    .ok_or_else(|| e(format!("bad byte {:?}", l.args[0])))?;
                out.push(n);
            }
            _ => {
                want_args(1)?;
                let h = l.args[0]
                    .strip_prefix("0x")
                    .ok_or_else(|| e(format!("{op} needs 0x-hex")))?;
                let data = parse_hex(h)
                    .filter(|d| d.len() == width)
                    .ok_or_else(|| e(format!("{op} needs {width} bytes")))?;
                out.extend_from_slice(&data);
            }
        }
    }
    Ok(out)
}

/// Decodes hex digits (even length, any case; no `0x` prefix).
pub fn parse_hex(h: &str) -> Option<Vec<u8>> {
    if h.len() % 2 != 0 {
        return None;
    }
    (0..h.len())
        .step_by(2)
        .map(|i| h.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok()))
        .collect()
}

/// Lowercase hex digits of `b` (no prefix).
pub fn to_hex(b: &[u8]) -> String {
    hex(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let scripts: Vec<Vec<u8>> = vec![
            vec![],
            vec![0x11, 0x22, 0x03, 0x21, 0x40], // PUSH1, JMP +3, NOP, RET
            vec![0x22, 0x01, 0x40],             // jump into an operand
            vec![0x0C, 0x00, 0x0C, 0x02, 0xAB, 0xCD], // PUSHDATA1 empty and 2 bytes
            vec![0x00, 0x80, 0x01, 0xFF, 0x7F, 0x05], // PUSHINT8 -128, PUSHINT16 32767, truncated
            vec![0x3B, 0x03, 0x00, 0x3D, 0x02, 0x40, 0xFF], // TRY, ENDTRY, RET, bad byte
            vec![
                0x41, 0x77, 0x77, 0x77, 0x77, 0xDB, 0x28, 0xD9, 0x99, 0x57, 0x02, 0x01,
            ],
            vec![0x0A, 0xFC, 0xFF, 0xFF, 0xFF, 0x37, 0x01, 0x00],
        ];
        for s in scripts {
            let text = disassemble(&s);
            assert_eq!(assemble(&text).unwrap(), s, "{text}");
        }
    }

    #[test]
    fn labels_and_errors() {
        let code = "start: PUSH1\n JMPIF end ; comment\n PUSHINT16 -2\nend:\n RET\n";
        assert_eq!(
            assemble(code).unwrap(),
            vec![0x11, 0x24, 0x05, 0x01, 0xFE, 0xFF, 0x40]
        );
        assert!(assemble("FOO").is_err());
        assert!(assemble("JMP nowhere").is_err());
        assert!(assemble("PUSHINT8 128").is_err());
        assert!(assemble("PUSHDATA1 0x1").is_err());
        assert!(assemble("JMP +200").is_err());
        assert!(assemble("NOP 1").is_err());
        assert!(assemble("a: NOP\na: NOP").is_err());
        assert_eq!(
            assemble("SYSCALL System.Runtime.Notify").unwrap(),
            assemble("SYSCALL 0x616f0195").unwrap()
        );
        assert!(
            disassemble(&[0x41, 0x62, 0x7d, 0x5b, 0x52]).contains("SYSCALL System.Contract.Call")
        );
    }
}
