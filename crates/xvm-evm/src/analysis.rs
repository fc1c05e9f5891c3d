//! Code analysis done once per code: padding and the jump-destination bitmap.

use crate::opcodes::op;
use alloy_primitives::Bytes;

/// Code prepared for execution: the original bytes padded with zeros (so that the interpreter
/// never needs a bounds check to read an opcode or push data, and running off the end reads
/// STOP), plus a bitmap of valid JUMPDEST positions. Hosts may cache it by code hash.
#[derive(Clone, Debug)]
pub struct AnalyzedCode {
    padded: Bytes,
    len: usize,
    jumpdests: Vec<u64>,
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
        }
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
