//! ECRECOVER (0x01): secp256k1 public key recovery.

use crate::{padded, Outcome};
use alloy_primitives::keccak256;
use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};

/// Fixed cost of ECRECOVER.
const COST: u64 = 3000;

/// Recovers the signer address of `hash` from `(v, r, s)`, or `None` for any invalid input.
fn recover(hash: &[u8; 32], v: &[u8; 32], r: &[u8; 32], s: &[u8; 32]) -> Option<[u8; 20]> {
    // v is a full 32-byte word that must equal 27 or 28.
    if v[..31].iter().any(|&b| b != 0) || !(v[31] == 27 || v[31] == 28) {
        return None;
    }
    let mut y_odd = v[31] == 28;
    // from_scalars rejects r or s equal to zero or not below the group order n.
    let mut sig = Signature::from_scalars(*r, *s).ok()?;
    // The precompile accepts high-s signatures; the library's verification demands low s, so
    // use the equivalent signature (r, n - s) with the opposite parity of R's y coordinate.
    if let Some(low) = sig.normalize_s() {
        sig = low;
        y_odd = !y_odd;
    }
    let recid = RecoveryId::new(y_odd, false);
    let key = VerifyingKey::recover_from_prehash(hash, &sig, recid).ok()?;
    let point = key.to_encoded_point(false);
    let digest = keccak256(&point.as_bytes()[1..]);
    let mut addr = [0u8; 20];
    addr.copy_from_slice(&digest[12..]);
    Some(addr)
}

/// ECRECOVER: the input is padded or truncated to 128 bytes (hash, v, r, s). On success the output
/// is the 20-byte address left-padded to 32 bytes; any invalid signature gives an empty output
/// (still a success).
pub(crate) fn run(input: &[u8], gas: u64) -> Outcome {
    if COST > gas {
        return Outcome::OutOfGas;
    }
    let hash = padded::<32>(input, 0);
    let v = padded::<32>(input, 32);
    let r = padded::<32>(input, 64);
    let s = padded::<32>(input, 96);
    let output = match recover(&hash, &v, &r, &s) {
        Some(addr) => {
            let mut out = vec![0u8; 32];
            out[12..].copy_from_slice(&addr);
            out
        }
        None => Vec::new(),
    };
    Outcome::charged(gas, COST, output)
}
