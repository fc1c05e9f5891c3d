//! Per-thread reuse of the buffers a frame needs (its 1024-word stack and its memory), so that
//! starting a frame, natively or through EVMC, allocates nothing once the thread has run a frame
//! at that depth before.
//!
//! Memory buffers keep their capacity, as evmone keeps each depth's memory and revm its shared
//! memory: a frame that grows to a size an earlier frame of the thread reached writes zeros
//! over pages the process already holds, instead of the kernel faulting in and clearing fresh
//! ones (and the allocator handing them back on free). That costed a call stack of 1 MB frames
//! about 1 µs per 4 KiB page, each time it ran.

use std::cell::{Cell, RefCell};

/// The heap buffers of one frame.
pub(crate) struct FrameBuffers {
    /// Room for the EVM stack.
    pub(crate) stack: crate::stack::Buffer,
    /// Memory (length 0 when handed out).
    pub(crate) memory: Vec<u8>,
}

/// Buffers kept per thread: one per frame of the deepest call chain, plus the transaction's own.
const MAX_POOLED: usize = crate::MAX_CALL_DEPTH as usize + 2;
/// The most memory capacity, in bytes, a thread's pool keeps; a buffer that would take the
/// pool past it is freed instead. As much as 1024 frames of 1 MiB hold.
const MAX_POOLED_MEMORY: usize = 1 << 30;
/// Memory capacity of a new frame.
const INITIAL_MEMORY: usize = 4096;

thread_local! {
    static POOL: RefCell<Vec<FrameBuffers>> = const { RefCell::new(Vec::new()) };
    /// The memory capacity, in bytes, of the buffers in `POOL`.
    static POOLED_MEMORY: Cell<usize> = const { Cell::new(0) };
}

fn new_buffers() -> FrameBuffers {
    FrameBuffers {
        stack: crate::stack::Words::new_buffer(),
        memory: Vec::with_capacity(INITIAL_MEMORY),
    }
}

/// Buffers for a new frame: pooled ones when there are, else fresh ones.
#[inline]
pub(crate) fn take() -> FrameBuffers {
    let b = POOL.try_with(|p| p.borrow_mut().pop()).ok().flatten();
    match b {
        Some(b) => {
            let _ = POOLED_MEMORY.try_with(|m| m.set(m.get().saturating_sub(b.memory.capacity())));
            b
        }
        None => new_buffers(),
    }
}

/// Returns a finished frame's buffers to the pool, memory emptied but its capacity kept while
/// the pool's total stays within [`MAX_POOLED_MEMORY`]; past it the memory is freed.
#[inline]
pub(crate) fn give_back(mut b: FrameBuffers) {
    b.memory.clear();
    let _ = POOL.try_with(|p| {
        let mut p = p.borrow_mut();
        if p.len() >= MAX_POOLED {
            return;
        }
        let pooled = POOLED_MEMORY.with(Cell::get);
        if pooled + b.memory.capacity() > MAX_POOLED_MEMORY {
            // Free the large buffer before allocating the small one, so that the two are never
            // held at once (that would raise the thread's peak by the small one).
            drop(std::mem::take(&mut b.memory));
            b.memory = Vec::with_capacity(INITIAL_MEMORY);
            if pooled + b.memory.capacity() > MAX_POOLED_MEMORY {
                return;
            }
        }
        POOLED_MEMORY.with(|m| m.set(pooled + b.memory.capacity()));
        p.push(b);
    });
}

/// How many buffers this thread keeps (for tests).
#[cfg(test)]
pub(crate) fn pooled() -> usize {
    POOL.with(|p| p.borrow().len())
}

/// The memory capacity this thread's pool keeps (for tests).
#[cfg(test)]
pub(crate) fn pooled_memory() -> usize {
    POOLED_MEMORY.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_reused_and_memory_comes_back_empty() {
        std::thread::spawn(|| {
            let mut a = take();
            a.memory.resize(64, 7);
            let stack_ptr: *const _ = &*a.stack;
            assert_eq!(stack_ptr as usize % 64, 0, "a cache-line aligned stack");
            give_back(a);
            assert_eq!(pooled(), 1);
            let b = take();
            assert_eq!(&*b.stack as *const _, stack_ptr, "the same stack buffer");
            assert!(b.memory.is_empty());
            assert_eq!(pooled(), 0);
            // A grown buffer comes back with its capacity, and the pool counts it.
            let mut grown = b;
            grown.memory.resize(1 << 20, 1);
            let cap = grown.memory.capacity();
            give_back(grown);
            assert_eq!(pooled_memory(), cap);
            let again = take();
            assert_eq!(again.memory.capacity(), cap);
            assert!(again.memory.is_empty());
            assert_eq!(pooled_memory(), 0);
            give_back(again);
            // Past the budget, a buffer's memory is freed and replaced by a small one.
            let big = take();
            assert_eq!(big.memory.capacity(), cap);
            POOLED_MEMORY.with(|m| m.set(MAX_POOLED_MEMORY - 5000));
            give_back(big);
            assert_eq!(pooled(), 1);
            assert_eq!(take().memory.capacity(), INITIAL_MEMORY);
        })
        .join()
        .unwrap();
    }
}
