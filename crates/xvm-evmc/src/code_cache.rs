//! Code analysis reuse for `execute`: EVMC hands the VM a code pointer and size, no hash. A
//! small per-thread cache keyed by (pointer, size) keeps recent analyses; a hit is used only when
//! the cached copy of the code equals the bytes at the pointer now, so a buffer freed and reused
//! for other code (or init code in memory that changed) is simply analysed again. Calls into the
//! same contract, a 1024-deep chain, or a benchmark loop analyse their code once.

use std::cell::RefCell;
use std::rc::Rc;
use xvm_evm::AnalyzedCode;

/// Slots of the direct-mapped cache.
const SLOTS: usize = 64;
/// Code larger than this is analysed every time and not kept (bounds the cache to 4 MiB).
const MAX_CACHED_CODE: usize = 64 * 1024;

struct Slot {
    ptr: usize,
    code: Rc<AnalyzedCode>,
}

thread_local! {
    static CACHE: RefCell<[Option<Slot>; SLOTS]> = const { RefCell::new([const { None }; SLOTS]) };
}

fn slot_of(ptr: usize, len: usize) -> usize {
    // Code buffers are at least 8-byte aligned in practice; mix in the size.
    let h = (ptr >> 3) ^ (ptr >> 12) ^ len.wrapping_mul(0x9e37_79b9);
    h % SLOTS
}

/// The analysis of `code`: from the cache when the same bytes were analysed at this address
/// before, else analysed now (and cached when small enough).
pub(crate) fn analyzed(code: &[u8]) -> Rc<AnalyzedCode> {
    if code.len() > MAX_CACHED_CODE {
        return Rc::new(AnalyzedCode::new(code));
    }
    let ptr = code.as_ptr() as usize;
    let i = slot_of(ptr, code.len());
    let hit = CACHE
        .try_with(|c| {
            c.borrow()[i]
                .as_ref()
                .filter(|s| s.ptr == ptr && s.code.code() == code)
                .map(|s| Rc::clone(&s.code))
        })
        .ok()
        .flatten();
    if let Some(a) = hit {
        return a;
    }
    let a = Rc::new(AnalyzedCode::new(code));
    let _ = CACHE.try_with(|c| {
        c.borrow_mut()[i] = Some(Slot {
            ptr,
            code: Rc::clone(&a),
        })
    });
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_hit_changed_bytes_miss() {
        let mut buf = vec![0x60u8, 0x01, 0x5b, 0x00];
        let a = analyzed(&buf);
        let b = analyzed(&buf);
        assert!(Rc::ptr_eq(&a, &b), "same address and bytes: cached");
        assert!(a.is_jumpdest(2));
        // Same address and size, other bytes: analysed again, never the stale analysis.
        buf[2] = 0x00;
        let c = analyzed(&buf);
        assert!(!Rc::ptr_eq(&a, &c));
        assert!(!c.is_jumpdest(2));
        assert_eq!(c.code(), &buf[..]);
        // Large code is not cached.
        let big = vec![0x5bu8; MAX_CACHED_CODE + 1];
        assert!(!Rc::ptr_eq(&analyzed(&big), &analyzed(&big)));
    }
}
