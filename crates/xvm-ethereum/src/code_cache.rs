//! Reuse of code analyses by code hash. Deploying code hashes it anyway (the account's code
//! hash), so the hash is the key: a small per-thread direct-mapped cache keeps recent
//! analyses, and a hit is used only when the cached code is the same bytes. Contracts deployed
//! again and again with the same code (a factory, a test that CREATEs in a loop, every entry of
//! a state test) are analysed once, and their per-revision block tables are built once.

use alloy_primitives::B256;
use std::cell::RefCell;
use std::sync::Arc;
use xvm_evm::AnalyzedCode;

/// Slots of the direct-mapped cache.
const SLOTS: usize = 32;
/// Code larger than this is analysed every time and not kept. Deployed code is at most 24 KiB
/// (EIP-170), so every contract fits; the cap bounds the cache's memory.
const MAX_CACHED_CODE: usize = 64 * 1024;

/// A cached analysis and the hash of its code.
type Slot = Option<(B256, Arc<AnalyzedCode>)>;

thread_local! {
    static CACHE: RefCell<[Slot; SLOTS]> = const { RefCell::new([const { None }; SLOTS]) };
}

/// The analysis of `code`, whose keccak256 is `hash`: a cached one when this thread analysed
/// the same bytes recently, else a new one (kept for next time when small enough).
pub(crate) fn analyzed(hash: &B256, code: &[u8]) -> Arc<AnalyzedCode> {
    if code.len() > MAX_CACHED_CODE {
        return Arc::new(AnalyzedCode::new(code));
    }
    let slot = usize::from(hash[0]) % SLOTS;
    let hit = CACHE
        .try_with(|c| {
            c.borrow()[slot]
                .as_ref()
                .filter(|(h, a)| h == hash && a.code() == code)
                .map(|(_, a)| Arc::clone(a))
        })
        .ok()
        .flatten();
    if let Some(a) = hit {
        return a;
    }
    let a = Arc::new(AnalyzedCode::new(code));
    let _ = CACHE.try_with(|c| c.borrow_mut()[slot] = Some((*hash, Arc::clone(&a))));
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    #[test]
    fn same_code_is_analysed_once_other_code_is_not_confused() {
        let code = [0x60, 0x01, 0x5b, 0x00];
        let h = keccak256(code);
        let a = analyzed(&h, &code);
        let b = analyzed(&h, &code);
        assert!(Arc::ptr_eq(&a, &b), "the same bytes and hash: one analysis");
        // The same hash with other bytes (impossible for keccak, but the bytes decide).
        let other = [0x60, 0x02, 0x5b, 0x00];
        let c = analyzed(&h, &other);
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(c.code(), &other);
        // Code over the cap is analysed each time.
        let big = vec![0x5b; MAX_CACHED_CODE + 1];
        let hb = keccak256(&big);
        assert!(!Arc::ptr_eq(&analyzed(&hb, &big), &analyzed(&hb, &big)));
    }
}
