//! Memory: MLOAD, MSTORE, MSTORE8, MSIZE, MCOPY, and KECCAK256 over memory.

use super::num_words;
use crate::host::Host;
use crate::interpreter::{Frame, OpResult};
use alloy_primitives::{keccak256, U256};

const WORD: U256 = U256::from_limbs([32, 0, 0, 0]);
const ONE: U256 = U256::from_limbs([1, 0, 0, 0]);

impl<H: Host + ?Sized> Frame<'_, H> {
    #[inline(always)]
    pub(crate) fn op_mload(&mut self) -> OpResult {
        let offset = self.stack.peek(0);
        let off = self.mem(offset, WORD)?;
        let bytes: [u8; 32] = self.memory.data()[off..off + 32]
            .try_into()
            .unwrap_or([0; 32]);
        *self.stack.peek_mut(0) = U256::from_be_bytes(bytes);
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn op_mstore(&mut self) -> OpResult {
        let offset = self.stack.pop();
        let value = self.stack.pop();
        let off = self.mem(offset, WORD)?;
        self.memory.data_mut()[off..off + 32].copy_from_slice(&value.to_be_bytes::<32>());
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn op_mstore8(&mut self) -> OpResult {
        let offset = self.stack.pop();
        let value = self.stack.pop();
        let off = self.mem(offset, ONE)?;
        self.memory.data_mut()[off] = value.byte(0);
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn op_msize(&mut self) {
        self.stack.push(U256::from(self.memory.len()));
    }

    pub(crate) fn op_mcopy(&mut self) -> OpResult {
        let dst = self.stack.pop();
        let src = self.stack.pop();
        let size = self.stack.pop();
        // Expand for the larger end of the two regions (one charge for the union).
        let far = if dst > src { dst } else { src };
        self.mem(far, size)?;
        if size.is_zero() {
            return self.charge(0);
        }
        let len = size.to::<usize>();
        self.charge(3 * num_words(len))?;
        let (d, s) = (dst.to::<usize>(), src.to::<usize>());
        self.memory.data_mut().copy_within(s..s + len, d);
        Ok(())
    }

    pub(crate) fn op_keccak256(&mut self) -> OpResult {
        let offset = self.stack.pop();
        let size = self.stack.peek(0);
        let off = self.mem(offset, size)?;
        let len = if size.is_zero() {
            0
        } else {
            size.to::<usize>()
        };
        self.charge(6 * num_words(len))?;
        let hash = keccak256(&self.memory.data()[off..off + len]);
        *self.stack.peek_mut(0) = hash.into();
        Ok(())
    }
}
