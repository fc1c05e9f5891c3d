//! Hashes and signature checks used by the host and the native contracts.

use sha2::{Digest, Sha256};

/// SHA-256.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Double SHA-256 (Neo's `Hash256`).
pub fn hash256(data: &[u8]) -> [u8; 32] {
    sha256(&sha256(data))
}

/// RIPEMD-160.
pub fn ripemd160(data: &[u8]) -> [u8; 20] {
    ripemd::Ripemd160::digest(data).into()
}

/// RIPEMD-160 of SHA-256 (Neo's `Hash160`, script hashes).
pub fn hash160(data: &[u8]) -> [u8; 20] {
    ripemd160(&sha256(data))
}

/// Keccak-256.
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    alloy_primitives::keccak256(data).0
}

/// MurmurHash3 x86 32-bit.
pub fn murmur32(data: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e2d51;
    const C2: u32 = 0x1b873593;
    let mut h = seed;
    let chunks = data.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe6546b64);
    }
    if !tail.is_empty() {
        let mut k = 0u32;
        for (i, b) in tail.iter().enumerate() {
            k ^= (*b as u32) << (8 * i);
        }
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85ebca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2ae35);
    h ^= h >> 16;
    h
}

fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51afd7ed558ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ceb9fe1a85ec53);
    k ^= k >> 33;
    k
}

/// MurmurHash3 x64 128-bit, as 16 bytes (h1 LE then h2 LE).
pub fn murmur128(data: &[u8], seed: u32) -> [u8; 16] {
    const C1: u64 = 0x87c37b91114253d5;
    const C2: u64 = 0x4cf5ad432745937f;
    let (mut h1, mut h2) = (seed as u64, seed as u64);
    let chunks = data.chunks_exact(16);
    let tail = chunks.remainder();
    for c in chunks {
        let k1 = u64::from_le_bytes(c[..8].try_into().unwrap_or_default());
        let k2 = u64::from_le_bytes(c[8..].try_into().unwrap_or_default());
        h1 ^= k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
        h1 = h1
            .rotate_left(27)
            .wrapping_add(h2)
            .wrapping_mul(5)
            .wrapping_add(0x52dce729);
        h2 ^= k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
        h2 = h2
            .rotate_left(31)
            .wrapping_add(h1)
            .wrapping_mul(5)
            .wrapping_add(0x38495ab5);
    }
    if !tail.is_empty() {
        let (mut k1, mut k2) = (0u64, 0u64);
        for (i, b) in tail.iter().enumerate() {
            if i < 8 {
                k1 ^= (*b as u64) << (8 * i);
            } else {
                k2 ^= (*b as u64) << (8 * (i - 8));
            }
        }
        if tail.len() > 8 {
            h2 ^= k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
        }
        h1 ^= k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
    }
    h1 ^= data.len() as u64;
    h2 ^= data.len() as u64;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&h1.to_le_bytes());
    out[8..].copy_from_slice(&h2.to_le_bytes());
    out
}

/// The curves `verifyWithECDsa` and CheckSig know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Curve {
    /// secp256r1 (NIST P-256).
    Secp256r1,
    /// secp256k1.
    Secp256k1,
}

/// Why a signature check could not even be attempted (malformed key or signature).
#[derive(Debug, PartialEq, Eq)]
pub struct BadInput(pub String);

/// Verifies a 64-byte `r || s` ECDSA signature over a 32-byte prehash with an encoded public key
/// (33-byte compressed or 65-byte uncompressed). `Ok(false)` for a wrong signature; `Err` for a
/// key that is not a point on the curve or a signature that is not 64 bytes.
pub fn verify_prehash(
    curve: Curve,
    prehash: &[u8; 32],
    pubkey: &[u8],
    sig: &[u8],
) -> Result<bool, BadInput> {
    use k256::ecdsa::signature::hazmat::PrehashVerifier;
    if sig.len() != 64 {
        return Err(BadInput(format!(
            "signature of {} bytes, not 64",
            sig.len()
        )));
    }
    match curve {
        Curve::Secp256r1 => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(pubkey)
                .map_err(|_| BadInput("invalid secp256r1 public key".into()))?;
            let Ok(s) = p256::ecdsa::Signature::from_slice(sig) else {
                return Ok(false);
            };
            Ok(key.verify_prehash(prehash, &s).is_ok())
        }
        Curve::Secp256k1 => {
            let key = k256::ecdsa::VerifyingKey::from_sec1_bytes(pubkey)
                .map_err(|_| BadInput("invalid secp256k1 public key".into()))?;
            let Ok(s) = k256::ecdsa::Signature::from_slice(sig) else {
                return Ok(false);
            };
            // Neo (BouncyCastle) accepts high-S signatures; k256 rejects them, so normalise.
            let s = s.normalize_s().unwrap_or(s);
            Ok(key.verify_prehash(prehash, &s).is_ok())
        }
    }
}

/// Whether `pubkey` is a valid compressed secp256r1 point.
pub fn is_valid_r1_point(pubkey: &[u8]) -> bool {
    pubkey.len() == 33 && p256::ecdsa::VerifyingKey::from_sec1_bytes(pubkey).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur_vectors() {
        assert_eq!(murmur32(b"", 0), 0);
        assert_eq!(murmur32(b"hello", 0), 0x248bfa47);
        // Independent vector: MurmurHash3_x64_128("Hello, world!", 0) has h1 = 17388730015462876639.
        let h = murmur128(b"Hello, world!", 0);
        assert_eq!(
            u64::from_le_bytes(h[..8].try_into().unwrap()),
            17388730015462876639
        );
    }
}
