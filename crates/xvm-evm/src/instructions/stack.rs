//! Stack manipulation: PUSH1..PUSH32 and DUP1..DUP16 (PUSH0, POP and SWAPn are one-liners in the
//! dispatch loop).

use crate::host::Host;
use crate::interpreter::Frame;
use crate::opcodes::op;
use alloy_primitives::U256;

impl<H: Host> Frame<'_, H> {
    /// PUSHn: reads n immediate bytes (the code is padded, so no bounds check) and advances pc.
    #[inline(always)]
    pub(crate) fn op_push(&mut self, opcode: u8) {
        let n = (opcode - op::PUSH1 + 1) as usize;
        let start = self.pc + 1;
        let code = self.code.padded();
        let v = if n <= 8 {
            let mut buf = [0u8; 8];
            buf[8 - n..].copy_from_slice(&code[start..start + n]);
            U256::from(u64::from_be_bytes(buf))
        } else {
            let mut buf = [0u8; 32];
            buf[32 - n..].copy_from_slice(&code[start..start + n]);
            U256::from_be_bytes(buf)
        };
        self.stack.push(v);
        self.pc = start + n;
    }

    /// DUPn with `n` zero-based (DUP1 = 0).
    #[inline(always)]
    pub(crate) fn op_dup(&mut self, n: usize) {
        let v = self.stack.peek(n);
        self.stack.push(v);
    }
}
