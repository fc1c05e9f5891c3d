//! BN254 (alt_bn128) curve operations: ADD (0x06), MUL (0x07), PAIRING (0x08).
//! EIP-196/EIP-197 semantics; EIP-1108 prices from Istanbul on. The curve arithmetic is
//! arkworks' (`ark-bn254`, with ark-ff's x86-64 assembly): GLV scalar multiplication, the
//! endomorphism G2 subgroup check, and a multi-Miller loop with one final exponentiation.

use crate::{padded, Outcome};
use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::{pairing::Pairing, AffineRepr, CurveGroup};
use ark_ff::{BigInteger256, One, PrimeField, Zero};
use xvm_evm::Revision;

/// One pairing input: a G1 point (64 bytes) and a G2 point (128 bytes).
const PAIR_LEN: usize = 192;

/// A 32-byte big-endian number as four little-endian limbs.
fn limbs(bytes: &[u8]) -> BigInteger256 {
    let mut l = [0u64; 4];
    for (i, chunk) in bytes[..32].chunks_exact(8).enumerate() {
        l[3 - i] = chunk.iter().fold(0u64, |w, &b| (w << 8) | u64::from(b));
    }
    BigInteger256::new(l)
}

/// Parses a 32-byte big-endian base field element; `None` if it is not below the modulus.
fn fq(bytes: &[u8]) -> Option<Fq> {
    Fq::from_bigint(limbs(bytes))
}

/// Parses a G1 point (x, y); (0, 0) is the point at infinity. `None` if a coordinate is not a
/// field element or the point is off the curve (G1 is the whole curve: no subgroup check).
fn g1(bytes: &[u8; 64]) -> Option<G1Affine> {
    let x = fq(&bytes[..32])?;
    let y = fq(&bytes[32..])?;
    if x.is_zero() && y.is_zero() {
        return Some(G1Affine::zero());
    }
    let p = G1Affine::new_unchecked(x, y);
    p.is_on_curve().then_some(p)
}

/// Parses a G2 point (x_im, x_re, y_im, y_re); all zero is the point at infinity. `None` if a
/// coordinate is not a field element, the point is off the curve or not in the r-torsion subgroup.
fn g2(bytes: &[u8]) -> Option<G2Affine> {
    let x = Fq2::new(fq(&bytes[32..64])?, fq(&bytes[..32])?);
    let y = Fq2::new(fq(&bytes[96..128])?, fq(&bytes[64..96])?);
    if x.is_zero() && y.is_zero() {
        return Some(G2Affine::zero());
    }
    let p = G2Affine::new_unchecked(x, y);
    (p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve()).then_some(p)
}

/// Writes a base field element as 32 big-endian bytes.
fn put_fq(v: Fq, out: &mut [u8]) {
    for (i, limb) in v.into_bigint().0.iter().enumerate() {
        out[24 - 8 * i..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
    }
}

/// Encodes a G1 point as x | y (infinity as 64 zero bytes).
fn encode_g1(p: G1Projective) -> Vec<u8> {
    let mut out = vec![0u8; 64];
    if let Some((x, y)) = p.into_affine().xy() {
        put_fq(x, &mut out[..32]);
        put_fq(y, &mut out[32..]);
    }
    out
}

/// ECADD: 500 gas (Byzantium), 150 (Istanbul+). Input padded/truncated to 128 bytes.
pub(crate) fn add(input: &[u8], gas: u64, rev: Revision) -> Outcome {
    let cost = if rev >= Revision::Istanbul { 150 } else { 500 };
    if cost > gas {
        return Outcome::OutOfGas;
    }
    let (Some(a), Some(b)) = (g1(&padded(input, 0)), g1(&padded(input, 64))) else {
        return Outcome::Failure;
    };
    Outcome::charged(gas, cost, encode_g1(a + b))
}

/// ECMUL: 40000 gas (Byzantium), 6000 (Istanbul+). Input padded/truncated to 96 bytes; the scalar
/// is any 256-bit number (taken modulo the group order, which multiplies alike).
pub(crate) fn mul(input: &[u8], gas: u64, rev: Revision) -> Outcome {
    let cost = if rev >= Revision::Istanbul {
        6000
    } else {
        40000
    };
    if cost > gas {
        return Outcome::OutOfGas;
    }
    let Some(p) = g1(&padded(input, 0)) else {
        return Outcome::Failure;
    };
    let s = Fr::from_be_bytes_mod_order(&padded::<32>(input, 64));
    Outcome::charged(gas, cost, encode_g1(p * s))
}

/// ECPAIRING: 80000k + 100000 (Byzantium), 34000k + 45000 (Istanbul+) for k pairs. The input
/// length must be a multiple of 192; output is the 32-byte word 1 if the product of pairings is
/// one, else 0.
pub(crate) fn pairing(input: &[u8], gas: u64, rev: Revision) -> Outcome {
    let k = (input.len() / PAIR_LEN) as u64;
    let cost = if rev >= Revision::Istanbul {
        34_000 * k + 45_000
    } else {
        80_000 * k + 100_000
    };
    if cost > gas {
        return Outcome::OutOfGas;
    }
    if input.len() % PAIR_LEN != 0 {
        return Outcome::Failure;
    }
    let mut g1s = Vec::with_capacity(k as usize);
    let mut g2s = Vec::with_capacity(k as usize);
    for chunk in input.chunks_exact(PAIR_LEN) {
        let Some(a) = g1(&padded(chunk, 0)) else {
            return Outcome::Failure;
        };
        let Some(b) = g2(&chunk[64..]) else {
            return Outcome::Failure;
        };
        // A pair with the point at infinity contributes a factor of one.
        if !a.is_zero() && !b.is_zero() {
            g1s.push(a);
            g2s.push(b);
        }
    }
    let one = g1s.is_empty() || Bn254::multi_pairing(g1s, g2s).0.is_one();
    let mut out = vec![0u8; 32];
    out[31] = u8::from(one);
    Outcome::charged(gas, cost, out)
}
