//! The EVM stack: 1024 preallocated words and a pointer one past the top item; bounds are checked
//! by the interpreter (once per block on the fast path, once per instruction on the exact path,
//! against the per-revision table), so the accessors here need none.
//!
//! The top is a pointer rather than an index so that a push or pop is one load, one store and
//! one pointer bump, without re-deriving the address from the buffer and a length every time.
//!
//! Words are read from the stack one 64-bit limb at a time ([`load`]). Most instructions write
//! their result limb by limb (ruint's arithmetic, or a small value and zero limbs), and the next
//! instruction often reads that word at once; x86 cannot forward several narrow stores to one
//! wide load, so a 16-byte read of a word written in 8-byte pieces waits until the stores reach
//! the cache (a dozen cycles or more, per instruction, in a `DUP1; MUL` loop). A 64-bit read is
//! forwarded from the store that covers it. Writes stay plain: making them 64-bit too (volatile)
//! measured worse.

use alloy_primitives::U256;
use std::mem::ManuallyDrop;
use std::ptr::NonNull;

/// The stack's words, aligned to a cache line: no word straddles two lines, and where the
/// allocator happens to place the buffer does not change how the loop runs.
#[repr(C, align(64))]
pub(crate) struct Words([U256; crate::STACK_LIMIT]);

/// The buffer type frames take from and give back to the frame pool.
pub(crate) type Buffer = Box<Words>;

impl Words {
    /// A new buffer, zeroed.
    pub(crate) fn new_buffer() -> Buffer {
        let layout = std::alloc::Layout::new::<Words>();
        // SAFETY: `layout` is `Words`' own, which is not zero-sized. An all-zero bit pattern is
        // a valid `U256` (the number 0), hence a valid `Words`, so the zeroed allocation may be
        // owned as a `Box<Words>`, which frees it with the same layout.
        unsafe {
            let p = std::alloc::alloc_zeroed(layout) as *mut Words;
            if p.is_null() {
                std::alloc::handle_alloc_error(layout);
            }
            Box::from_raw(p)
        }
    }
}

/// A preallocated 1024-word stack.
pub(crate) struct Stack {
    /// The first word of the buffer, owned: it comes from `Box::into_raw` and goes back to a
    /// `Box` in `into_buffer` or `drop`.
    base: NonNull<U256>,
    /// One past the top item: `base + len`, always within `base..=base + STACK_LIMIT`.
    top: *mut U256,
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: `base` came from `Box::into_raw` of a `Buffer` in `from_buffer` and is given
        // back exactly once: here, or in `into_buffer`, which does not run this drop.
        drop(unsafe { Box::from_raw(self.base.as_ptr() as *mut Words) });
    }
}

impl Stack {
    #[cfg(test)]
    pub(crate) fn new() -> Self {
        Self::from_buffer(crate::frame_pool::take().stack)
    }

    /// An empty stack in `data` (whose contents do not matter).
    #[inline]
    pub(crate) fn from_buffer(data: Buffer) -> Self {
        let base = NonNull::new(Box::into_raw(data) as *mut U256).expect("Box is never null");
        Stack {
            base,
            top: base.as_ptr(),
        }
    }

    /// The buffer, for reuse.
    #[inline]
    pub(crate) fn into_buffer(self) -> Buffer {
        let me = ManuallyDrop::new(self);
        // SAFETY: as in `drop`; `ManuallyDrop` keeps `drop` from freeing it a second time.
        unsafe { Box::from_raw(me.base.as_ptr() as *mut Words) }
    }

    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        // SAFETY: `top` is derived from `base` and stays within the same allocation (see the
        // field), at or above `base`.
        unsafe { self.top.offset_from(self.base.as_ptr()) as usize }
    }

    /// The items, bottom first.
    #[inline]
    pub(crate) fn as_slice(&self) -> &[U256] {
        // SAFETY: the first `len` words are initialised (every one was pushed), and the buffer
        // lives as long as `self`.
        unsafe { std::slice::from_raw_parts(self.base.as_ptr(), self.len()) }
    }

    /// Pushes a word. The caller has checked that the stack is not full.
    #[inline(always)]
    pub(crate) fn push(&mut self, v: U256) {
        debug_assert!(self.len() < crate::STACK_LIMIT);
        // SAFETY: the interpreter checks the height against the instruction's (or block's)
        // maximum before running it, which leaves room for every push it makes: `len < 1024`,
        // so `top` points at a word inside the buffer.
        unsafe {
            store(self.top, v);
            self.top = self.top.add(1);
        }
    }

    /// Pops a word. The caller has checked that the stack holds enough items.
    #[inline(always)]
    pub(crate) fn pop(&mut self) -> U256 {
        debug_assert!(self.len() > 0);
        // SAFETY: the interpreter checks the height against the instruction's (or block's)
        // minimum first, so the stack is not empty and `top - 1` is an initialised item.
        unsafe {
            self.top = self.top.sub(1);
            load(self.top)
        }
    }

    /// Removes the top word without reading it (POP). The caller has checked that the stack
    /// is not empty.
    #[inline(always)]
    pub(crate) fn drop_top(&mut self) {
        debug_assert!(self.len() > 0);
        // SAFETY: as for `pop`: `top - 1` is within the buffer.
        self.top = unsafe { self.top.sub(1) };
    }

    /// Replaces the top word `t` with `f(t)`. The caller has checked that the stack is not
    /// empty.
    #[inline(always)]
    pub(crate) fn map_top(&mut self, f: impl FnOnce(U256) -> U256) {
        debug_assert!(self.len() > 0);
        // SAFETY: as for `pop`: `top - 1` is an initialised item.
        unsafe {
            let p = self.top.sub(1);
            store(p, f(load(p)));
        }
    }

    /// Pops `a` and replaces the new top `b` with `f(a, b)`. The caller has checked that the
    /// stack holds two items.
    #[inline(always)]
    pub(crate) fn pop_map_top(&mut self, f: impl FnOnce(U256, U256) -> U256) {
        let a = self.pop();
        self.map_top(|b| f(a, b));
    }

    /// The item `n` places below the top (0 = top), mutably.
    #[inline(always)]
    pub(crate) fn peek_mut(&mut self, n: usize) -> &mut U256 {
        debug_assert!(n < self.len());
        // SAFETY: the interpreter checks `len >= min_stack > n` before the instruction.
        unsafe { &mut *self.top.sub(n + 1) }
    }

    /// The item `n` places below the top (0 = top).
    #[inline(always)]
    pub(crate) fn peek(&self, n: usize) -> U256 {
        debug_assert!(n < self.len());
        // SAFETY: as for `peek_mut`.
        unsafe { load(self.top.sub(n + 1)) }
    }

    /// Swaps the top with the item `n` places below it.
    #[inline(always)]
    pub(crate) fn swap(&mut self, n: usize) {
        debug_assert!(n < self.len());
        // SAFETY: `len >= n + 1` was checked by the interpreter (SWAPn needs n+1 items), so
        // both words are initialised items of the buffer.
        unsafe {
            let (a, b) = (self.top.sub(1), self.top.sub(n + 1));
            let (va, vb) = (load(a), load(b));
            store(a, vb);
            store(b, va);
        }
    }
}

/// Reads the word at `p` as four 64-bit loads (see the module comment). The loads are volatile
/// only so that LLVM keeps them 64 bits wide instead of merging them into vector loads.
///
/// # Safety
/// `p` points at an initialised word (aligned, inside a live allocation).
#[inline(always)]
unsafe fn load(p: *const U256) -> U256 {
    // SAFETY: the caller's promise; ruint's `Uint` is `repr(transparent)` over `[u64; 4]`, so
    // the word is its four limbs in order.
    unsafe {
        let l = p.cast::<u64>();
        U256::from_limbs([
            l.read_volatile(),
            l.add(1).read_volatile(),
            l.add(2).read_volatile(),
            l.add(3).read_volatile(),
        ])
    }
}

/// Writes `v` at `p` as four 64-bit stores (volatile as in [`load`], so that LLVM does not
/// merge them into a 16-byte store whose upper half a 64-bit load could not be forwarded from).
///
/// # Safety
/// `p` points at a word of the stack buffer (aligned, inside a live allocation).
#[inline(always)]
unsafe fn store(p: *mut U256, v: U256) {
    // SAFETY: the caller's promise; ruint's `Uint` is `repr(transparent)` over `[u64; 4]`, so
    // the word is its four limbs in order, and any limb values make a valid word.
    unsafe {
        let l = p.cast::<u64>();
        let v = v.as_limbs();
        l.write_volatile(v[0]);
        l.add(1).write_volatile(v[1]);
        l.add(2).write_volatile(v[2]);
        l.add(3).write_volatile(v[3]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_buffer_is_zeroed_and_line_aligned() {
        let b = Words::new_buffer();
        assert_eq!(&*b as *const Words as usize % 64, 0);
        assert!(b.0.iter().all(|w| w.is_zero()));
    }

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
        let w = U256::from_limbs([1, 2, 3, 4]);
        s.push(w);
        s.map_top(|t| t << 64);
        assert_eq!(s.peek(0), U256::from_limbs([0, 1, 2, 3]));
        s.pop_map_top(|a, b| a - b);
        assert_eq!(
            s.as_slice(),
            &[U256::from_limbs([0, 1, 2, 3]) - U256::from(3)]
        );
        s.push(w);
        s.drop_top();
        assert_eq!(s.len(), 1);
    }

    /// A full stack, emptied again; the buffer goes back whole and a new stack over it starts
    /// empty; dropping a stack frees its buffer (run under Miri or valgrind to see a leak or
    /// double free).
    #[test]
    fn full_stack_and_buffer_round_trip() {
        let mut s = Stack::new();
        for i in 0..crate::STACK_LIMIT {
            s.push(U256::from(i));
        }
        assert_eq!(s.len(), crate::STACK_LIMIT);
        assert_eq!(s.peek(crate::STACK_LIMIT - 1), U256::ZERO);
        s.swap(16);
        assert_eq!(s.peek(0), U256::from(crate::STACK_LIMIT - 17));
        let buf = s.into_buffer();
        assert_eq!(
            buf.0[crate::STACK_LIMIT - 1],
            U256::from(crate::STACK_LIMIT - 17)
        );
        let mut s = Stack::from_buffer(buf);
        assert_eq!(s.len(), 0);
        s.push(U256::from(7));
        assert_eq!(s.as_slice(), &[U256::from(7)]);
        drop(s);
    }
}
