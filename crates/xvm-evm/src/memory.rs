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

/// `n > 0` zero bytes of capacity from the allocator's zeroing path (`calloc`: large blocks are
/// fresh pages that the kernel fills only when first touched), as an empty `Vec`. `None` when the
/// allocation fails.
fn zeroed_vec(n: usize) -> Option<Vec<u8>> {
    let layout = std::alloc::Layout::array::<u8>(n).ok()?;
    if layout.size() == 0 {
        return None;
    }
    // SAFETY: the layout's size is not zero (checked above).
    let p = unsafe { std::alloc::alloc_zeroed(layout) };
    if p.is_null() {
        return None;
    }
    // SAFETY: `p` comes from the global allocator with `Layout::array::<u8>(n)`, the layout a
    // `Vec<u8>` of capacity `n` frees with; the length 0 is within the capacity.
    Some(unsafe { Vec::from_raw_parts(p, 0, n) })
}

/// Byte-addressed, word-aligned growable memory, never larger than its limit.
pub(crate) struct Memory {
    data: Vec<u8>,
    /// Every byte of the allocation from this index up to its capacity is initialised and zero;
    /// never below the length. Expanding memory over that part writes nothing.
    zeroed_from: usize,
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
        Memory::from_buffer(Vec::with_capacity(4096), MAX_MEMORY_SIZE)
    }

    /// Empty memory over `data`'s allocation (`data` must be empty; none of its bytes are taken
    /// to be zero), capped at `limit` bytes.
    #[inline]
    pub(crate) fn from_buffer(data: Vec<u8>, limit: u64) -> Self {
        debug_assert!(data.is_empty());
        Memory {
            zeroed_from: data.capacity(),
            data,
            limit,
        }
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
            // Amortised growth (double, as Vec would) but not past the cap. An allocation
            // failure is out of gas, never an abort.
            let cap = usize::try_from(total_cap).unwrap_or(usize::MAX);
            let target = new_len.max(self.data.capacity().saturating_mul(2).min(cap));
            if self.data.len() <= new_len / 16 {
                // Little or nothing to keep: a fresh zeroed allocation, whose untouched
                // pages (large blocks are mapped fresh) cost nothing until the code uses them.
                // Without contents, the old allocation goes first, so the two are never held
                // at once; otherwise they overlap by at most a sixteenth of the new one.
                if self.data.is_empty() {
                    self.data = Vec::new();
                }
                let Some(mut fresh) = zeroed_vec(target).or_else(|| zeroed_vec(new_len)) else {
                    *gas = -1;
                    return None;
                };
                fresh.extend_from_slice(&self.data);
                self.zeroed_from = self.data.len();
                self.data = fresh;
            } else {
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
                // The reallocated tail is not known to be zero.
                self.zeroed_from = self.data.capacity();
            }
        }
        if new_len <= self.zeroed_from {
            self.data.resize(new_len, 0);
        } else {
            // Zero what earlier use dirtied, then take the known-zero rest as it is.
            self.data.resize(self.zeroed_from, 0);
            // SAFETY: `new_len` is within the capacity (ensured above), and the bytes from
            // `zeroed_from` up to the capacity are initialised zeros (they came from
            // `zeroed_vec`, and nothing writes past the length, which never passes
            // `zeroed_from`).
            unsafe { self.data.set_len(new_len) };
            self.zeroed_from = new_len;
        }
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

    /// Memory reads zero wherever it was never written: after growth into a new allocation
    /// (the old bytes copied), over the known-zero tail, and after reuse of a dirtied buffer
    /// (wholly and in part, within its capacity and past it).
    #[test]
    fn expansion_always_reads_zero() {
        let mut gas = i64::MAX;
        let expand = |m: &mut Memory, gas: &mut i64, end: u64| {
            m.expand(gas, U256::ZERO, U256::from(end)).unwrap();
        };
        let mut m = Memory::from_buffer(Vec::new(), MAX_MEMORY_SIZE);
        expand(&mut m, &mut gas, 100);
        assert!(m.data().iter().all(|&b| b == 0));
        m.data_mut().fill(0xab);
        // Past the capacity with little to keep: a new zeroed allocation, the old bytes copied.
        expand(&mut m, &mut gas, 300_000);
        assert_eq!(m.zeroed_from, 300_000);
        assert!(m.data()[..128].iter().all(|&b| b == 0xab));
        assert!(m.data()[128..].iter().all(|&b| b == 0));
        // Past the capacity with much to keep: reallocated, the tail zeroed.
        m.data_mut().fill(0xcd);
        expand(&mut m, &mut gas, 700_000);
        assert!(m.data()[..300_000].iter().all(|&b| b == 0xcd));
        assert!(m.data()[300_000..].iter().all(|&b| b == 0));
        // Reuse of the dirtied buffer: zeroed again, in part, then up to and past its capacity.
        m.data_mut().fill(0xef);
        let mut buf = m.into_buffer();
        buf.clear();
        let cap = buf.capacity();
        let mut m = Memory::from_buffer(buf, MAX_MEMORY_SIZE);
        expand(&mut m, &mut gas, 1000);
        assert!(m.data().iter().all(|&b| b == 0));
        expand(&mut m, &mut gas, cap as u64);
        assert!(m.data().iter().all(|&b| b == 0));
        m.data_mut().fill(0x11);
        let mut buf = m.into_buffer();
        buf.clear();
        let mut m = Memory::from_buffer(buf, MAX_MEMORY_SIZE);
        expand(&mut m, &mut gas, 32);
        m.data_mut().fill(0x22);
        expand(&mut m, &mut gas, 16 * cap as u64);
        assert_eq!(m.data()[..32], [0x22; 32]);
        assert!(m.data()[32..].iter().all(|&b| b == 0));
        // Into a zeroed allocation with room to spare (twice the old capacity), then over
        // its known-zero tail.
        let mut m = Memory::from_buffer(Vec::with_capacity(4096), MAX_MEMORY_SIZE);
        expand(&mut m, &mut gas, 4128);
        assert_eq!((m.zeroed_from, m.data.capacity()), (4128, 8192));
        assert!(m.data().iter().all(|&b| b == 0));
        m.data_mut().fill(0x33);
        expand(&mut m, &mut gas, 8192);
        assert_eq!(m.zeroed_from, 8192);
        assert!(m.data()[..4128].iter().all(|&b| b == 0x33));
        assert!(m.data()[4128..].iter().all(|&b| b == 0));
    }

    #[test]
    fn expansion_out_of_gas() {
        let mut m = Memory::new();
        let mut gas = 100;
        assert_eq!(m.expand(&mut gas, U256::from(0), U256::from(1 << 20)), None);
        assert_eq!(m.len(), 0);
    }
}
