//! Environment: ADDRESS, BALANCE, ORIGIN, CALLER, CALLVALUE, CALLDATA*, CODESIZE, CODECOPY,
//! GASPRICE, EXTCODE*, RETURNDATA*, SELFBALANCE.

use super::{address_to_word, copy_padded, num_words, word_to_address, COLD_ACCOUNT_SURCHARGE};
use crate::host::Host;
use crate::interpreter::{Frame, OpResult};
use crate::revision::Revision;
use crate::status::{AccessStatus, StatusCode};
use alloy_primitives::{Address, U256};

impl<H: Host + ?Sized> Frame<'_, H> {
    /// Charges the EIP-2929 cold surcharge when `addr` was cold (Berlin on).
    #[inline(always)]
    pub(crate) fn access_account(&mut self, addr: &Address) -> OpResult {
        if self.rev >= Revision::Berlin && self.host.access_account(addr) == AccessStatus::Cold {
            self.charge(COLD_ACCOUNT_SURCHARGE)?;
        }
        Ok(())
    }

    /// Charges copy gas (3 per word) and expands memory for a copy of `size` bytes to
    /// `mem_offset`; returns the destination range.
    #[inline(always)]
    pub(crate) fn copy_prologue(
        &mut self,
        mem_offset: U256,
        size: U256,
    ) -> Result<std::ops::Range<usize>, StatusCode> {
        let dst = self.mem(mem_offset, size)?;
        // mem() succeeded, so a non-zero size fits in usize.
        let len = if size.is_zero() {
            0
        } else {
            size.to::<usize>()
        };
        self.charge(3 * num_words(len))?;
        Ok(dst..dst + len)
    }

    #[inline(always)]
    pub(crate) fn op_address(&mut self) {
        self.stack.push(address_to_word(&self.msg.recipient));
    }

    #[inline(never)]
    pub(crate) fn op_balance(&mut self) -> OpResult {
        let addr = word_to_address(self.stack.peek(0));
        self.access_account(&addr)?;
        *self.stack.peek_mut(0) = self.host.get_balance(&addr);
        Ok(())
    }

    #[inline]
    pub(crate) fn op_origin(&mut self) {
        let v = address_to_word(&self.host.get_tx_context().origin);
        self.stack.push(v);
    }

    #[inline(always)]
    pub(crate) fn op_caller(&mut self) {
        self.stack.push(address_to_word(&self.msg.sender));
    }

    #[inline(always)]
    pub(crate) fn op_callvalue(&mut self) {
        self.stack.push(self.msg.value);
    }

    #[inline(always)]
    pub(crate) fn op_calldataload(&mut self) {
        let offset = self.stack.peek(0);
        let input = self.input;
        // A whole word inside the input: read it in place (no copy through a padded buffer).
        let whole = usize::try_from(offset)
            .ok()
            .and_then(|o| input.get(o..o.checked_add(32)?))
            .and_then(|s| <&[u8; 32]>::try_from(s).ok());
        *self.stack.peek_mut(0) = match whole {
            Some(bytes) => U256::from_be_bytes(*bytes),
            None => {
                let mut word = [0u8; 32];
                copy_padded(&mut word, input, offset);
                U256::from_be_bytes(word)
            }
        };
    }

    #[inline(always)]
    pub(crate) fn op_calldatasize(&mut self) {
        self.stack.push(U256::from(self.input.len()));
    }

    pub(crate) fn op_calldatacopy(&mut self) -> OpResult {
        let mem_offset = self.stack.pop();
        let offset = self.stack.pop();
        let size = self.stack.pop();
        let range = self.copy_prologue(mem_offset, size)?;
        copy_padded(&mut self.memory.data_mut()[range], self.input, offset);
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn op_codesize(&mut self) {
        self.stack.push(U256::from(self.code.len()));
    }

    pub(crate) fn op_codecopy(&mut self) -> OpResult {
        let mem_offset = self.stack.pop();
        let offset = self.stack.pop();
        let size = self.stack.pop();
        let range = self.copy_prologue(mem_offset, size)?;
        copy_padded(&mut self.memory.data_mut()[range], self.code.code(), offset);
        Ok(())
    }

    #[inline]
    pub(crate) fn op_gasprice(&mut self) {
        let v = self.host.get_tx_context().gas_price;
        self.stack.push(v);
    }

    #[inline(never)]
    pub(crate) fn op_extcodesize(&mut self) -> OpResult {
        let addr = word_to_address(self.stack.peek(0));
        self.access_account(&addr)?;
        *self.stack.peek_mut(0) = U256::from(self.host.get_code_size(&addr));
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn op_extcodecopy(&mut self) -> OpResult {
        let addr = word_to_address(self.stack.pop());
        let mem_offset = self.stack.pop();
        let offset = self.stack.pop();
        let size = self.stack.pop();
        let range = self.copy_prologue(mem_offset, size)?;
        self.access_account(&addr)?;
        if !range.is_empty() {
            let dst = &mut self.memory.data_mut()[range];
            let copied = match usize::try_from(offset) {
                Ok(off) => self.host.copy_code(&addr, off, dst),
                Err(_) => 0,
            };
            dst[copied..].fill(0);
        }
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn op_returndatasize(&mut self) {
        self.stack.push(U256::from(self.return_data.len()));
    }

    /// RETURNDATACOPY. Checks in EVMC's (and evmone's) order: memory expansion (OUT_OF_GAS),
    /// then the read range against the return data (`INVALID_MEMORY_ACCESS`), then copy gas.
    pub(crate) fn op_returndatacopy(&mut self) -> OpResult {
        let mem_offset = self.stack.pop();
        let offset = self.stack.pop();
        let size = self.stack.pop();
        let dst = self.mem(mem_offset, size)?;
        // mem() succeeded, so a non-zero size fits in usize.
        let len = if size.is_zero() {
            0
        } else {
            size.to::<usize>()
        };
        let available = self.return_data.len();
        let start = match usize::try_from(offset) {
            Ok(o) if o <= available => o,
            _ => return Err(StatusCode::InvalidMemoryAccess),
        };
        if len > available - start {
            return Err(StatusCode::InvalidMemoryAccess);
        }
        self.charge(3 * num_words(len))?;
        self.memory.data_mut()[dst..dst + len]
            .copy_from_slice(&self.return_data[start..start + len]);
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn op_extcodehash(&mut self) -> OpResult {
        let addr = word_to_address(self.stack.peek(0));
        self.access_account(&addr)?;
        *self.stack.peek_mut(0) = self.host.get_code_hash(&addr).into();
        Ok(())
    }

    #[inline(never)]
    pub(crate) fn op_selfbalance(&mut self) {
        let v = self.host.get_balance(&self.msg.recipient);
        self.stack.push(v);
    }
}
