//! ECADD, ECMUL and ECPAIRING (arkworks inside) against a second BN254 implementation,
//! substrate-bn, on pseudo-random points and scalars: same output bytes, same verdicts, and the
//! same rejections (a G2 point on the curve but outside the r-torsion subgroup).

use ark_bn254::{Fq2, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use bn::{AffineG1, AffineG2, Fr, Group, G1, G2};
use xvm_evm::{Address, Revision, StatusCode};
use xvm_evm_precompiles::execute;

fn addr(n: u8) -> Address {
    Address::with_last_byte(n)
}

/// xorshift64*: a fixed, dependency-free stream of test numbers.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn bytes32(&mut self) -> [u8; 32] {
        let mut b = [0u8; 32];
        for c in b.chunks_mut(8) {
            c.copy_from_slice(&self.next().to_be_bytes());
        }
        b
    }
    fn fr(&mut self) -> Fr {
        Fr::from_slice(&self.bytes32()).unwrap_or_else(|_| Fr::one())
    }
}

fn enc_g1(p: G1) -> Vec<u8> {
    let mut out = vec![0u8; 64];
    if let Some(a) = AffineG1::from_jacobian(p) {
        a.x().to_big_endian(&mut out[..32]).unwrap();
        a.y().to_big_endian(&mut out[32..]).unwrap();
    }
    out
}

fn enc_g2(p: G2) -> Vec<u8> {
    let mut out = vec![0u8; 128];
    if let Some(a) = AffineG2::from_jacobian(p) {
        a.x().imaginary().to_big_endian(&mut out[..32]).unwrap();
        a.x().real().to_big_endian(&mut out[32..64]).unwrap();
        a.y().imaginary().to_big_endian(&mut out[64..96]).unwrap();
        a.y().real().to_big_endian(&mut out[96..]).unwrap();
    }
    out
}

fn ok_output(precompile: u8, input: &[u8]) -> Vec<u8> {
    let r = execute(&addr(precompile), input, 10_000_000, Revision::Cancun);
    assert_eq!(r.status, StatusCode::Success, "{}", hex::encode(input));
    r.output.to_vec()
}

#[test]
fn add_and_mul_match_substrate_bn() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..64 {
        let (a, b) = (G1::one() * rng.fr(), G1::one() * rng.fr());
        // Now and then the point at infinity, a doubling and an inverse pair.
        let b = match i % 8 {
            0 => G1::zero(),
            1 => a,
            2 => -a,
            _ => b,
        };
        let input = [enc_g1(a), enc_g1(b)].concat();
        assert_eq!(ok_output(6, &input), enc_g1(a + b), "add #{i}");
        // Any 256-bit scalar: above the group order as often as not.
        let s = rng.bytes32();
        let want = a * Fr::from_slice(&s).unwrap_or_else(|_| {
            // substrate-bn refuses s >= r; s mod r multiplies alike (r·P is infinity).
            let r = ark_bn254::Fr::from_be_bytes_mod_order(&s)
                .into_bigint()
                .to_bytes_be();
            Fr::from_slice(&r).unwrap()
        });
        let input = [enc_g1(a), s.to_vec()].concat();
        assert_eq!(ok_output(7, &input), enc_g1(want), "mul #{i}");
    }
}

#[test]
fn pairing_verdicts_match_substrate_bn() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for i in 0..12 {
        let (a, b) = (rng.fr(), rng.fr());
        // e(aP, bQ) · e(-(ab)P, Q) = 1; with a wrong factor it is not.
        let good = [
            enc_g1(G1::one() * a),
            enc_g2(G2::one() * b),
            enc_g1(-(G1::one() * (a * b))),
            enc_g2(G2::one()),
        ]
        .concat();
        let mut out = vec![0u8; 32];
        out[31] = 1;
        assert_eq!(ok_output(8, &good), out, "pair #{i}");
        let c = rng.fr();
        let pairs = vec![
            (G1::one() * a, G2::one() * b),
            (-(G1::one() * c), G2::one()),
        ];
        let want = bn::pairing_batch(&pairs) == bn::Gt::one();
        let bad = [
            enc_g1(pairs[0].0),
            enc_g2(pairs[0].1),
            enc_g1(pairs[1].0),
            enc_g2(pairs[1].1),
        ]
        .concat();
        out[31] = u8::from(want);
        assert_eq!(ok_output(8, &bad), out, "mismatch #{i}");
        assert!(!want);
    }
}

#[test]
fn g2_outside_the_subgroup_is_refused_by_both() {
    let mut rng = Rng(42);
    let mut found = 0;
    while found < 4 {
        let x = Fq2::new(
            ark_bn254::Fq::from_be_bytes_mod_order(&rng.bytes32()),
            ark_bn254::Fq::from_be_bytes_mod_order(&rng.bytes32()),
        );
        let Some(p) = G2Affine::get_point_from_x_unchecked(x, false) else {
            continue;
        };
        assert!(p.is_on_curve());
        found += 1;
        let (px, py) = p.xy().unwrap();
        let mut g2 = Vec::new();
        for v in [px.c1, px.c0, py.c1, py.c0] {
            g2.extend_from_slice(&v.into_bigint().to_bytes_be());
        }
        let fq = |b: &[u8]| bn::Fq::from_slice(b).unwrap();
        let substrate = AffineG2::new(
            bn::Fq2::new(fq(&g2[32..64]), fq(&g2[..32])),
            bn::Fq2::new(fq(&g2[96..]), fq(&g2[64..96])),
        );
        assert!(substrate.is_err(), "substrate-bn takes it");
        let input = [enc_g1(G1::one()), g2].concat();
        let r = execute(&addr(8), &input, 10_000_000, Revision::Cancun);
        assert_eq!(r.status, StatusCode::PrecompileFailure);
        assert_eq!(r.gas_left, 0);
    }
}
