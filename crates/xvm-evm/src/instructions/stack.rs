//! Stack manipulation: PUSH1..PUSH32 and DUP1..DUP16 (PUSH0, POP and SWAPn are one-liners in the
//! dispatch loop).

use crate::host::Host;
use crate::interpreter::Frame;
use alloy_primitives::U256;

impl<H: Host + ?Sized> Frame<'_, H> {
    /// PUSHn at `pc`: reads the `N` immediate bytes and advances `pc` past them.
    #[inline(always)]
    pub(crate) fn op_push<const N: usize>(&mut self, pc: &mut usize) {
        let start = *pc + 1;
        let code = self.code.padded();
        debug_assert!(start + N <= code.len());
        // SAFETY: a PUSH runs at `pc < len` (the byte at `len` is the padding STOP), and the code
        // is followed by at least 33 padding bytes, so `start + N <= len + 32 < code.len()`.
        let imm: &[u8; N] = unsafe { &*(code.as_ptr().add(start) as *const [u8; N]) };
        let v = if N <= 8 {
            let mut buf = [0u8; 8];
            buf[8 - N..].copy_from_slice(imm);
            U256::from_limbs([u64::from_be_bytes(buf), 0, 0, 0])
        } else {
            let mut buf = [0u8; 32];
            buf[32 - N..].copy_from_slice(imm);
            U256::from_be_bytes(buf)
        };
        self.stack.push(v);
        *pc = start + N;
    }

    /// DUPn.
    #[inline(always)]
    pub(crate) fn op_dup<const N: usize>(&mut self) {
        let v = self.stack.peek(N - 1);
        self.stack.push(v);
    }
}
