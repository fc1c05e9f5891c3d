//! P256VERIFY (0x100, EIP-7951): secp256r1 ECDSA signature verification.

use crate::Outcome;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::EncodedPoint;

/// Fixed cost of P256VERIFY (EIP-7951, Osaka).
const COST: u64 = 6900;

/// Verifies `input` = hash (32) | r (32) | s (32) | qx (32) | qy (32).
fn verify(input: &[u8]) -> bool {
    if input.len() != 160 {
        return false;
    }
    let hash = &input[..32];
    let mut r = [0u8; 32];
    r.copy_from_slice(&input[32..64]);
    let mut s = [0u8; 32];
    s.copy_from_slice(&input[64..96]);
    // Rejects r or s equal to zero or not below the group order n.
    let Ok(sig) = Signature::from_scalars(r, s) else {
        return false;
    };
    // Rejects coordinates not below p, points not on the curve, and (0, 0) (not on the curve).
    let point =
        EncodedPoint::from_affine_coordinates(input[96..128].into(), input[128..160].into(), false);
    let Ok(key) = VerifyingKey::from_encoded_point(&point) else {
        return false;
    };
    key.verify_prehash(hash, &sig).is_ok()
}

/// P256VERIFY: 6900 gas; returns the 32-byte word 1 for a valid signature and an empty output
/// (success status) for anything else, including an input that is not exactly 160 bytes.
pub(crate) fn run(input: &[u8], gas: u64) -> Outcome {
    if COST > gas {
        return Outcome::OutOfGas;
    }
    let output = if verify(input) {
        let mut one = vec![0u8; 32];
        one[31] = 1;
        one
    } else {
        Vec::new()
    };
    Outcome::charged(gas, COST, output)
}
