//! System: CALL, CALLCODE, DELEGATECALL, STATICCALL, CREATE, CREATE2, SELFDESTRUCT.

use super::{
    address_to_word, num_words, word_to_address, COLD_ACCOUNT_ACCESS_COST, WARM_ACCESS_COST,
};
use crate::host::Host;
use crate::interpreter::{Frame, OpResult};
use crate::message::{CallKind, Message};
use crate::opcodes::op;
use crate::revision::Revision;
use crate::status::{AccessStatus, StatusCode};
use alloy_primitives::{Address, Bytes, B256, U256};

/// The EIP-7702 delegation designator prefix.
pub const DELEGATION_PREFIX: [u8; 3] = [0xef, 0x01, 0x00];

/// The delegate of an EIP-7702 delegation designator (`0xef0100 ++ address`), if `code` is one.
pub fn delegate_of(code: &[u8]) -> Option<Address> {
    if code.len() == 23 && code[..3] == DELEGATION_PREFIX {
        Some(Address::from_slice(&code[3..]))
    } else {
        None
    }
}

/// If `addr`'s code is an EIP-7702 delegation designator (`0xef0100 ++ address`), the delegate.
pub fn delegation_target<H: Host + ?Sized>(host: &mut H, addr: &Address) -> Option<Address> {
    if host.get_code_size(addr) != 23 {
        return None;
    }
    let mut code = [0u8; 23];
    if host.copy_code(addr, 0, &mut code) != 23 {
        return None;
    }
    delegate_of(&code)
}

const CALL_VALUE_COST: i64 = 9000;
const CALL_STIPEND: i64 = 2300;
const NEW_ACCOUNT_COST: i64 = 25000;

impl<H: Host + ?Sized> Frame<'_, H> {
    /// CALL, CALLCODE, DELEGATECALL and STATICCALL.
    #[inline(never)]
    pub(crate) fn op_call(&mut self, opcode: u8) -> OpResult {
        let gas_param = self.stack.pop();
        let dst = word_to_address(self.stack.pop());
        let value = if opcode == op::CALL || opcode == op::CALLCODE {
            self.stack.pop()
        } else {
            U256::ZERO
        };
        let in_offset = self.stack.pop();
        let in_size = self.stack.pop();
        let out_offset = self.stack.pop();
        let out_size = self.stack.pop();

        self.access_account(&dst)?;
        if self.rev >= Revision::Prague {
            if let Some(delegate) = delegation_target(self.host, &dst) {
                let cost = match self.host.access_account(&delegate) {
                    AccessStatus::Cold => COLD_ACCOUNT_ACCESS_COST,
                    AccessStatus::Warm => WARM_ACCESS_COST,
                };
                self.charge(cost)?;
            }
        }

        let in_off = self.mem(in_offset, in_size)?;
        let out_off = self.mem(out_offset, out_size)?;
        let in_len = if in_size.is_zero() {
            0
        } else {
            in_size.to::<usize>()
        };
        let out_len = if out_size.is_zero() {
            0
        } else {
            out_size.to::<usize>()
        };

        let has_value = !value.is_zero();
        if opcode == op::CALL && has_value && self.msg.is_static {
            return Err(StatusCode::StaticModeViolation);
        }
        let mut cost = 0;
        if has_value {
            cost += CALL_VALUE_COST;
        }
        if opcode == op::CALL
            && (has_value || self.rev < Revision::SpuriousDragon)
            && !self.host.account_exists(&dst)
        {
            cost += NEW_ACCOUNT_COST;
        }
        self.charge(cost)?;

        let requested = i64::try_from(gas_param).unwrap_or(i64::MAX);
        let mut call_gas = if self.rev >= Revision::TangerineWhistle {
            requested.min(self.gas - self.gas / 64)
        } else {
            if requested > self.gas {
                return Err(StatusCode::OutOfGas);
            }
            requested
        };
        if has_value {
            call_gas += CALL_STIPEND;
            self.gas += CALL_STIPEND;
        }

        self.return_data = Bytes::new();
        self.stack.push(U256::ZERO);

        if self.msg.depth >= crate::MAX_CALL_DEPTH {
            return Ok(());
        }
        if has_value
            && opcode != op::DELEGATECALL
            && self.host.get_balance(&self.msg.recipient) < value
        {
            return Ok(());
        }

        // (kind, static, recipient, sender, value) per opcode; the rest is shared.
        let (kind, is_static, recipient, sender, value) = match opcode {
            op::CALL => (
                CallKind::Call,
                self.msg.is_static,
                dst,
                self.msg.recipient,
                value,
            ),
            op::CALLCODE => (
                CallKind::CallCode,
                self.msg.is_static,
                self.msg.recipient,
                self.msg.recipient,
                value,
            ),
            op::DELEGATECALL => (
                CallKind::DelegateCall,
                self.msg.is_static,
                self.msg.recipient,
                self.msg.sender,
                self.msg.value,
            ),
            _ => (CallKind::Call, true, dst, self.msg.recipient, U256::ZERO),
        };
        let mut msg = Message {
            kind,
            is_static,
            delegated: false,
            depth: self.msg.depth + 1,
            gas: call_gas,
            recipient,
            sender,
            input: Bytes::new(),
            value,
            salt: B256::ZERO,
            code_address: dst,
        };
        // Any status but success is a failed sub-call, whatever its kind (EVMC): push 0, keep
        // the output as return data and the gas the callee left, and carry on.
        let input = &self.memory.data()[in_off..in_off + in_len];
        let result = self.host.call_with_input(&mut msg, input);
        *self.stack.peek_mut(0) = U256::from(result.status.is_success() as u8);
        let n = out_len.min(result.output.len());
        if n > 0 {
            self.memory.data_mut()[out_off..out_off + n].copy_from_slice(&result.output[..n]);
        }
        self.return_data = result.output;
        self.gas -= call_gas - result.gas_left;
        self.refund += result.gas_refund;
        Ok(())
    }

    /// CREATE and CREATE2.
    #[inline(never)]
    pub(crate) fn op_create(&mut self, create2: bool) -> OpResult {
        if self.msg.is_static {
            return Err(StatusCode::StaticModeViolation);
        }
        let value = self.stack.pop();
        let offset = self.stack.pop();
        let size = self.stack.pop();
        let salt = if create2 {
            B256::from(self.stack.pop())
        } else {
            B256::ZERO
        };
        let off = self.mem(offset, size)?;
        let len = if size.is_zero() {
            0
        } else {
            size.to::<usize>()
        };
        if self.rev >= Revision::Shanghai && len > crate::MAX_INITCODE_SIZE {
            return Err(StatusCode::OutOfGas);
        }
        let words = num_words(len);
        let mut cost = 0;
        if create2 {
            cost += 6 * words;
        }
        if self.rev >= Revision::Shanghai {
            cost += 2 * words;
        }
        self.charge(cost)?;

        self.return_data = Bytes::new();
        self.stack.push(U256::ZERO);
        if self.msg.depth >= crate::MAX_CALL_DEPTH {
            return Ok(());
        }
        if !value.is_zero() && self.host.get_balance(&self.msg.recipient) < value {
            return Ok(());
        }
        let mut gas = self.gas;
        if self.rev >= Revision::TangerineWhistle {
            gas -= gas / 64;
        }
        let mut msg = Message {
            kind: if create2 {
                CallKind::Create2
            } else {
                CallKind::Create
            },
            is_static: false,
            delegated: false,
            depth: self.msg.depth + 1,
            gas,
            recipient: Address::ZERO,
            sender: self.msg.recipient,
            input: Bytes::new(),
            value,
            salt,
            code_address: Address::ZERO,
        };
        let result = self
            .host
            .call_with_input(&mut msg, &self.memory.data()[off..off + len]);
        self.gas -= gas - result.gas_left;
        self.refund += result.gas_refund;
        // A failed create's output (a REVERT payload, or whatever a host answered with a
        // failure) becomes the return data; after a successful create it stays empty.
        if !result.status.is_success() {
            self.return_data = result.output;
        }
        if result.status.is_success() {
            if let Some(addr) = result.create_address {
                *self.stack.peek_mut(0) = address_to_word(&addr);
            }
        }
        Ok(())
    }

    /// SELFDESTRUCT: always ends the frame with success (or a failure status).
    #[inline(never)]
    pub(crate) fn op_selfdestruct(&mut self) -> OpResult {
        if self.msg.is_static {
            return Err(StatusCode::StaticModeViolation);
        }
        let beneficiary = word_to_address(self.stack.pop());
        if self.rev >= Revision::Berlin
            && self.host.access_account(&beneficiary) == AccessStatus::Cold
        {
            self.charge(COLD_ACCOUNT_ACCESS_COST)?;
        }
        if self.rev >= Revision::TangerineWhistle {
            let charge_new = if self.rev >= Revision::SpuriousDragon {
                !self.host.get_balance(&self.msg.recipient).is_zero()
                    && !self.host.account_exists(&beneficiary)
            } else {
                !self.host.account_exists(&beneficiary)
            };
            if charge_new {
                self.charge(NEW_ACCOUNT_COST)?;
            }
        }
        if self.host.selfdestruct(&self.msg.recipient, &beneficiary) && self.rev < Revision::London
        {
            self.refund += 24000;
        }
        Err(StatusCode::Success)
    }
}
