//! Block information: BLOCKHASH, COINBASE, TIMESTAMP, NUMBER, PREVRANDAO, GASLIMIT, CHAINID,
//! BASEFEE, BLOBHASH, BLOBBASEFEE.

use super::address_to_word;
use crate::host::Host;
use crate::interpreter::Frame;
use alloy_primitives::U256;

impl<H: Host + ?Sized> Frame<'_, H> {
    #[inline(never)]
    pub(crate) fn op_blockhash(&mut self) {
        let n = self.stack.peek(0);
        let current = self.host.get_tx_context().number;
        let lowest = current.saturating_sub(256).max(0);
        let hash = match i64::try_from(n) {
            Ok(n) if n < current && n >= lowest => {
                U256::from_be_bytes(self.host.get_block_hash(n).0)
            }
            _ => U256::ZERO,
        };
        *self.stack.peek_mut(0) = hash;
    }

    #[inline]
    pub(crate) fn op_coinbase(&mut self) {
        let v = address_to_word(&self.host.get_tx_context().coinbase);
        self.stack.push(v);
    }

    #[inline]
    pub(crate) fn op_timestamp(&mut self) {
        let v = self.host.get_tx_context().timestamp;
        self.stack.push(U256::from(v as u64));
    }

    #[inline]
    pub(crate) fn op_number(&mut self) {
        let v = self.host.get_tx_context().number;
        self.stack.push(U256::from(v as u64));
    }

    #[inline]
    pub(crate) fn op_prevrandao(&mut self) {
        let v = U256::from_be_bytes(self.host.get_tx_context().prev_randao.0);
        self.stack.push(v);
    }

    #[inline]
    pub(crate) fn op_gaslimit(&mut self) {
        let v = self.host.get_tx_context().gas_limit;
        self.stack.push(U256::from(v as u64));
    }

    #[inline]
    pub(crate) fn op_chainid(&mut self) {
        let v = self.host.get_tx_context().chain_id;
        self.stack.push(v);
    }

    #[inline]
    pub(crate) fn op_basefee(&mut self) {
        let v = self.host.get_tx_context().base_fee;
        self.stack.push(v);
    }

    #[inline(never)]
    pub(crate) fn op_blobhash(&mut self) {
        let i = self.stack.peek(0);
        let hashes = &self.host.get_tx_context().blob_hashes;
        let v = match usize::try_from(i) {
            Ok(i) if i < hashes.len() => U256::from_be_bytes(hashes[i].0),
            _ => U256::ZERO,
        };
        *self.stack.peek_mut(0) = v;
    }

    #[inline]
    pub(crate) fn op_blobbasefee(&mut self) {
        let v = self.host.get_tx_context().blob_base_fee;
        self.stack.push(v);
    }
}
