//! Per-thread reuse of the buffers a frame needs (its 1024-word stack and its memory), so that
//! starting a frame, natively or through EVMC, allocates nothing once the thread has run a frame
//! at that depth before.

use std::cell::RefCell;

/// The heap buffers of one frame.
pub(crate) struct FrameBuffers {
    /// Room for the EVM stack.
    pub(crate) stack: crate::stack::Buffer,
    /// Memory (length 0 when handed out).
    pub(crate) memory: Vec<u8>,
}

/// Buffers kept per thread: one per frame of the deepest call chain, plus the transaction's own.
const MAX_POOLED: usize = crate::MAX_CALL_DEPTH as usize + 2;
/// A memory buffer larger than this is freed rather than kept.
const MAX_POOLED_MEMORY: usize = 64 * 1024;
/// Memory capacity of a new frame.
const INITIAL_MEMORY: usize = 4096;

thread_local! {
    static POOL: RefCell<Vec<FrameBuffers>> = const { RefCell::new(Vec::new()) };
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
    POOL.try_with(|p| p.borrow_mut().pop())
        .ok()
        .flatten()
        .unwrap_or_else(new_buffers)
}

/// Returns a finished frame's buffers to the pool (memory emptied; a large one is dropped).
#[inline]
pub(crate) fn give_back(mut b: FrameBuffers) {
    if b.memory.capacity() > MAX_POOLED_MEMORY {
        // Free the large buffer before allocating the small one, so that the two are never
        // held at once (that would raise the thread's peak by the small one).
        drop(std::mem::take(&mut b.memory));
        b.memory = Vec::with_capacity(INITIAL_MEMORY);
    } else {
        b.memory.clear();
    }
    let _ = POOL.try_with(|p| {
        let mut p = p.borrow_mut();
        if p.len() < MAX_POOLED {
            p.push(b);
        }
    });
}

/// How many buffers this thread keeps (for tests).
#[cfg(test)]
pub(crate) fn pooled() -> usize {
    POOL.with(|p| p.borrow().len())
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
            let mut big = b;
            big.memory.resize(MAX_POOLED_MEMORY + 1, 0);
            give_back(big);
            assert!(take().memory.capacity() <= MAX_POOLED_MEMORY);
        })
        .join()
        .unwrap();
    }
}
