//! Frame memory and its expansion cost.

use alloy_primitives::U256;

/// Byte-addressed, word-aligned growable memory.
pub(crate) struct Memory {
    data: Vec<u8>,
}

/// Gas for `words` words of memory: 3 per word plus words²/512.
#[inline]
pub fn memory_cost(words: u64) -> i64 {
    let w = words as i128;
    let cost = 3 * w + w * w / 512;
    cost.min(i64::MAX as i128) as i64
}

/// Largest memory end we ever try to reach; anything beyond costs more gas than can exist.
const MAX_MEMORY_END: u64 = 1 << 40;

impl Memory {
    #[cfg(test)]
    pub(crate) fn new() -> Self {
        Memory {
            data: Vec::with_capacity(4096),
        }
    }

    /// Empty memory over `data`'s allocation (`data` must be empty).
    #[inline]
    pub(crate) fn from_buffer(data: Vec<u8>) -> Self {
        debug_assert!(data.is_empty());
        Memory { data }
    }

    /// The buffer, for reuse.
    #[inline]
    pub(crate) fn into_buffer(self) -> Vec<u8> {
        self.data
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
    /// offset as usize (0 when size is 0), or `None` when out of gas.
    #[inline(always)]
    pub(crate) fn expand(&mut self, gas: &mut i64, offset: U256, size: U256) -> Option<usize> {
        if size.is_zero() {
            return Some(0);
        }
        let (off, sz) = match (u64::try_from(offset), u64::try_from(size)) {
            (Ok(o), Ok(s)) if o < MAX_MEMORY_END && s < MAX_MEMORY_END => (o, s),
            _ => return None,
        };
        let end = off + sz;
        if end as usize > self.data.len() {
            self.grow(gas, end)?;
        }
        Some(off as usize)
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, gas: &mut i64, end: u64) -> Option<()> {
        let new_words = end.div_ceil(32);
        let old_words = (self.data.len() / 32) as u64;
        let cost = memory_cost(new_words) - memory_cost(old_words);
        *gas -= cost;
        if *gas < 0 {
            return None;
        }
        self.data.resize((new_words * 32) as usize, 0);
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
    fn expansion_out_of_gas() {
        let mut m = Memory::new();
        let mut gas = 100;
        assert_eq!(m.expand(&mut gas, U256::from(0), U256::from(1 << 20)), None);
        assert_eq!(m.len(), 0);
    }
}
