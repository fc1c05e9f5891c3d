//! The EVM stack: 1024 preallocated words with a length; bounds are checked once per instruction
//! by the interpreter (against the per-revision table), so the accessors here need none.

use alloy_primitives::U256;

/// A preallocated 1024-word stack.
pub(crate) struct Stack {
    data: Box<[U256; crate::STACK_LIMIT]>,
    len: usize,
}

impl Stack {
    #[cfg(test)]
    pub(crate) fn new() -> Self {
        Self::from_buffer(crate::frame_pool::take().stack)
    }

    /// An empty stack in `data` (whose contents do not matter).
    #[inline]
    pub(crate) fn from_buffer(data: Box<[U256; crate::STACK_LIMIT]>) -> Self {
        Stack { data, len: 0 }
    }

    /// The buffer, for reuse.
    #[inline]
    pub(crate) fn into_buffer(self) -> Box<[U256; crate::STACK_LIMIT]> {
        self.data
    }

    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The items, bottom first.
    #[inline]
    pub(crate) fn as_slice(&self) -> &[U256] {
        &self.data[..self.len]
    }

    /// Pushes a word. The caller has checked that the stack is not full.
    #[inline(always)]
    pub(crate) fn push(&mut self, v: U256) {
        debug_assert!(self.len < crate::STACK_LIMIT);
        // SAFETY: the interpreter checks `len <= max_stack` for the instruction before running it,
        // where max_stack leaves room for every push the instruction makes; `len < 1024` holds.
        unsafe { *self.data.get_unchecked_mut(self.len) = v };
        self.len += 1;
    }

    /// Pops a word. The caller has checked that the stack holds enough items.
    #[inline(always)]
    pub(crate) fn pop(&mut self) -> U256 {
        debug_assert!(self.len > 0);
        self.len -= 1;
        // SAFETY: the interpreter checks `len >= min_stack` before the instruction, so the stack
        // is not empty here and `len - 1` is in bounds.
        unsafe { *self.data.get_unchecked(self.len) }
    }

    /// The item `n` places below the top (0 = top), mutably.
    #[inline(always)]
    pub(crate) fn peek_mut(&mut self, n: usize) -> &mut U256 {
        debug_assert!(n < self.len);
        // SAFETY: the interpreter checks `len >= min_stack > n` before the instruction.
        unsafe { self.data.get_unchecked_mut(self.len - 1 - n) }
    }

    /// The item `n` places below the top (0 = top).
    #[inline(always)]
    pub(crate) fn peek(&self, n: usize) -> U256 {
        debug_assert!(n < self.len);
        // SAFETY: as for `peek_mut`.
        unsafe { *self.data.get_unchecked(self.len - 1 - n) }
    }

    /// Swaps the top with the item `n` places below it.
    #[inline(always)]
    pub(crate) fn swap(&mut self, n: usize) {
        debug_assert!(n < self.len);
        let top = self.len - 1;
        // SAFETY: `len >= n + 1` was checked by the interpreter (SWAPn needs n+1 items).
        unsafe {
            let p = self.data.as_mut_ptr();
            std::ptr::swap(p.add(top), p.add(top - n));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_pop_peek_swap() {
        let mut s = Stack::new();
        s.push(U256::from(1));
        s.push(U256::from(2));
        s.push(U256::from(3));
        assert_eq!(s.len(), 3);
        assert_eq!(s.peek(0), U256::from(3));
        assert_eq!(s.peek(2), U256::from(1));
        s.swap(2);
        assert_eq!(s.as_slice(), &[U256::from(3), U256::from(2), U256::from(1)]);
        *s.peek_mut(1) = U256::from(9);
        assert_eq!(s.pop(), U256::from(1));
        assert_eq!(s.pop(), U256::from(9));
        assert_eq!(s.len(), 1);
    }
}
