//! BN254 (alt_bn128) curve operations: ADD (0x06), MUL (0x07), PAIRING (0x08).
//! EIP-196/EIP-197 semantics; EIP-1108 prices from Istanbul on.

use crate::{padded, Outcome};
use bn::{pairing_batch, AffineG1, AffineG2, Fq, Fq2, Fr, Group, Gt, G1, G2};
use xvm_evm::Revision;

/// One pairing input: a G1 point (64 bytes) and a G2 point (128 bytes).
const PAIR_LEN: usize = 192;

/// Parses a 32-byte big-endian base field element; `None` if it is not below the modulus.
fn fq(bytes: &[u8]) -> Option<Fq> {
    Fq::from_slice(bytes).ok()
}

/// Parses a G1 point (x, y); (0, 0) is the point at infinity. `None` if off the curve.
fn g1(bytes: &[u8; 64]) -> Option<G1> {
    let x = fq(&bytes[..32])?;
    let y = fq(&bytes[32..])?;
    if x.is_zero() && y.is_zero() {
        Some(G1::zero())
    } else {
        AffineG1::new(x, y).ok().map(G1::from)
    }
}

/// Parses a G2 point (x_im, x_re, y_im, y_re); all zero is the point at infinity. `None` if a
/// coordinate is not a field element, the point is off the curve or not in the r-torsion subgroup.
fn g2(bytes: &[u8]) -> Option<G2> {
    let x = Fq2::new(fq(&bytes[32..64])?, fq(&bytes[..32])?);
    let y = Fq2::new(fq(&bytes[96..128])?, fq(&bytes[64..96])?);
    if x.is_zero() && y.is_zero() {
        Some(G2::zero())
    } else {
        AffineG2::new(x, y).ok().map(G2::from)
    }
}

/// Encodes a G1 point as x | y (infinity as 64 zero bytes).
fn encode_g1(p: G1) -> Vec<u8> {
    let mut out = vec![0u8; 64];
    if let Some(a) = AffineG1::from_jacobian(p) {
        // Both slices are exactly 32 bytes, which is all to_big_endian requires.
        let _ = a.x().to_big_endian(&mut out[..32]);
        let _ = a.y().to_big_endian(&mut out[32..]);
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
/// is any 256-bit number.
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
    let Ok(s) = Fr::from_slice(&padded::<32>(input, 64)) else {
        return Outcome::Failure;
    };
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
    let mut pairs = Vec::with_capacity(k as usize);
    for chunk in input.chunks_exact(PAIR_LEN) {
        let Some(a) = g1(&padded(chunk, 0)) else {
            return Outcome::Failure;
        };
        let Some(b) = g2(&chunk[64..]) else {
            return Outcome::Failure;
        };
        if !a.is_zero() && !b.is_zero() {
            pairs.push((a, b));
        }
    }
    let one = pairs.is_empty() || pairing_batch(&pairs) == Gt::one();
    let mut out = vec![0u8; 32];
    out[31] = u8::from(one);
    Outcome::charged(gas, cost, out)
}
