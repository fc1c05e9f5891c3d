//! Shrinking a mismatching case: drop accounts, storage, transaction extras and code bytes while
//! the two VMs still disagree.

use crate::case::Case;
use alloy_primitives::U256;

/// Shrinks `case` while `still_fails` holds, trying at most `budget` candidates.
pub fn shrink(case: &Case, budget: usize, mut still_fails: impl FnMut(&Case) -> bool) -> Case {
    let mut best = case.clone();
    let mut tries = 0;
    let mut attempt = |cand: Case, best: &mut Case, tries: &mut usize| -> bool {
        if *tries >= budget || cand == *best {
            return false;
        }
        *tries += 1;
        if still_fails(&cand) {
            *best = cand;
            true
        } else {
            false
        }
    };
    loop {
        let before = best.clone();
        // Accounts other than the sender.
        let addrs: Vec<_> = best.pre.keys().copied().collect();
        for a in addrs {
            if a == best.tx.sender {
                continue;
            }
            let mut c = best.clone();
            c.pre.remove(&a);
            attempt(c, &mut best, &mut tries);
        }
        // Storage, balances, nonces.
        let addrs: Vec<_> = best.pre.keys().copied().collect();
        for a in &addrs {
            let mut c = best.clone();
            c.pre.get_mut(a).expect("present").storage.clear();
            attempt(c, &mut best, &mut tries);
            if *a != best.tx.sender {
                let mut c = best.clone();
                c.pre.get_mut(a).expect("present").balance = U256::ZERO;
                attempt(c, &mut best, &mut tries);
            }
        }
        // Transaction extras.
        let mut c = best.clone();
        c.tx.access_list.clear();
        attempt(c, &mut best, &mut tries);
        for i in (0..best.tx.authorizations.len()).rev() {
            let mut c = best.clone();
            c.tx.authorizations.remove(i);
            attempt(c, &mut best, &mut tries);
        }
        let mut c = best.clone();
        c.tx.value = U256::ZERO;
        attempt(c, &mut best, &mut tries);
        if best.tx.to.is_some() {
            let mut c = best.clone();
            c.tx.data = Default::default();
            attempt(c, &mut best, &mut tries);
        }
        // Code and init code: drop ranges, halving the range size down to one byte.
        for a in &addrs {
            let Some(acc) = best.pre.get(a) else { continue };
            let mut chunk = acc.code.len().div_ceil(2).max(1);
            while chunk >= 1 && !best.pre[a].code.is_empty() {
                let mut start = 0;
                while start < best.pre[a].code.len() {
                    let code = &best.pre[a].code;
                    let end = (start + chunk).min(code.len());
                    let mut c = best.clone();
                    let mut v = code.to_vec();
                    v.drain(start..end);
                    if v.starts_with(&[0xef, 0x01]) && v.len() != 23 {
                        start += chunk;
                        continue;
                    }
                    c.pre.get_mut(a).expect("present").code = v.into();
                    if !attempt(c, &mut best, &mut tries) {
                        start += chunk;
                    }
                    if tries >= budget {
                        break;
                    }
                }
                if chunk == 1 {
                    break;
                }
                chunk /= 2;
            }
        }
        if best.tx.to.is_none() {
            let mut chunk = best.tx.data.len().div_ceil(2).max(1);
            loop {
                let mut start = 0;
                while start < best.tx.data.len() && tries < budget {
                    let mut v = best.tx.data.to_vec();
                    let end = (start + chunk).min(v.len());
                    v.drain(start..end);
                    let mut c = best.clone();
                    c.tx.data = v.into();
                    if !attempt(c, &mut best, &mut tries) {
                        start += chunk;
                    }
                }
                if chunk == 1 {
                    break;
                }
                chunk /= 2;
            }
        }
        if best == before || tries >= budget {
            return best;
        }
    }
}
