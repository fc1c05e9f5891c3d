//! Reuse of code analyses and code hashes. Contracts deployed again and again with the same code
//! (a factory, a test that CREATEs in a loop, every entry of a state test) are hashed and
//! analysed once per thread, and their per-revision block tables are built once.
//!
//! A small per-thread direct-mapped cache is keyed by a fast non-cryptographic fingerprint of
//! the bytes (foldhash, a few microseconds for 24 KiB where keccak256 takes about fifty); a hit
//! is used only when the cached code is the same bytes, and then gives back the keccak256 that
//! was computed for them the first time.

use alloy_primitives::map::DefaultHashBuilder;
use alloy_primitives::{keccak256, B256};
use std::cell::RefCell;
use std::hash::BuildHasher;
use std::sync::Arc;
use xvm_evm::AnalyzedCode;

/// Slots of the direct-mapped cache.
const SLOTS: usize = 32;
/// Code larger than this is hashed and analysed every time and not kept. Deployed code is at
/// most 24 KiB (EIP-170), so every contract fits; the cap bounds the cache's memory.
const MAX_CACHED_CODE: usize = 64 * 1024;

/// A cached code: its fingerprint, its keccak256 and its analysis (which holds the bytes).
type Slot = Option<(u64, B256, Arc<AnalyzedCode>)>;

/// The cache and the hasher its fingerprints come from (one per thread, so one seed).
struct Cache {
    hasher: DefaultHashBuilder,
    slots: [Slot; SLOTS],
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache {
        hasher: DefaultHashBuilder::default(),
        slots: [const { None }; SLOTS],
    });
}

/// keccak256 of non-empty `code` and its analysis: the cached ones when this thread met the
/// same bytes recently, else new ones (kept for next time when small enough).
pub(crate) fn hashed_and_analyzed(code: &[u8]) -> (B256, Arc<AnalyzedCode>) {
    if code.len() > MAX_CACHED_CODE {
        return (keccak256(code), Arc::new(AnalyzedCode::new(code)));
    }
    let found = CACHE.try_with(|c| {
        let c = c.borrow();
        let fp = c.hasher.hash_one(code);
        let hit = c.slots[fp as usize % SLOTS]
            .as_ref()
            .filter(|(f, _, a)| *f == fp && a.code() == code)
            .map(|(_, h, a)| (*h, Arc::clone(a)));
        (fp, hit)
    });
    let fp = match found {
        Ok((_, Some(hit))) => return hit,
        Ok((fp, None)) => Some(fp),
        // The thread is shutting down: no cache.
        Err(_) => None,
    };
    let hash = keccak256(code);
    let a = Arc::new(AnalyzedCode::new(code));
    if let Some(fp) = fp {
        let _ = CACHE.try_with(|c| {
            c.borrow_mut().slots[fp as usize % SLOTS] = Some((fp, hash, Arc::clone(&a)));
        });
    }
    (hash, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_code_is_hashed_and_analysed_once_other_code_is_not_confused() {
        let code = [0x60, 0x01, 0x5b, 0x00];
        let (h, a) = hashed_and_analyzed(&code);
        assert_eq!(h, keccak256(code));
        let (h2, b) = hashed_and_analyzed(&code);
        assert_eq!(h2, h);
        assert!(Arc::ptr_eq(&a, &b), "the same bytes: one analysis");
        // Other bytes: their own hash and analysis, whatever slot they land in.
        for i in 0..=255u8 {
            let other = [0x60, i, 0x5b, 0x01];
            let (ho, c) = hashed_and_analyzed(&other);
            assert_eq!(ho, keccak256(other));
            assert_eq!(c.code(), &other);
        }
        // Deployment-sized code, twice: the same hash, one analysis.
        let big = vec![0x5b; 24 * 1024];
        let (hb, x) = hashed_and_analyzed(&big);
        let (hb2, y) = hashed_and_analyzed(&big);
        assert_eq!((hb, hb2), (keccak256(&big), keccak256(&big)));
        assert!(Arc::ptr_eq(&x, &y));
        // Code over the cap is hashed and analysed each time.
        let huge = vec![0x5b; MAX_CACHED_CODE + 1];
        let (hh, p) = hashed_and_analyzed(&huge);
        let (_, q) = hashed_and_analyzed(&huge);
        assert_eq!(hh, keccak256(&huge));
        assert!(!Arc::ptr_eq(&p, &q));
    }
}
