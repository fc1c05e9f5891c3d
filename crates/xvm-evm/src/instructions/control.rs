//! Control flow: JUMP, JUMPI, PC, GAS, RETURN, REVERT.

use crate::host::Host;
use crate::interpreter::{Frame, OpResult};
use crate::status::StatusCode;
use alloy_primitives::U256;

/// The jumps and PC take the program counter as an argument: the interpreter's loops keep it in
/// a local (a register) rather than in the frame.
impl<H: Host + ?Sized> Frame<'_, H> {
    #[inline(always)]
    fn jump_to(&mut self, dest: U256, pc: &mut usize) -> OpResult {
        match usize::try_from(dest) {
            Ok(d) if self.code.is_jumpdest(d) => {
                *pc = d;
                Ok(())
            }
            _ => Err(StatusCode::BadJumpDestination),
        }
    }

    #[inline(always)]
    pub(crate) fn op_jump(&mut self, pc: &mut usize) -> OpResult {
        let dest = self.stack.pop();
        self.jump_to(dest, pc)
    }

    #[inline(always)]
    pub(crate) fn op_jumpi(&mut self, pc: &mut usize) -> OpResult {
        let dest = self.stack.pop();
        let cond = self.stack.pop();
        if cond.is_zero() {
            *pc += 1;
            Ok(())
        } else {
            self.jump_to(dest, pc)
        }
    }

    #[inline(always)]
    pub(crate) fn op_pc(&mut self, pc: usize) {
        self.stack.push(U256::from(pc));
    }

    #[inline(always)]
    pub(crate) fn op_gas(&mut self) {
        self.stack.push(U256::from(self.gas as u64));
    }

    /// RETURN (`status` Success) and REVERT (`status` Revert): always end the frame.
    #[inline(never)]
    pub(crate) fn op_return(&mut self, status: StatusCode) -> OpResult {
        let offset = self.stack.pop();
        let size = self.stack.pop();
        let off = self.mem(offset, size)?;
        if !size.is_zero() {
            let len = size.to::<usize>();
            self.output = super::try_copy(&self.memory.data()[off..off + len])?;
        }
        Err(status)
    }
}
