//! Frame memory and its expansion cost.

use alloy_primitives::U256;
use std::cell::Cell;

thread_local! {
    /// Bytes of memory held by the live frames of this thread (a call stack runs on one thread).
    static LIVE: Cell<u64> = const { Cell::new(0) };
}

/// Bytes of EVM memory the live frames of this thread hold together.
pub(crate) fn live_memory() -> u64 {
    LIVE.try_with(Cell::get).unwrap_or(0)
}

fn add_live(delta: u64) {
    let _ = LIVE.try_with(|l| l.set(l.get() + delta));
}

fn sub_live(delta: u64) {
    let _ = LIVE.try_with(|l| l.set(l.get().saturating_sub(delta)));
}

/// Byte-addressed, word-aligned growable memory, never larger than its limit.
pub(crate) struct Memory {
    data: Vec<u8>,
    /// The largest end, in bytes, of any access, and the most all live frames of the thread may
    /// hold together (see [`MAX_MEMORY_SIZE`]).
    limit: u64,
}

impl Drop for Memory {
    fn drop(&mut self) {
        sub_live(self.data.len() as u64);
    }
}

/// Gas for `words` words of memory: 3 per word plus words²/512 (saturating at `i64::MAX`).
#[inline]
pub fn memory_cost(words: u64) -> i64 {
    memory_cost_wide(words).min(i64::MAX as i128) as i64
}

/// [`memory_cost`] without the saturation (exact for every `u64`).
#[inline]
fn memory_cost_wide(words: u64) -> i128 {
    let w = words as i128;
    3 * w + w * w / 512
}

/// The default memory cap: no access may end past byte 2^32 − 1 (as in evmone and revm), and
/// the frames of one call stack (one thread) hold at most 4 GiB of memory together (revm's
/// shared memory has the same total limit), so even 1024 nested frames cannot exhaust the
/// machine. One frame reaching the cap pays about 3.6·10^13 gas; a call stack reaching the total
/// about 3.4·10^10 (spread over 1024 frames), both far beyond any block. Only a host that hands
/// out absurd gas (EVMC carries an `int64_t`) gets there. An expansion past either ends the
/// frame with OUT_OF_GAS, as if its gas had run out. A host chooses another cap with
/// [`crate::Host::memory_limit`].
pub const MAX_MEMORY_SIZE: u64 = u32::MAX as u64;

impl Memory {
    #[cfg(test)]
    pub(crate) fn new() -> Self {
        Memory {
            data: Vec::with_capacity(4096),
            limit: MAX_MEMORY_SIZE,
        }
    }

    /// Empty memory over `data`'s allocation (`data` must be empty), capped at `limit` bytes.
    #[inline]
    pub(crate) fn from_buffer(data: Vec<u8>, limit: u64) -> Self {
        debug_assert!(data.is_empty());
        Memory { data, limit }
    }

    /// The buffer, for reuse.
    #[inline]
    pub(crate) fn into_buffer(mut self) -> Vec<u8> {
        sub_live(self.data.len() as u64);
        std::mem::take(&mut self.data)
    }

    /// Current size in bytes (a multiple of 32).
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.data.len()
    }

    #[inline(always)]
    pub(crate) fn data(&self) -> &[u8] {
        &self.data
    }

    #[inline(always)]
    pub(crate) fn data_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// Makes `[offset, offset+size)` accessible, charging expansion gas from `gas`. Returns the
    /// offset as usize (0 when size is 0), or `None` when out of gas: the gas ran out, the end
    /// lies past the limit, or the allocation failed. Never panics and never aborts.
    #[inline(always)]
    pub(crate) fn expand(&mut self, gas: &mut i64, offset: U256, size: U256) -> Option<usize> {
        if size.is_zero() {
            return Some(0);
        }
        let (off, sz) = match (u64::try_from(offset), u64::try_from(size)) {
            (Ok(o), Ok(s)) => (o, s),
            _ => return None,
        };
        let end = off.checked_add(sz).filter(|&e| e <= self.limit)?;
        let off = usize::try_from(off).ok()?;
        if usize::try_from(end).ok()? > self.data.len() {
            self.grow(gas, end)?;
        }
        Some(off)
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, gas: &mut i64, end: u64) -> Option<()> {
        let new_words = end.div_ceil(32);
        let old_words = (self.data.len() / 32) as u64;
        let cost = memory_cost_wide(new_words) - memory_cost_wide(old_words);
        if cost > *gas as i128 {
            *gas = -1;
            return None;
        }
        *gas -= cost as i64;
        let new_len = usize::try_from(new_words.checked_mul(32)?).ok()?;
        let extra = (new_len - self.data.len()) as u64;
        let total_cap = self.limit.div_ceil(32).saturating_mul(32);
        if live_memory().saturating_add(extra) > total_cap {
            *gas = -1;
            return None;
        }
        if new_len > self.data.capacity() {
            // Amortised growth (double, as Vec would) but not past the cap, and an allocation
            // failure is out of gas, never an abort.
            let cap = usize::try_from(total_cap).unwrap_or(usize::MAX);
            let target = new_len.max(self.data.capacity().saturating_mul(2).min(cap));
            if self
                .data
                .try_reserve_exact(target - self.data.len())
                .is_err()
                && self
                    .data
                    .try_reserve_exact(new_len - self.data.len())
                    .is_err()
            {
                *gas = -1;
                return None;
            }
        }
        self.data.resize(new_len, 0);
        add_live(extra);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion_charges_difference() {
        let mut m = Memory::new();
        let mut gas = 1000;
        assert_eq!(m.expand(&mut gas, U256::from(0), U256::from(32)), Some(0));
        assert_eq!(gas, 997);
        assert_eq!(m.len(), 32);
        assert_eq!(m.expand(&mut gas, U256::from(1), U256::from(32)), Some(1));
        assert_eq!(gas, 994);
        assert_eq!(m.len(), 64);
        // Zero size never expands, whatever the offset.
        assert_eq!(m.expand(&mut gas, U256::MAX, U256::ZERO), Some(0));
        assert_eq!(gas, 994);
        assert_eq!(m.expand(&mut gas, U256::MAX, U256::from(1)), None);
        assert_eq!(memory_cost(1024), 3 * 1024 + 2048);
    }

    #[test]
    fn the_cap_is_out_of_gas_whatever_the_gas() {
        let mut m = Memory::from_buffer(Vec::new(), 1024);
        let mut gas = i64::MAX;
        assert_eq!(
            m.expand(&mut gas, U256::from(992), U256::from(32)),
            Some(992)
        );
        assert_eq!(m.len(), 1024);
        assert_eq!(m.expand(&mut gas, U256::from(993), U256::from(32)), None);
        assert_eq!(m.expand(&mut gas, U256::from(1024), U256::from(1)), None);
        // Ends that overflow u64 are refused, not wrapped.
        let mut m = Memory::from_buffer(Vec::new(), u64::MAX);
        let mut gas = i64::MAX;
        assert_eq!(
            m.expand(&mut gas, U256::from(u64::MAX), U256::from(1)),
            None
        );
        // No cap at all: the gas runs out long before an allocation is tried (the cost of
        // 2^59 words exceeds i64::MAX; a saturated cost must not look affordable).
        let mut gas = i64::MAX;
        assert_eq!(
            m.expand(&mut gas, U256::from(u64::MAX - 64), U256::from(32)),
            None
        );
        assert_eq!(m.len(), 0);
        assert_eq!(MAX_MEMORY_SIZE, (1 << 32) - 1);
    }

    #[test]
    fn the_frames_of_a_thread_share_the_cap() {
        std::thread::spawn(|| {
            let mut gas = i64::MAX;
            let mut outer = Memory::from_buffer(Vec::new(), 4096);
            assert!(outer
                .expand(&mut gas, U256::from(0), U256::from(3072))
                .is_some());
            assert_eq!(live_memory(), 3072);
            let mut inner = Memory::from_buffer(Vec::new(), 4096);
            assert!(inner
                .expand(&mut gas, U256::from(0), U256::from(1024))
                .is_some());
            assert_eq!(live_memory(), 4096);
            // The total is reached: one more word anywhere is out of gas.
            assert_eq!(
                inner.expand(&mut gas, U256::from(1024), U256::from(1)),
                None
            );
            assert_eq!(
                outer.expand(&mut gas, U256::from(3072), U256::from(1)),
                None
            );
            drop(inner);
            assert_eq!(live_memory(), 3072);
            let mut gas = i64::MAX;
            assert!(outer
                .expand(&mut gas, U256::from(3072), U256::from(1))
                .is_some());
            let buffer = outer.into_buffer();
            assert_eq!(buffer.len(), 3104);
            assert_eq!(live_memory(), 0);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn expansion_out_of_gas() {
        let mut m = Memory::new();
        let mut gas = 100;
        assert_eq!(m.expand(&mut gas, U256::from(0), U256::from(1 << 20)), None);
        assert_eq!(m.len(), 0);
    }
}
