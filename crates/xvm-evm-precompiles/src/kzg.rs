//! KZG point evaluation (0x0a, EIP-4844).

use crate::Outcome;
use blst::{
    blst_p1, blst_p1_add_or_double, blst_p1_affine, blst_p1_cneg, blst_p1_from_affine,
    blst_p1_generator, blst_p1_in_g1, blst_p1_is_inf, blst_p1_mult, blst_p1_to_affine,
    blst_p1_uncompress, blst_p2, blst_p2_add_or_double, blst_p2_affine, blst_p2_cneg,
    blst_p2_from_affine, blst_p2_generator, blst_p2_mult, blst_p2_to_affine, blst_p2_uncompress,
    blst_scalar, blst_scalar_fr_check, blst_scalar_from_bendian, BLST_ERROR,
};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Fixed cost of the point evaluation precompile.
const COST: u64 = 50_000;

/// The version byte of a KZG versioned hash.
const VERSIONED_HASH_VERSION_KZG: u8 = 0x01;

/// FIELD_ELEMENTS_PER_BLOB (4096) and BLS_MODULUS as two 32-byte big-endian words: the output.
const RETURN_VALUE: [u8; 64] = {
    let mut out = [0u8; 64];
    out[30] = 0x10; // 4096 = 0x1000
    let modulus: [u8; 32] = [
        0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8,
        0x05, 0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00,
        0x00, 0x01,
    ];
    let mut i = 0;
    while i < 32 {
        out[32 + i] = modulus[i];
        i += 1;
    }
    out
};

/// `[tau]G2` of the mainnet KZG ceremony, compressed: the second G2 point of the trusted setup
/// (`g2_monomial[1]`). Verifying one proof needs only this point and the generators, so the
/// precompile does not load the whole setup (c-kzg's load took about 1.8 s of CPU per process).
const TAU_G2: &str = "b5bfd7dd8cdeb128843bc287230af38926187075cbfbefa81009a2ce615ac53d\
                      2914e5870cb452d2afaaab24f3499f72185cbfee53492714734429b7b38608e2\
                      3926c911cceceac9a36851477ba4c60b087041de621000edc98edada20c1def2";

/// [`TAU_G2`] as a projective point, decoded once.
fn tau_g2() -> &'static blst_p2 {
    static TAU: OnceLock<blst_p2> = OnceLock::new();
    TAU.get_or_init(|| {
        let hex = TAU_G2.as_bytes();
        let nibble = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
        let bytes: Vec<u8> = hex
            .chunks_exact(2)
            .map(|d| (nibble(d[0]) << 4) | nibble(d[1]))
            .collect();
        let mut affine = blst_p2_affine::default();
        let mut point = blst_p2::default();
        // SAFETY: `bytes` holds the 96 bytes blst reads; `affine` and `point` are valid outputs.
        // The constant is a valid compressed G2 point (a test checks it), so `affine` is set.
        unsafe {
            let ok = blst_p2_uncompress(&mut affine, bytes.as_ptr()) == BLST_ERROR::BLST_SUCCESS;
            debug_assert!(ok && bytes.len() == 96);
            blst_p2_from_affine(&mut point, &affine);
        }
        point
    })
}

/// A 32-byte big-endian BLS scalar field element, if canonical (below the field modulus).
fn field_element(bytes: &[u8]) -> Option<blst_scalar> {
    let mut s = blst_scalar::default();
    // SAFETY: `bytes` has the 32 bytes blst reads (the callers pass 32-byte slices).
    let ok = bytes.len() == 32
        && unsafe {
            blst_scalar_from_bendian(&mut s, bytes.as_ptr());
            blst_scalar_fr_check(&s)
        };
    ok.then_some(s)
}

/// A compressed G1 point (48 bytes) on the curve and in the subgroup; infinity is accepted.
fn g1_point(bytes: &[u8]) -> Option<blst_p1> {
    if bytes.len() != 48 {
        return None;
    }
    let mut affine = blst_p1_affine::default();
    let mut point = blst_p1::default();
    // SAFETY: `bytes` has the 48 bytes blst reads; the outputs are valid values.
    unsafe {
        if blst_p1_uncompress(&mut affine, bytes.as_ptr()) != BLST_ERROR::BLST_SUCCESS {
            return None;
        }
        blst_p1_from_affine(&mut point, &affine);
        (blst_p1_is_inf(&point) || blst_p1_in_g1(&point)).then_some(point)
    }
}

/// Whether `e(a1, a2) == e(b1, b2)`, as `e(a1, -a2) * e(b1, b2) == 1`.
fn pairings_equal(a1: &blst_p1, a2: &blst_p2, b1: &blst_p1, b2: &blst_p2) -> bool {
    let mut neg_a2 = *a2;
    let mut pairs = [(blst_p1_affine::default(), blst_p2_affine::default()); 2];
    // SAFETY: every pointer is to a valid blst value owned here. A point at infinity becomes
    // the all-zero affine point, which the pairing product skips.
    unsafe {
        blst_p2_cneg(&mut neg_a2, true);
        blst_p1_to_affine(&mut pairs[0].0, a1);
        blst_p2_to_affine(&mut pairs[0].1, &neg_a2);
        blst_p1_to_affine(&mut pairs[1].0, b1);
        blst_p2_to_affine(&mut pairs[1].1, b2);
    }
    crate::bls12_381::pairing_product_is_one(&pairs)
}

/// KZG proof check (EIP-4844 `verify_kzg_proof`): `e(C - [y]G1, G2) == e(proof, [tau - z]G2)`.
fn verify_kzg_proof(c: &blst_p1, z: &blst_scalar, y: &blst_scalar, proof: &blst_p1) -> bool {
    let (mut y_g1, mut c_minus_y) = (blst_p1::default(), blst_p1::default());
    let (mut z_g2, mut tau_minus_z) = (blst_p2::default(), blst_p2::default());
    // SAFETY: the generators are static constants; every other pointer is to a valid value
    // owned here; the scalars are 32 little-endian bytes, of which blst reads 255 bits.
    unsafe {
        blst_p1_mult(&mut y_g1, blst_p1_generator(), y.b.as_ptr(), 255);
        blst_p1_cneg(&mut y_g1, true);
        blst_p1_add_or_double(&mut c_minus_y, c, &y_g1);
        blst_p2_mult(&mut z_g2, blst_p2_generator(), z.b.as_ptr(), 255);
        blst_p2_cneg(&mut z_g2, true);
        blst_p2_add_or_double(&mut tau_minus_z, tau_g2(), &z_g2);
        pairings_equal(&c_minus_y, &*blst_p2_generator(), proof, &tau_minus_z)
    }
}

/// `0x01 ++ sha256(commitment)[1..]`.
pub(crate) fn versioned_hash(commitment: &[u8]) -> [u8; 32] {
    let mut h: [u8; 32] = Sha256::digest(commitment).into();
    h[0] = VERSIONED_HASH_VERSION_KZG;
    h
}

/// Checks `input` = versioned_hash (32) | z (32) | y (32) | commitment (48) | proof (48).
fn verify(input: &[u8]) -> bool {
    if input.len() != 192 {
        return false;
    }
    let commitment = &input[96..144];
    if input[..32] != versioned_hash(commitment) {
        return false;
    }
    // Any invalid part (z or y not canonical, a point off the curve or outside G1) is a
    // failure, like a false proof.
    let (Some(z), Some(y), Some(c), Some(proof)) = (
        field_element(&input[32..64]),
        field_element(&input[64..96]),
        g1_point(commitment),
        g1_point(&input[144..192]),
    ) else {
        return false;
    };
    verify_kzg_proof(&c, &z, &y, &proof)
}

/// POINT_EVALUATION: 50000 gas; proves p(z) = y for the blob polynomial committed to. Returns
/// FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS; any invalid input is a failure.
pub(crate) fn point_evaluation(input: &[u8], gas: u64) -> Outcome {
    if COST > gas {
        return Outcome::OutOfGas;
    }
    if !verify(input) {
        return Outcome::Failure;
    }
    Outcome::charged(gas, COST, RETURN_VALUE.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use c_kzg::{Bytes32, KzgSettings};

    fn settings() -> &'static KzgSettings {
        c_kzg::ethereum_kzg_settings(0)
    }

    #[test]
    fn tau_is_a_g2_point() {
        // SAFETY: `tau_g2` returns a valid point.
        assert!(unsafe { !blst::blst_p2_is_inf(tau_g2()) && blst::blst_p2_in_g2(tau_g2()) });
    }

    /// The precompile's input for a proof that the polynomial of `blob` is `y` at `z`.
    fn input_for(blob: &c_kzg::Blob, z: [u8; 32]) -> Vec<u8> {
        let commitment = settings().blob_to_kzg_commitment(blob).unwrap();
        let (proof, y) = settings()
            .compute_kzg_proof(blob, &Bytes32::from_bytes(&z).unwrap())
            .unwrap();
        let mut input = Vec::new();
        input.extend_from_slice(&versioned_hash(&commitment[..]));
        input.extend_from_slice(&z);
        input.extend_from_slice(&y[..]);
        input.extend_from_slice(&commitment[..]);
        input.extend_from_slice(&proof[..]);
        input
    }

    /// c-kzg's verdict on the same input, from the full trusted setup.
    fn c_kzg_verdict(input: &[u8]) -> bool {
        let b32 = |r: std::ops::Range<usize>| Bytes32::from_bytes(&input[r]).unwrap();
        let b48 = |r: std::ops::Range<usize>| c_kzg::Bytes48::from_bytes(&input[r]).unwrap();
        matches!(
            settings().verify_kzg_proof(&b48(96..144), &b32(32..64), &b32(64..96), &b48(144..192)),
            Ok(true)
        )
    }

    /// xvm's check agrees with c-kzg's on valid proofs for several blobs and points, and on
    /// the same inputs with y, z or the proof changed.
    #[test]
    fn agrees_with_c_kzg() {
        for seed in 1..4u64 {
            let mut bytes = vec![0u8; c_kzg::BYTES_PER_BLOB];
            for (i, chunk) in bytes.chunks_mut(32).enumerate() {
                let v = (i as u64 + 1).wrapping_mul(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
                chunk[1..9].copy_from_slice(&v.to_be_bytes());
            }
            let blob = c_kzg::Blob::from_bytes(&bytes).unwrap();
            let mut z = [0u8; 32];
            z[1..9].copy_from_slice(&seed.wrapping_mul(0x1234_5678_9abc_def1).to_be_bytes());
            let good = input_for(&blob, z);
            let mut other_y = good.clone();
            other_y[95] ^= 1;
            let mut other_z = good.clone();
            other_z[63] ^= 1;
            let mut other_proof = good.clone();
            other_proof[144..192].copy_from_slice(&input_for(&blob, [0u8; 32])[144..192]);
            for (input, valid) in [
                (good, true),
                (other_y, false),
                (other_z, false),
                (other_proof, false),
            ] {
                assert_eq!(verify(&input), valid);
                assert_eq!(c_kzg_verdict(&input), valid);
            }
        }
    }

    #[test]
    fn return_value_matches_constants() {
        let n = u64::from_be_bytes(RETURN_VALUE[24..32].try_into().unwrap());
        assert_eq!(n as usize, c_kzg::FIELD_ELEMENTS_PER_BLOB);
        assert_eq!(
            hex::encode(&RETURN_VALUE[32..]),
            "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001"
        );
    }

    /// A proof made with the same trusted setup for a deterministic blob verifies through the
    /// precompile's input layout, and fails once any field is changed.
    #[test]
    fn round_trip_with_generated_proof() {
        let mut bytes = vec![0u8; c_kzg::BYTES_PER_BLOB];
        for (i, chunk) in bytes.chunks_mut(32).enumerate() {
            // First byte zero keeps each element below the BLS modulus.
            chunk[1..9]
                .copy_from_slice(&(i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15).to_be_bytes());
        }
        let blob = c_kzg::Blob::from_bytes(&bytes).unwrap();
        let mut z = [0u8; 32];
        z[31] = 42;
        let mut input = input_for(&blob, z);
        assert_eq!(
            point_evaluation(&input, 60_000),
            Outcome::Ok {
                cost: COST,
                output: RETURN_VALUE.to_vec()
            }
        );
        input[63] = 43; // another point z with the same y
        assert_eq!(point_evaluation(&input, 60_000), Outcome::Failure);
    }
}
