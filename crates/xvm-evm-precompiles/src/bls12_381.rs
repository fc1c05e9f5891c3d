//! BLS12-381 curve operations (0x0b..0x11, EIP-2537, Prague).
//!
//! Encodings: a base field element is 64 bytes, big-endian, whose top 16 bytes are zero and whose
//! value is below the modulus p; Fp2 is c0 | c1; a G1 point is x | y (128 bytes), a G2 point is
//! x | y over Fp2 (256 bytes); the point at infinity is all zeros. Points must be on their curve;
//! MSM and pairing inputs must also be in the prime-order subgroup (ADD inputs need not be).
//! Scalars are 32-byte big-endian numbers of any size.

use crate::Outcome;
use blst::{
    blst_bendian_from_fp, blst_final_exp, blst_fp, blst_fp12, blst_fp12_is_one, blst_fp12_mul,
    blst_fp12_one, blst_fp2, blst_fp_from_bendian, blst_map_to_g1, blst_map_to_g2,
    blst_miller_loop, blst_p1, blst_p1_add_or_double, blst_p1_affine, blst_p1_affine_in_g1,
    blst_p1_affine_on_curve, blst_p1_from_affine, blst_p1_is_inf, blst_p1_to_affine,
    blst_p1s_mult_pippenger, blst_p1s_mult_pippenger_scratch_sizeof, blst_p2,
    blst_p2_add_or_double, blst_p2_affine, blst_p2_affine_in_g2, blst_p2_affine_on_curve,
    blst_p2_from_affine, blst_p2_is_inf, blst_p2_to_affine, blst_p2s_mult_pippenger,
    blst_p2s_mult_pippenger_scratch_sizeof, limb_t,
};

/// Base field modulus p, big-endian (48 bytes).
const P: [u8; 48] = [
    0x1a, 0x01, 0x11, 0xea, 0x39, 0x7f, 0xe6, 0x9a, 0x4b, 0x1b, 0xa7, 0xb6, 0x43, 0x4b, 0xac, 0xd7,
    0x64, 0x77, 0x4b, 0x84, 0xf3, 0x85, 0x12, 0xbf, 0x67, 0x30, 0xd2, 0xa0, 0xf6, 0xb0, 0xf6, 0x24,
    0x1e, 0xab, 0xff, 0xfe, 0xb1, 0x53, 0xff, 0xff, 0xb9, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xaa, 0xab,
];

const FP_LEN: usize = 64;
const G1_LEN: usize = 2 * FP_LEN;
const G2_LEN: usize = 4 * FP_LEN;
const SCALAR_LEN: usize = 32;

const G1ADD_COST: u64 = 375;
const G2ADD_COST: u64 = 600;
const G1MUL_COST: u64 = 12_000;
const G2MUL_COST: u64 = 22_500;
const MAP_FP_TO_G1_COST: u64 = 5_500;
const MAP_FP2_TO_G2_COST: u64 = 23_800;
const PAIRING_PER_PAIR_COST: u64 = 32_600;
const PAIRING_BASE_COST: u64 = 37_700;

/// MSM discounts (per mille) for k = 1..=128 pairs, G1.
const G1_DISCOUNT: [u16; 128] = [
    1000, 949, 848, 797, 764, 750, 738, 728, 719, 712, 705, 698, 692, 687, 682, 677, 673, 669, 665,
    661, 658, 654, 651, 648, 645, 642, 640, 637, 635, 632, 630, 627, 625, 623, 621, 619, 617, 615,
    613, 611, 609, 608, 606, 604, 603, 601, 599, 598, 596, 595, 593, 592, 591, 589, 588, 586, 585,
    584, 582, 581, 580, 579, 577, 576, 575, 574, 573, 572, 570, 569, 568, 567, 566, 565, 564, 563,
    562, 561, 560, 559, 558, 557, 556, 555, 554, 553, 552, 551, 550, 549, 548, 547, 547, 546, 545,
    544, 543, 542, 541, 540, 540, 539, 538, 537, 536, 536, 535, 534, 533, 532, 532, 531, 530, 529,
    528, 528, 527, 526, 525, 525, 524, 523, 522, 522, 521, 520, 520, 519,
];
/// G1 MSM discount for k > 128.
const G1_MAX_DISCOUNT: u16 = 519;

/// MSM discounts (per mille) for k = 1..=128 pairs, G2.
const G2_DISCOUNT: [u16; 128] = [
    1000, 1000, 923, 884, 855, 832, 812, 796, 782, 770, 759, 749, 740, 732, 724, 717, 711, 704,
    699, 693, 688, 683, 679, 674, 670, 666, 663, 659, 655, 652, 649, 646, 643, 640, 637, 634, 632,
    629, 627, 624, 622, 620, 618, 615, 613, 611, 609, 607, 606, 604, 602, 600, 598, 597, 595, 593,
    592, 590, 589, 587, 586, 584, 583, 582, 580, 579, 578, 576, 575, 574, 573, 571, 570, 569, 568,
    567, 566, 565, 563, 562, 561, 560, 559, 558, 557, 556, 555, 554, 553, 552, 552, 551, 550, 549,
    548, 547, 546, 545, 545, 544, 543, 542, 541, 541, 540, 539, 538, 537, 537, 536, 535, 535, 534,
    533, 532, 532, 531, 530, 530, 529, 528, 528, 527, 526, 526, 525, 524, 524,
];
/// G2 MSM discount for k > 128.
const G2_MAX_DISCOUNT: u16 = 524;

/// MSM gas: k * mul_cost * discount(k) / 1000.
fn msm_cost(k: usize, mul_cost: u64, table: &[u16; 128], max_discount: u16) -> u64 {
    let discount = table
        .get(k.wrapping_sub(1))
        .copied()
        .unwrap_or(max_discount);
    (k as u64)
        .saturating_mul(mul_cost)
        .saturating_mul(u64::from(discount))
        / 1000
}

/// Decodes a 64-byte field element; `None` unless the top 16 bytes are zero and the value < p.
fn fp(bytes: &[u8]) -> Option<blst_fp> {
    debug_assert_eq!(bytes.len(), FP_LEN);
    if bytes[..16].iter().any(|&b| b != 0) {
        return None;
    }
    let be: &[u8] = &bytes[16..];
    // Lexicographic comparison of equal-length big-endian byte strings is numeric comparison.
    if be >= &P[..] {
        return None;
    }
    let mut out = blst_fp::default();
    // SAFETY: `be` points to 48 readable bytes, as blst_fp_from_bendian reads; `out` is a valid
    // blst_fp to write.
    unsafe { blst_fp_from_bendian(&mut out, be.as_ptr()) };
    Some(out)
}

/// Decodes a 128-byte Fp2 element c0 | c1.
fn fp2(bytes: &[u8]) -> Option<blst_fp2> {
    Some(blst_fp2 {
        fp: [fp(&bytes[..FP_LEN])?, fp(&bytes[FP_LEN..2 * FP_LEN])?],
    })
}

/// Encodes a field element as 64 bytes (16 zero bytes, then 48 big-endian bytes).
fn encode_fp(out: &mut [u8], e: &blst_fp) {
    debug_assert_eq!(out.len(), FP_LEN);
    // SAFETY: `out[16..]` has 48 writable bytes, as blst_bendian_from_fp writes.
    unsafe { blst_bendian_from_fp(out[16..].as_mut_ptr(), e) };
}

/// Decodes a G1 point (on the curve; in G1 too when `subgroup`). All zeros is infinity.
fn g1(bytes: &[u8], subgroup: bool) -> Option<blst_p1_affine> {
    let p = blst_p1_affine {
        x: fp(&bytes[..FP_LEN])?,
        y: fp(&bytes[FP_LEN..G1_LEN])?,
    };
    // SAFETY: `p` is a valid, initialised affine point for the duration of the calls. blst treats
    // the all-zero affine point as infinity, which is on the curve and in the subgroup.
    let valid = unsafe { blst_p1_affine_on_curve(&p) && (!subgroup || blst_p1_affine_in_g1(&p)) };
    valid.then_some(p)
}

/// Decodes a G2 point (on the curve; in G2 too when `subgroup`). All zeros is infinity.
fn g2(bytes: &[u8], subgroup: bool) -> Option<blst_p2_affine> {
    let p = blst_p2_affine {
        x: fp2(&bytes[..2 * FP_LEN])?,
        y: fp2(&bytes[2 * FP_LEN..G2_LEN])?,
    };
    // SAFETY: as in `g1`, for G2.
    let valid = unsafe { blst_p2_affine_on_curve(&p) && (!subgroup || blst_p2_affine_in_g2(&p)) };
    valid.then_some(p)
}

fn g1_from_affine(p: &blst_p1_affine) -> blst_p1 {
    let mut out = blst_p1::default();
    // SAFETY: both are valid blst values; blst maps the all-zero affine point to infinity.
    unsafe { blst_p1_from_affine(&mut out, p) };
    out
}

fn g2_from_affine(p: &blst_p2_affine) -> blst_p2 {
    let mut out = blst_p2::default();
    // SAFETY: as in `g1_from_affine`.
    unsafe { blst_p2_from_affine(&mut out, p) };
    out
}

/// Encodes a G1 point as 128 bytes (infinity as zeros).
fn encode_g1(p: &blst_p1) -> Vec<u8> {
    let mut out = vec![0u8; G1_LEN];
    // SAFETY: `p` is a valid projective point; `a` a valid affine point to write.
    unsafe {
        if !blst_p1_is_inf(p) {
            let mut a = blst_p1_affine::default();
            blst_p1_to_affine(&mut a, p);
            encode_fp(&mut out[..FP_LEN], &a.x);
            encode_fp(&mut out[FP_LEN..], &a.y);
        }
    }
    out
}

/// Encodes a G2 point as 256 bytes (infinity as zeros).
fn encode_g2(p: &blst_p2) -> Vec<u8> {
    let mut out = vec![0u8; G2_LEN];
    // SAFETY: `p` is a valid projective point; `a` a valid affine point to write.
    unsafe {
        if !blst_p2_is_inf(p) {
            let mut a = blst_p2_affine::default();
            blst_p2_to_affine(&mut a, p);
            encode_fp(&mut out[..FP_LEN], &a.x.fp[0]);
            encode_fp(&mut out[FP_LEN..2 * FP_LEN], &a.x.fp[1]);
            encode_fp(&mut out[2 * FP_LEN..3 * FP_LEN], &a.y.fp[0]);
            encode_fp(&mut out[3 * FP_LEN..], &a.y.fp[1]);
        }
    }
    out
}

/// The number of limbs holding `bytes` bytes of MSM scratch space.
fn scratch_words(bytes: usize) -> usize {
    bytes.div_ceil(std::mem::size_of::<limb_t>())
}

/// A 32-byte big-endian scalar as the little-endian bytes blst multiplies by.
fn scalar_le(be: &[u8]) -> [u8; SCALAR_LEN] {
    let mut le = [0u8; SCALAR_LEN];
    le.copy_from_slice(&be[..SCALAR_LEN]);
    le.reverse();
    le
}

/// BLS12_G1ADD (0x0b): 375 gas; input two G1 points (256 bytes), no subgroup check.
pub(crate) fn g1_add(input: &[u8], gas: u64) -> Outcome {
    if input.len() != 2 * G1_LEN {
        return Outcome::Failure;
    }
    if G1ADD_COST > gas {
        return Outcome::OutOfGas;
    }
    let (Some(a), Some(b)) = (g1(&input[..G1_LEN], false), g1(&input[G1_LEN..], false)) else {
        return Outcome::Failure;
    };
    let (a, b) = (g1_from_affine(&a), g1_from_affine(&b));
    let mut sum = blst_p1::default();
    // SAFETY: all three are valid projective points; add_or_double handles equal points and
    // infinity.
    unsafe { blst_p1_add_or_double(&mut sum, &a, &b) };
    Outcome::charged(gas, G1ADD_COST, encode_g1(&sum))
}

/// BLS12_G2ADD (0x0d): 600 gas; input two G2 points (512 bytes), no subgroup check.
pub(crate) fn g2_add(input: &[u8], gas: u64) -> Outcome {
    if input.len() != 2 * G2_LEN {
        return Outcome::Failure;
    }
    if G2ADD_COST > gas {
        return Outcome::OutOfGas;
    }
    let (Some(a), Some(b)) = (g2(&input[..G2_LEN], false), g2(&input[G2_LEN..], false)) else {
        return Outcome::Failure;
    };
    let (a, b) = (g2_from_affine(&a), g2_from_affine(&b));
    let mut sum = blst_p2::default();
    // SAFETY: as in `g1_add`.
    unsafe { blst_p2_add_or_double(&mut sum, &a, &b) };
    Outcome::charged(gas, G2ADD_COST, encode_g2(&sum))
}

/// BLS12_G1MSM (0x0c): k pairs of (G1 point, scalar), 160 bytes each, k >= 1; points must be in
/// G1. Gas k * 12000 * discount(k) / 1000.
pub(crate) fn g1_msm(input: &[u8], gas: u64) -> Outcome {
    let pair = G1_LEN + SCALAR_LEN;
    if input.is_empty() || input.len() % pair != 0 {
        return Outcome::Failure;
    }
    let k = input.len() / pair;
    let cost = msm_cost(k, G1MUL_COST, &G1_DISCOUNT, G1_MAX_DISCOUNT);
    if cost > gas {
        return Outcome::OutOfGas;
    }
    let mut points = Vec::with_capacity(k);
    let mut scalars = Vec::with_capacity(k * SCALAR_LEN);
    for chunk in input.chunks_exact(pair) {
        let Some(p) = g1(&chunk[..G1_LEN], true) else {
            return Outcome::Failure;
        };
        let s = &chunk[G1_LEN..];
        // Terms with the point at infinity or a zero scalar contribute nothing.
        if p != blst_p1_affine::default() && s.iter().any(|&b| b != 0) {
            points.push(p);
            scalars.extend_from_slice(&scalar_le(s));
        }
    }
    let mut acc = blst_p1::default();
    if !points.is_empty() {
        let words = scratch_words(
            // SAFETY: a pure size computation.
            unsafe { blst_p1s_mult_pippenger_scratch_sizeof(points.len()) },
        );
        let mut scratch: Vec<limb_t> = vec![0; words];
        let point_ptrs = [points.as_ptr(), std::ptr::null()];
        let scalar_ptrs = [scalars.as_ptr(), std::ptr::null()];
        // SAFETY: with a null second entry blst reads `points.len()` contiguous affine points
        // (valid, in G1, not infinity) and as many contiguous 32-byte little-endian scalars (256
        // bits each, any size); `scratch` has the size blst asked for; `acc` is written.
        unsafe {
            blst_p1s_mult_pippenger(
                &mut acc,
                point_ptrs.as_ptr(),
                points.len(),
                scalar_ptrs.as_ptr(),
                256,
                scratch.as_mut_ptr(),
            );
        }
    }
    Outcome::charged(gas, cost, encode_g1(&acc))
}

/// BLS12_G2MSM (0x0e): k pairs of (G2 point, scalar), 288 bytes each, k >= 1; points must be in
/// G2. Gas k * 22500 * discount(k) / 1000.
pub(crate) fn g2_msm(input: &[u8], gas: u64) -> Outcome {
    let pair = G2_LEN + SCALAR_LEN;
    if input.is_empty() || input.len() % pair != 0 {
        return Outcome::Failure;
    }
    let k = input.len() / pair;
    let cost = msm_cost(k, G2MUL_COST, &G2_DISCOUNT, G2_MAX_DISCOUNT);
    if cost > gas {
        return Outcome::OutOfGas;
    }
    let mut points = Vec::with_capacity(k);
    let mut scalars = Vec::with_capacity(k * SCALAR_LEN);
    for chunk in input.chunks_exact(pair) {
        let Some(p) = g2(&chunk[..G2_LEN], true) else {
            return Outcome::Failure;
        };
        let s = &chunk[G2_LEN..];
        if p != blst_p2_affine::default() && s.iter().any(|&b| b != 0) {
            points.push(p);
            scalars.extend_from_slice(&scalar_le(s));
        }
    }
    let mut acc = blst_p2::default();
    if !points.is_empty() {
        let words = scratch_words(
            // SAFETY: a pure size computation.
            unsafe { blst_p2s_mult_pippenger_scratch_sizeof(points.len()) },
        );
        let mut scratch: Vec<limb_t> = vec![0; words];
        let point_ptrs = [points.as_ptr(), std::ptr::null()];
        let scalar_ptrs = [scalars.as_ptr(), std::ptr::null()];
        // SAFETY: as in `g1_msm`, for G2.
        unsafe {
            blst_p2s_mult_pippenger(
                &mut acc,
                point_ptrs.as_ptr(),
                points.len(),
                scalar_ptrs.as_ptr(),
                256,
                scratch.as_mut_ptr(),
            );
        }
    }
    Outcome::charged(gas, cost, encode_g2(&acc))
}

/// Whether the product of `e(p, q)` over `pairs` (points on their curves and in their
/// subgroups) is one. A pair with a point at infinity (all-zero affine coordinates)
/// contributes 1.
pub(crate) fn pairing_product_is_one(pairs: &[(blst_p1_affine, blst_p2_affine)]) -> bool {
    // SAFETY: blst_fp12_one returns a pointer to a static constant.
    let mut acc: blst_fp12 = unsafe { *blst_fp12_one() };
    for (p, q) in pairs {
        let zero_p = *p == blst_p1_affine::default();
        let zero_q = *q == blst_p2_affine::default();
        if zero_p || zero_q {
            // e(O, Q) = e(P, O) = 1.
            continue;
        }
        let mut ml = blst_fp12::default();
        // SAFETY: `p` and `q` are valid subgroup points (not infinity); `ml`, `acc` are valid.
        unsafe {
            blst_miller_loop(&mut ml, q, p);
            let prev = acc;
            blst_fp12_mul(&mut acc, &prev, &ml);
        }
    }
    let mut fin = blst_fp12::default();
    // SAFETY: `acc` and `fin` are valid Fp12 values.
    unsafe {
        blst_final_exp(&mut fin, &acc);
        blst_fp12_is_one(&fin)
    }
}

/// BLS12_PAIRING_CHECK (0x0f): k pairs of (G1, G2) points, 384 bytes each, k >= 1, all in their
/// subgroups. Gas 32600k + 37700. Output the word 1 if the product of pairings is one, else 0.
pub(crate) fn pairing(input: &[u8], gas: u64) -> Outcome {
    let pair = G1_LEN + G2_LEN;
    if input.is_empty() || input.len() % pair != 0 {
        return Outcome::Failure;
    }
    let k = (input.len() / pair) as u64;
    let cost = PAIRING_PER_PAIR_COST * k + PAIRING_BASE_COST;
    if cost > gas {
        return Outcome::OutOfGas;
    }
    let mut pairs = Vec::with_capacity(k as usize);
    for chunk in input.chunks_exact(pair) {
        let (Some(p), Some(q)) = (g1(&chunk[..G1_LEN], true), g2(&chunk[G1_LEN..], true)) else {
            return Outcome::Failure;
        };
        pairs.push((p, q));
    }
    let one = pairing_product_is_one(&pairs);
    let mut out = vec![0u8; 32];
    out[31] = u8::from(one);
    Outcome::charged(gas, cost, out)
}

/// BLS12_MAP_FP_TO_G1 (0x10): 5500 gas; maps a 64-byte field element to G1 (SSWU map and cofactor
/// clearing, RFC 9380 without hashing).
pub(crate) fn map_fp_to_g1(input: &[u8], gas: u64) -> Outcome {
    if input.len() != FP_LEN {
        return Outcome::Failure;
    }
    if MAP_FP_TO_G1_COST > gas {
        return Outcome::OutOfGas;
    }
    let Some(u) = fp(input) else {
        return Outcome::Failure;
    };
    let mut p = blst_p1::default();
    // SAFETY: `u` is a valid field element; a null `v` asks for the single-element map.
    unsafe { blst_map_to_g1(&mut p, &u, std::ptr::null()) };
    Outcome::charged(gas, MAP_FP_TO_G1_COST, encode_g1(&p))
}

/// BLS12_MAP_FP2_TO_G2 (0x11): 23800 gas; maps a 128-byte Fp2 element to G2.
pub(crate) fn map_fp2_to_g2(input: &[u8], gas: u64) -> Outcome {
    if input.len() != 2 * FP_LEN {
        return Outcome::Failure;
    }
    if MAP_FP2_TO_G2_COST > gas {
        return Outcome::OutOfGas;
    }
    let Some(u) = fp2(input) else {
        return Outcome::Failure;
    };
    let mut p = blst_p2::default();
    // SAFETY: as in `map_fp_to_g1`, for Fp2 and G2.
    unsafe { blst_map_to_g2(&mut p, &u, std::ptr::null()) };
    Outcome::charged(gas, MAP_FP2_TO_G2_COST, encode_g2(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msm_gas() {
        assert_eq!(
            msm_cost(1, G1MUL_COST, &G1_DISCOUNT, G1_MAX_DISCOUNT),
            12_000
        );
        assert_eq!(
            msm_cost(2, G1MUL_COST, &G1_DISCOUNT, G1_MAX_DISCOUNT),
            2 * 12_000 * 949 / 1000
        );
        assert_eq!(
            msm_cost(128, G1MUL_COST, &G1_DISCOUNT, G1_MAX_DISCOUNT),
            128 * 12 * 519
        );
        assert_eq!(
            msm_cost(200, G1MUL_COST, &G1_DISCOUNT, G1_MAX_DISCOUNT),
            200 * 12 * 519
        );
        assert_eq!(
            msm_cost(1, G2MUL_COST, &G2_DISCOUNT, G2_MAX_DISCOUNT),
            22_500
        );
        assert_eq!(
            msm_cost(2, G2MUL_COST, &G2_DISCOUNT, G2_MAX_DISCOUNT),
            45_000
        );
        assert_eq!(
            msm_cost(129, G2MUL_COST, &G2_DISCOUNT, G2_MAX_DISCOUNT),
            129 * 22_500 * 524 / 1000
        );
    }

    #[test]
    fn field_element_bounds() {
        let mut e = [0u8; 64];
        e[16..].copy_from_slice(&P);
        assert!(fp(&e).is_none(), "p itself is not a field element");
        e[63] -= 1;
        assert!(fp(&e).is_some(), "p - 1 is");
        let mut top = [0u8; 64];
        top[15] = 1;
        assert!(fp(&top).is_none(), "top 16 bytes must be zero");
    }

    #[test]
    fn map_and_add_round_trip() {
        // Map two field elements to G1, add them in both orders, and double one.
        let mut u = [0u8; 64];
        u[63] = 5;
        let Outcome::Ok { output: a, .. } = map_fp_to_g1(&u, 10_000) else {
            panic!("map failed")
        };
        u[63] = 6;
        let Outcome::Ok { output: b, .. } = map_fp_to_g1(&u, 10_000) else {
            panic!("map failed")
        };
        let ab = g1_add(&[a.clone(), b.clone()].concat(), 375);
        let ba = g1_add(&[b.clone(), a.clone()].concat(), 375);
        assert_eq!(ab, ba);
        // P + 0 = P; P + P = 2P = MSM(P, 2).
        assert_eq!(
            g1_add(&[a.clone(), vec![0u8; 128]].concat(), 375),
            Outcome::Ok {
                cost: 375,
                output: a.clone()
            }
        );
        let Outcome::Ok {
            output: doubled, ..
        } = g1_add(&[a.clone(), a.clone()].concat(), 375)
        else {
            panic!("add failed")
        };
        let mut two = [0u8; 32];
        two[31] = 2;
        assert_eq!(
            g1_msm(&[a.clone(), two.to_vec()].concat(), 12_000),
            Outcome::Ok {
                cost: 12_000,
                output: doubled
            }
        );
        assert_eq!(g1_add(&[a.clone(), b].concat(), 374), Outcome::OutOfGas);
        assert_eq!(g1_add(&a, 375), Outcome::Failure);
    }

    fn ok(o: Outcome) -> Vec<u8> {
        match o {
            Outcome::Ok { output, .. } => output,
            other => panic!("expected success, got {other:?}"),
        }
    }

    /// Deterministic 256-bit scalars, including all-ones and values above the group order.
    fn scalar(i: usize) -> [u8; 32] {
        let mut s = [0u8; 32];
        for (j, b) in s.iter_mut().enumerate() {
            *b = (i as u8)
                .wrapping_mul(31)
                .wrapping_add((j as u8).wrapping_mul(97))
                ^ 0x5a;
        }
        if i % 7 == 0 {
            s = [0xff; 32];
        }
        s
    }

    /// MSM over k pairs (the multi-point algorithms) equals the sum of k single
    /// multiplications (the single-point algorithm), for G1 and G2, with duplicate points,
    /// infinity and zero scalars mixed in.
    #[test]
    fn msm_matches_sum_of_single_multiplications() {
        for k in [2usize, 5, 31, 40] {
            let mut g1_input = Vec::new();
            let mut g2_input = Vec::new();
            let mut g1_sum = vec![0u8; G1_LEN];
            let mut g2_sum = vec![0u8; G2_LEN];
            for i in 0..k {
                let mut u = [0u8; 64];
                u[63] = (i % 9) as u8 + 1; // repeats points
                let p1 = if i % 11 == 3 {
                    vec![0u8; G1_LEN]
                } else {
                    ok(map_fp_to_g1(&u, u64::MAX))
                };
                let p2 = ok(map_fp2_to_g2(&[u, u].concat(), u64::MAX));
                let s = if i % 13 == 4 { [0u8; 32] } else { scalar(i) };
                let one1 = ok(g1_msm(&[&p1[..], &s].concat(), u64::MAX));
                let one2 = ok(g2_msm(&[&p2[..], &s].concat(), u64::MAX));
                g1_sum = ok(g1_add(&[g1_sum, one1].concat(), u64::MAX));
                g2_sum = ok(g2_add(&[g2_sum, one2].concat(), u64::MAX));
                g1_input.extend_from_slice(&p1);
                g1_input.extend_from_slice(&s);
                g2_input.extend_from_slice(&p2);
                g2_input.extend_from_slice(&s);
            }
            assert_eq!(ok(g1_msm(&g1_input, u64::MAX)), g1_sum, "G1, k = {k}");
            assert_eq!(ok(g2_msm(&g2_input, u64::MAX)), g2_sum, "G2, k = {k}");
        }
    }
}
