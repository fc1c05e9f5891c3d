//! Code analysis done once per code: padding, the jump-destination bitmap, and (lazily, once
//! per revision) the basic-block table the interpreter's fast path charges gas and checks the
//! stack with.

use crate::opcodes::{self, op};
use crate::revision::Revision;
use alloy_primitives::Bytes;
use std::sync::OnceLock;

/// Code prepared for execution: the original bytes padded with zeros (so that the interpreter
/// never needs a bounds check to read an opcode or push data, and running off the end reads
/// STOP), plus a bitmap of valid JUMPDEST positions. Hosts may cache it by code hash.
#[derive(Clone, Debug)]
pub struct AnalyzedCode {
    padded: Bytes,
    len: usize,
    jumpdests: Vec<u64>,
    /// Per revision, built on first use: see [`Block`].
    blocks: [OnceLock<Box<[Block]>>; Revision::ALL.len()],
}

/// What the interpreter checks when it enters straight-line code at a position: the static gas
/// of every instruction from there up to and including the next block end, the stack height
/// needed for none of them to underflow, and the largest growth of the stack above the entry
/// height along the way.
///
/// A block ends at an instruction after which execution does not simply go on to the next one
/// (STOP, JUMP, JUMPI, RETURN, REVERT, SELFDESTRUCT, INVALID, an undefined opcode) and at one
/// that reads the gas left (GAS, SSTORE, the CALLs and CREATEs), so that those see exactly the
/// gas they would see with per-instruction charging. JUMPDEST does not end a block: entering at
/// a JUMPDEST (by a jump) charges from there, falling through it charges nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Block {
    /// Static gas of the instructions up to the block's end.
    pub(crate) gas: u32,
    /// Minimum stack height at entry; `u16::MAX` when the block holds an undefined instruction
    /// (never satisfied, so the interpreter takes its exact per-instruction path there).
    pub(crate) need: u16,
    /// Largest stack growth above the entry height (saturating).
    pub(crate) up: u16,
}

/// Longest code the block table serves: the sum of static gas over a block stays below
/// `u32::MAX` (at most 1,875 gas per byte outside block ends). Longer code runs on the
/// per-instruction path.
pub(crate) const MAX_BLOCK_CODE: usize = 1 << 20;

/// True for instructions that end a block (see [`Block`]).
pub(crate) fn ends_block(opcode: u8) -> bool {
    matches!(
        opcode,
        op::STOP
            | op::JUMP
            | op::JUMPI
            | op::RETURN
            | op::REVERT
            | op::INVALID
            | op::SELFDESTRUCT
            | op::GAS
            | op::SSTORE
            | op::CALL
            | op::CALLCODE
            | op::DELEGATECALL
            | op::STATICCALL
            | op::CREATE
            | op::CREATE2
    )
}

/// Zero bytes appended after the code: a PUSH32 as the last byte reads 32 bytes, then one STOP.
const PADDING: usize = 33;

impl AnalyzedCode {
    /// Analyses `code`.
    pub fn new(code: &[u8]) -> Self {
        let len = code.len();
        let mut padded = Vec::with_capacity(len + PADDING);
        padded.extend_from_slice(code);
        padded.resize(len + PADDING, 0);
        let mut jumpdests = vec![0u64; len.div_ceil(64).max(1)];
        let mut i = 0;
        while i < len {
            let b = code[i];
            if b == op::JUMPDEST {
                jumpdests[i >> 6] |= 1u64 << (i & 63);
            } else if (op::PUSH1..=op::PUSH32).contains(&b) {
                i += (b - op::PUSH1 + 1) as usize;
            }
            i += 1;
        }
        AnalyzedCode {
            padded: padded.into(),
            len,
            jumpdests,
            blocks: [const { OnceLock::new() }; Revision::ALL.len()],
        }
    }

    /// The block table for `rev` (built on first use): entry `i` describes entering at `i`;
    /// there are `len + 1` entries (the last is the padding STOP). `None` for code longer than
    /// [`MAX_BLOCK_CODE`].
    #[inline]
    pub(crate) fn blocks(&self, rev: Revision) -> Option<&[Block]> {
        if self.len > MAX_BLOCK_CODE {
            return None;
        }
        Some(self.blocks[rev as usize].get_or_init(|| self.build_blocks(rev)))
    }

    fn build_blocks(&self, rev: Revision) -> Box<[Block]> {
        let code = self.code();
        let table = opcodes::table(rev);
        // Instruction starts, then a backward pass: each entry is its instruction's own
        // requirements combined with those of the entry right after it, unless it ends a block.
        let mut starts = Vec::with_capacity(self.len);
        let mut i = 0;
        while i < self.len {
            starts.push(i as u32);
            i += 1 + opcodes::immediate_size(code[i]);
        }
        let mut blocks = vec![Block::default(); self.len + 1].into_boxed_slice();
        for &start in starts.iter().rev() {
            let pos = start as usize;
            let opcode = code[pos];
            let info = &table[opcode as usize];
            blocks[pos] = if info.gas < 0 {
                Block {
                    gas: 0,
                    need: u16::MAX,
                    up: 0,
                }
            } else {
                let (inputs, outputs) = opcodes::stack_io(opcode);
                let delta = outputs as i32 - inputs as i32;
                let gas = info.gas as u32;
                if ends_block(opcode) {
                    Block {
                        gas,
                        need: inputs as u16,
                        up: delta.max(0) as u16,
                    }
                } else {
                    let next = blocks[(pos + 1 + opcodes::immediate_size(opcode)).min(self.len)];
                    let need = if next.need == u16::MAX {
                        u16::MAX
                    } else {
                        (next.need as i32 - delta)
                            .max(inputs as i32)
                            .min(u16::MAX as i32) as u16
                    };
                    let up = (delta + next.up as i32)
                        .max(delta)
                        .max(0)
                        .min(u16::MAX as i32);
                    Block {
                        gas: gas.saturating_add(next.gas),
                        need,
                        up: up as u16,
                    }
                }
            };
        }
        blocks
    }

    /// The original code (without padding).
    #[inline]
    pub fn code(&self) -> &[u8] {
        &self.padded[..self.len]
    }

    /// The code followed by at least 33 zero bytes.
    #[inline]
    pub fn padded(&self) -> &[u8] {
        &self.padded
    }

    /// Length of the original code.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for empty code.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `pos` is a JUMPDEST instruction (not push data).
    #[inline]
    pub fn is_jumpdest(&self, pos: usize) -> bool {
        pos < self.len && (self.jumpdests[pos >> 6] >> (pos & 63)) & 1 == 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jumpdests_skip_push_data() {
        // PUSH2 0x5b5b JUMPDEST PUSH1 (truncated)
        let a = AnalyzedCode::new(&[0x61, 0x5b, 0x5b, 0x5b, 0x60]);
        assert!(!a.is_jumpdest(0));
        assert!(!a.is_jumpdest(1));
        assert!(!a.is_jumpdest(2));
        assert!(a.is_jumpdest(3));
        assert!(!a.is_jumpdest(4));
        assert!(!a.is_jumpdest(1000));
        assert_eq!(a.padded().len(), 5 + 33);
        assert_eq!(a.code(), &[0x61, 0x5b, 0x5b, 0x5b, 0x60]);
    }

    #[test]
    fn empty_code() {
        let a = AnalyzedCode::new(&[]);
        assert!(a.is_empty());
        assert!(!a.is_jumpdest(0));
    }
}
