//! Enough native stack for nested frames: when the current stack runs low, the rest of the call
//! chain runs on a segment of fresh stack; segments are kept per thread and reused, so a program
//! that calls, many times over, at a depth where the stack is low pays for one `mmap`, not one
//! per call.
//!
//! Nested calls recurse through the host (and, through EVMC, through other shared libraries), so
//! a 1024-deep call chain needs far more than a thread's default stack. Each frame checks the
//! room left before it starts ([`with_enough_stack`]); below [`RED_ZONE`] the frame runs on a
//! pooled segment of [`SEGMENT_SIZE`] bytes with a guard page below it.

/// Native stack kept free before a frame starts.
pub(crate) const RED_ZONE: usize = 256 * 1024;
/// Size of one stack segment (without its guard page).
pub(crate) const SEGMENT_SIZE: usize = 8 * 1024 * 1024;
/// Segments kept per thread once they are free again.
const POOLED_SEGMENTS: usize = 4;

#[cfg(unix)]
psm::psm_stack_manipulation! {
    yes {
        use std::cell::{Cell, RefCell};

        /// One mapped stack segment: a guard page (no access) at `map`, then `SEGMENT_SIZE`
        /// bytes of read-write stack.
        struct Segment {
            map: *mut u8,
            page: usize,
        }

        impl Segment {
            fn new() -> Segment {
                // SAFETY: sysconf has no preconditions.
                let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
                let page = usize::try_from(page).ok().filter(|p| *p > 0).unwrap_or(4096);
                let len = SEGMENT_SIZE + page;
                // SAFETY: a fresh private anonymous mapping; no existing memory is touched.
                let map = unsafe {
                    libc::mmap(
                        std::ptr::null_mut(),
                        len,
                        libc::PROT_NONE,
                        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                        -1,
                        0,
                    )
                };
                assert!(
                    map != libc::MAP_FAILED,
                    "cannot map a native stack segment: {}",
                    std::io::Error::last_os_error()
                );
                let map = map.cast::<u8>();
                // SAFETY: `map + page .. map + len` lies inside the mapping just made.
                let rc = unsafe {
                    libc::mprotect(
                        map.add(page).cast(),
                        SEGMENT_SIZE,
                        libc::PROT_READ | libc::PROT_WRITE,
                    )
                };
                if rc != 0 {
                    let err = std::io::Error::last_os_error();
                    // SAFETY: unmapping the mapping made above, once.
                    unsafe { libc::munmap(map.cast(), len) };
                    panic!("cannot make a native stack segment writable: {err}");
                }
                Segment { map, page }
            }

            /// The lowest usable address (just above the guard page).
            fn low(&self) -> *mut u8 {
                // SAFETY: inside the mapping.
                unsafe { self.map.add(self.page) }
            }
        }

        impl Drop for Segment {
            fn drop(&mut self) {
                // SAFETY: the mapping made in `new`, unmapped once; no frame runs on it (a
                // segment is only dropped from the pool, never while in use).
                unsafe { libc::munmap(self.map.cast(), SEGMENT_SIZE + self.page) };
            }
        }

        thread_local! {
            /// The lowest usable address of the segment this thread runs on, or `None` while it
            /// runs on its own stack.
            static LIMIT: Cell<Option<usize>> = const { Cell::new(None) };
            /// Free segments of this thread.
            static POOL: RefCell<Vec<Segment>> = const { RefCell::new(Vec::new()) };
        }

        /// Bytes of native stack left below the current stack pointer, if known.
        fn remaining() -> Option<usize> {
            let sp = psm::stack_pointer() as usize;
            match LIMIT.try_with(Cell::get).ok().flatten() {
                Some(limit) => Some(sp.saturating_sub(limit)),
                None => stacker::remaining_stack(),
            }
        }

        /// Runs `f` with at least [`RED_ZONE`] bytes of native stack.
        #[inline]
        pub(crate) fn with_enough_stack<R>(f: impl FnOnce() -> R) -> R {
            if remaining().is_some_and(|r| r >= RED_ZONE) {
                return f();
            }
            let mut f = Some(f);
            let mut out = None;
            on_segment(&mut || {
                if let Some(f) = f.take() {
                    out = Some(f());
                }
            });
            match out {
                Some(r) => r,
                // `on_segment` always runs the callback (or resumes its panic).
                None => unreachable!("the stack segment callback did not run"),
            }
        }

        /// Runs `f` on a pooled segment (not generic: one copy of the switching code).
        #[inline(never)]
        fn on_segment(f: &mut dyn FnMut()) {
            let segment = POOL
                .try_with(|p| p.borrow_mut().pop())
                .ok()
                .flatten()
                .unwrap_or_else(Segment::new);
            let previous = LIMIT.with(|l| l.replace(Some(segment.low() as usize)));
            // SAFETY: the segment is page-aligned, SEGMENT_SIZE (a multiple of any stack
            // alignment) long and owned by this call until `on_stack` returns; the callback
            // cannot unwind out of `on_stack` because panics are caught inside it.
            let panic = unsafe {
                psm::on_stack(segment.low(), SEGMENT_SIZE, || {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).err()
                })
            };
            LIMIT.with(|l| l.set(previous));
            let _ = POOL.try_with(|p| {
                let mut p = p.borrow_mut();
                if p.len() < POOLED_SEGMENTS {
                    p.push(segment);
                }
            });
            if let Some(p) = panic {
                std::panic::resume_unwind(p);
            }
        }

        /// How many free segments this thread keeps (for tests).
        #[cfg(test)]
        pub(crate) fn pooled_segments() -> usize {
            POOL.with(|p| p.borrow().len())
        }
    }
    no {
        pub(crate) use stacker_fallback::with_enough_stack;
    }
}

#[cfg(not(unix))]
pub(crate) use stacker_fallback::with_enough_stack;

#[allow(dead_code)]
mod stacker_fallback {
    use super::{RED_ZONE, SEGMENT_SIZE};

    /// Runs `f` with at least [`RED_ZONE`] bytes of native stack (stacker's segments, on
    /// targets where xvm does not switch stacks itself).
    #[inline]
    pub(crate) fn with_enough_stack<R>(f: impl FnOnce() -> R) -> R {
        stacker::maybe_grow(RED_ZONE, SEGMENT_SIZE, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recurse(n: u32) -> u32 {
        with_enough_stack(|| {
            // Some stack per level, kept alive across the recursion.
            let pad = std::hint::black_box([n as u8; 2048]);
            let r = if n == 0 { 0 } else { recurse(n - 1) + 1 };
            std::hint::black_box(&pad);
            r
        })
    }

    #[test]
    fn deep_recursion_runs_on_reused_segments() {
        // On a small thread stack, 20 000 levels of ~2 KiB need several segments.
        let t = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                for _ in 0..3 {
                    assert_eq!(recurse(20_000), 20_000);
                }
                #[cfg(all(unix, any(target_arch = "x86_64", target_arch = "aarch64")))]
                {
                    let pooled = pooled_segments();
                    assert!((1..=POOLED_SEGMENTS).contains(&pooled), "{pooled}");
                }
            })
            .unwrap();
        t.join().unwrap();
    }

    #[test]
    fn a_panic_on_a_segment_reaches_the_caller() {
        let t = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(|| {
                let r =
                    std::panic::catch_unwind(|| with_enough_stack(|| -> u32 { panic!("inside") }));
                assert!(r.is_err());
                // The thread still works afterwards, on its own stack or a segment.
                assert_eq!(recurse(100), 100);
            })
            .unwrap();
        t.join().unwrap();
    }
}
