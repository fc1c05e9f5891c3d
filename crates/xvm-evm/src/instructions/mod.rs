//! Instruction bodies, one file per family. Each is a method on the interpreter's frame; the
//! dispatch loop has already checked the stack bounds and charged the static gas.

mod arithmetic;
mod bitwise;
mod block;
mod control;
mod environment;
mod logs;
mod memory;
mod stack;
mod storage;
mod system;

pub use system::{delegate_of, delegation_target, DELEGATION_PREFIX};

/// Words needed for `len` bytes.
#[inline(always)]
pub(crate) fn num_words(len: usize) -> i64 {
    len.div_ceil(32) as i64
}

use alloy_primitives::{Address, B256, U256};

/// The low 20 bytes of a word as an address.
#[inline(always)]
pub(crate) fn word_to_address(v: U256) -> Address {
    Address::from_word(B256::from(v))
}

/// An address as a word.
#[inline(always)]
pub(crate) fn address_to_word(a: &Address) -> U256 {
    U256::from_be_slice(a.as_slice())
}

/// Copies `size` bytes of `src` from `src_offset` into `dst`, padding with zeros past the end of
/// `src`. `dst` is exactly `size` bytes long.
#[inline]
pub(crate) fn copy_padded(dst: &mut [u8], src: &[u8], src_offset: U256) {
    let start = usize::try_from(src_offset)
        .unwrap_or(usize::MAX)
        .min(src.len());
    let n = (src.len() - start).min(dst.len());
    dst[..n].copy_from_slice(&src[start..start + n]);
    dst[n..].fill(0);
}

/// A copy of `src` as [`Bytes`], or OUT_OF_GAS when the allocation fails (the size comes from
/// the program, so it may be large: never abort on it).
#[inline]
pub(crate) fn try_copy(src: &[u8]) -> Result<alloy_primitives::Bytes, crate::status::StatusCode> {
    let mut v = Vec::new();
    v.try_reserve_exact(src.len())
        .map_err(|_| crate::status::StatusCode::OutOfGas)?;
    v.extend_from_slice(src);
    Ok(v.into())
}

/// EIP-2929 surcharge for a cold account (on top of the warm cost in the static table).
pub(crate) const COLD_ACCOUNT_SURCHARGE: i64 = 2500;
/// EIP-2929 surcharge for a cold storage slot (on top of the warm cost in the static table).
pub(crate) const COLD_SLOAD_SURCHARGE: i64 = 2000;
/// EIP-2929 cold account access cost.
pub(crate) const COLD_ACCOUNT_ACCESS_COST: i64 = 2600;
/// EIP-2929 warm access cost.
pub(crate) const WARM_ACCESS_COST: i64 = 100;
