//! BLS12-381 operations of CryptoLib (bls12381Serialize/Deserialize/Equal/Add/Mul/Pairing) on
//! blst. Points travel as InteropInterface items; like Neo, deserialized points are affine,
//! results of Add/Mul are projective, and Equal compares only items of the same kind.
//! Gt encodes as Neo does: the 12 Fp coefficients from the highest (C1.c2.c1) down, each
//! 48 bytes big-endian.

use crate::native::{arg_bool, arg_bytes, NativeMethod, NativeResult};
use crate::syscalls::interop;
use crate::types::{call_flags as cf, ParamType as T};
use alloy_primitives::U256;
use blst::*;
use std::rc::Rc;
use xvm_neovm::error::{fault, VmError};
use xvm_neovm::StackItem;

/// A BLS12-381 value.
#[derive(Clone, Copy, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum BlsValue {
    /// A G1 point; `affine` tells Neo's type (G1Affine or G1Projective).
    G1 {
        /// The point.
        p: blst_p1,
        /// Affine (from deserialize) or projective (from arithmetic).
        affine: bool,
    },
    /// A G2 point.
    G2 {
        /// The point.
        p: blst_p2,
        /// Affine or projective.
        affine: bool,
    },
    /// A target-group element.
    Gt(blst_fp12),
}

/// The subgroup order r.
const R: U256 = alloy_primitives::uint!(
    0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001_U256
);

fn fp_from_be(b: &[u8]) -> Result<blst_fp, String> {
    let mut out = blst_fp::default();
    // The modulus check: blst_fp_from_bendian reduces silently, so compare the round trip.
    // SAFETY: `b` holds 48 bytes (callers slice it so) and `out` is a valid blst_fp.
    unsafe { blst_fp_from_bendian(&mut out, b.as_ptr()) };
    let mut back = [0u8; 48];
    // SAFETY: `back` has the 48 bytes blst writes.
    unsafe { blst_bendian_from_fp(back.as_mut_ptr(), &out) };
    if back != b {
        return Err("field element not below the modulus".into());
    }
    Ok(out)
}

/// Decodes bytes as Neo's bls12381Deserialize: 48 (G1), 96 (G2) or 576 (Gt) bytes.
pub fn deserialize(b: &[u8]) -> Result<BlsValue, String> {
    match b.len() {
        48 => {
            let mut a = blst_p1_affine::default();
            // SAFETY: `b` is 48 bytes, what blst_p1_uncompress reads; `a` is a valid output.
            let e = unsafe { blst_p1_uncompress(&mut a, b.as_ptr()) };
            // SAFETY: `a` was initialised above.
            if e != BLST_ERROR::BLST_SUCCESS || !unsafe { blst_p1_affine_in_g1(&a) } {
                return Err("invalid G1 point".into());
            }
            let mut p = blst_p1::default();
            // SAFETY: both are valid blst values.
            unsafe { blst_p1_from_affine(&mut p, &a) };
            Ok(BlsValue::G1 { p, affine: true })
        }
        96 => {
            let mut a = blst_p2_affine::default();
            // SAFETY: `b` is 96 bytes, what blst_p2_uncompress reads.
            let e = unsafe { blst_p2_uncompress(&mut a, b.as_ptr()) };
            // SAFETY: `a` was initialised above.
            if e != BLST_ERROR::BLST_SUCCESS || !unsafe { blst_p2_affine_in_g2(&a) } {
                return Err("invalid G2 point".into());
            }
            let mut p = blst_p2::default();
            // SAFETY: both are valid blst values.
            unsafe { blst_p2_from_affine(&mut p, &a) };
            Ok(BlsValue::G2 { p, affine: true })
        }
        576 => {
            let mut f = blst_fp12::default();
            let mut off = 0;
            for i in [1, 0] {
                for j in [2, 1, 0] {
                    for k in [1, 0] {
                        f.fp6[i].fp2[j].fp[k] = fp_from_be(&b[off..off + 48])?;
                        off += 48;
                    }
                }
            }
            Ok(BlsValue::Gt(f))
        }
        n => Err(format!("invalid BLS12-381 encoding of {n} bytes")),
    }
}

/// Encodes as Neo's bls12381Serialize (compressed points, 576-byte Gt).
pub fn serialize(v: &BlsValue) -> Vec<u8> {
    match v {
        BlsValue::G1 { p, .. } => {
            let mut out = [0u8; 48];
            // SAFETY: `out` has the 48 bytes blst writes; `p` is a valid point.
            unsafe { blst_p1_compress(out.as_mut_ptr(), p) };
            out.to_vec()
        }
        BlsValue::G2 { p, .. } => {
            let mut out = [0u8; 96];
            // SAFETY: `out` has the 96 bytes blst writes.
            unsafe { blst_p2_compress(out.as_mut_ptr(), p) };
            out.to_vec()
        }
        BlsValue::Gt(f) => {
            let mut out = Vec::with_capacity(576);
            for i in [1, 0] {
                for j in [2, 1, 0] {
                    for k in [1, 0] {
                        let mut b = [0u8; 48];
                        // SAFETY: `b` has the 48 bytes blst writes.
                        unsafe { blst_bendian_from_fp(b.as_mut_ptr(), &f.fp6[i].fp2[j].fp[k]) };
                        out.extend_from_slice(&b);
                    }
                }
            }
            out
        }
    }
}

/// Equality of two values of the same kind.
pub fn equal(a: &BlsValue, b: &BlsValue) -> Result<bool, String> {
    // SAFETY (all three): the arguments are valid blst values.
    match (a, b) {
        (BlsValue::G1 { p: x, affine: ax }, BlsValue::G1 { p: y, affine: ay }) if ax == ay => {
            Ok(unsafe { blst_p1_is_equal(x, y) })
        }
        (BlsValue::G2 { p: x, affine: ax }, BlsValue::G2 { p: y, affine: ay }) if ax == ay => {
            Ok(unsafe { blst_p2_is_equal(x, y) })
        }
        (BlsValue::Gt(x), BlsValue::Gt(y)) => Ok(unsafe { blst_fp12_is_equal(x, y) }),
        _ => Err("BLS12-381 type mismatch".into()),
    }
}

/// Group addition (multiplication in Gt).
pub fn add(a: &BlsValue, b: &BlsValue) -> Result<BlsValue, String> {
    // SAFETY (all three): inputs are valid blst values and the outputs are initialised.
    match (a, b) {
        (BlsValue::G1 { p: x, .. }, BlsValue::G1 { p: y, .. }) => {
            let mut o = blst_p1::default();
            unsafe { blst_p1_add_or_double(&mut o, x, y) };
            Ok(BlsValue::G1 {
                p: o,
                affine: false,
            })
        }
        (BlsValue::G2 { p: x, .. }, BlsValue::G2 { p: y, .. }) => {
            let mut o = blst_p2::default();
            unsafe { blst_p2_add_or_double(&mut o, x, y) };
            Ok(BlsValue::G2 {
                p: o,
                affine: false,
            })
        }
        (BlsValue::Gt(x), BlsValue::Gt(y)) => {
            let mut o = blst_fp12::default();
            unsafe { blst_fp12_mul(&mut o, x, y) };
            Ok(BlsValue::Gt(o))
        }
        _ => Err("BLS12-381 type mismatch".into()),
    }
}

/// Scalar multiplication by a 32-byte little-endian scalar (< r), negated when `neg`.
pub fn mul(a: &BlsValue, scalar_le: &[u8], neg: bool) -> Result<BlsValue, String> {
    if scalar_le.len() != 32 {
        return Err("the scalar must be 32 bytes".into());
    }
    let mut s = U256::from_le_slice(scalar_le);
    if s >= R {
        return Err("the scalar is not below the group order".into());
    }
    if neg && !s.is_zero() {
        s = R - s;
    }
    let bytes = s.to_le_bytes::<32>();
    // SAFETY (all): `bytes` holds 256 bits as blst reads them; points are valid.
    Ok(match a {
        BlsValue::G1 { p, .. } => {
            let mut o = blst_p1::default();
            unsafe { blst_p1_mult(&mut o, p, bytes.as_ptr(), 256) };
            BlsValue::G1 {
                p: o,
                affine: false,
            }
        }
        BlsValue::G2 { p, .. } => {
            let mut o = blst_p2::default();
            unsafe { blst_p2_mult(&mut o, p, bytes.as_ptr(), 256) };
            BlsValue::G2 {
                p: o,
                affine: false,
            }
        }
        BlsValue::Gt(f) => {
            let mut acc = unsafe { *blst_fp12_one() };
            for bit in (0..256).rev() {
                let mut sq = blst_fp12::default();
                unsafe { blst_fp12_sqr(&mut sq, &acc) };
                acc = sq;
                if s.bit(bit) {
                    let mut m = blst_fp12::default();
                    unsafe { blst_fp12_mul(&mut m, &acc, f) };
                    acc = m;
                }
            }
            BlsValue::Gt(acc)
        }
    })
}

/// The optimal ate pairing e(g1, g2).
pub fn pairing(g1: &BlsValue, g2: &BlsValue) -> Result<BlsValue, String> {
    let (BlsValue::G1 { p: p1, .. }, BlsValue::G2 { p: p2, .. }) = (g1, g2) else {
        return Err("pairing needs a G1 and a G2 point".into());
    };
    let mut a1 = blst_p1_affine::default();
    let mut a2 = blst_p2_affine::default();
    let mut ml = blst_fp12::default();
    let mut out = blst_fp12::default();
    // SAFETY: all values are valid and initialised; blst writes only the outputs.
    unsafe {
        blst_p1_to_affine(&mut a1, p1);
        blst_p2_to_affine(&mut a2, p2);
        blst_miller_loop(&mut ml, &a2, &a1);
        blst_final_exp(&mut out, &ml);
    }
    Ok(BlsValue::Gt(out))
}

fn arg_bls(args: &[StackItem], i: usize) -> Result<BlsValue, VmError> {
    match args.get(i) {
        Some(StackItem::Interop(o)) => o
            .value
            .clone()
            .downcast::<BlsValue>()
            .map(|v| *v)
            .map_err(|_| fault("BLS12-381 argument is not a BLS12-381 value")),
        _ => Err(fault("BLS12-381 argument is not an InteropInterface")),
    }
}

fn item(v: BlsValue) -> StackItem {
    let name = match v {
        BlsValue::G1 { affine: true, .. } => "G1Affine",
        BlsValue::G1 { .. } => "G1Projective",
        BlsValue::G2 { affine: true, .. } => "G2Affine",
        BlsValue::G2 { .. } => "G2Projective",
        BlsValue::Gt(_) => "Gt",
    };
    interop(name, Rc::new(v))
}

/// CryptoLib's BLS12-381 methods.
pub fn methods() -> Vec<NativeMethod> {
    let n = cf::NONE;
    let e = |m: String| fault(m);
    vec![
        NativeMethod::new(
            "bls12381Serialize",
            &[("g", T::InteropInterface)],
            T::ByteArray,
            1 << 19,
            n,
            |_, _, _, a| NativeResult::value(StackItem::bytes(&serialize(&arg_bls(&a, 0)?))),
        ),
        NativeMethod::new(
            "bls12381Deserialize",
            &[("data", T::ByteArray)],
            T::InteropInterface,
            1 << 19,
            n,
            move |_, _, _, a| {
                NativeResult::value(item(deserialize(&arg_bytes(&a, 0)?).map_err(e)?))
            },
        ),
        NativeMethod::new(
            "bls12381Equal",
            &[("x", T::InteropInterface), ("y", T::InteropInterface)],
            T::Boolean,
            1 << 5,
            n,
            move |_, _, _, a| {
                NativeResult::value(StackItem::Boolean(
                    equal(&arg_bls(&a, 0)?, &arg_bls(&a, 1)?).map_err(e)?,
                ))
            },
        ),
        NativeMethod::new(
            "bls12381Add",
            &[("x", T::InteropInterface), ("y", T::InteropInterface)],
            T::InteropInterface,
            1 << 19,
            n,
            move |_, _, _, a| {
                NativeResult::value(item(add(&arg_bls(&a, 0)?, &arg_bls(&a, 1)?).map_err(e)?))
            },
        ),
        NativeMethod::new(
            "bls12381Mul",
            &[
                ("x", T::InteropInterface),
                ("mul", T::ByteArray),
                ("neg", T::Boolean),
            ],
            T::InteropInterface,
            1 << 21,
            n,
            move |_, _, _, a| {
                NativeResult::value(item(
                    mul(&arg_bls(&a, 0)?, &arg_bytes(&a, 1)?, arg_bool(&a, 2)?).map_err(e)?,
                ))
            },
        ),
        NativeMethod::new(
            "bls12381Pairing",
            &[("g1", T::InteropInterface), ("g2", T::InteropInterface)],
            T::InteropInterface,
            1 << 23,
            n,
            move |_, _, _, a| {
                NativeResult::value(item(
                    pairing(&arg_bls(&a, 0)?, &arg_bls(&a, 1)?).map_err(e)?,
                ))
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g1() -> BlsValue {
        // SAFETY: blst's generator is a static valid point.
        BlsValue::G1 {
            p: unsafe { *blst_p1_generator() },
            affine: true,
        }
    }
    fn g2() -> BlsValue {
        // SAFETY: as above.
        BlsValue::G2 {
            p: unsafe { *blst_p2_generator() },
            affine: true,
        }
    }
    fn scalar(v: u64) -> Vec<u8> {
        U256::from(v).to_le_bytes::<32>().to_vec()
    }

    #[test]
    fn bilinearity_and_round_trips() {
        let (a, b) = (g1(), g2());
        let ser = serialize(&a);
        assert_eq!(ser.len(), 48);
        assert_eq!(hex::encode(&ser[..4]), "97f1d3a7");
        assert!(equal(&deserialize(&ser).unwrap(), &a).unwrap());
        let e = pairing(&a, &b).unwrap();
        let gt = serialize(&e);
        assert_eq!(gt.len(), 576);
        assert!(equal(&deserialize(&gt).unwrap(), &e).unwrap());
        // e(3a, b) == e(a, b)^3 == e(a, 3b)
        let lhs = pairing(&mul(&a, &scalar(3), false).unwrap(), &b).unwrap();
        let rhs = mul(&e, &scalar(3), false).unwrap();
        let rhs2 = pairing(&a, &mul(&b, &scalar(3), false).unwrap()).unwrap();
        assert!(equal(&lhs, &rhs).unwrap());
        assert!(equal(&lhs, &rhs2).unwrap());
        // a*3 + a*(-3) = infinity = a*0
        let p = add(
            &mul(&a, &scalar(3), false).unwrap(),
            &mul(&a, &scalar(3), true).unwrap(),
        )
        .unwrap();
        assert!(equal(&p, &mul(&a, &scalar(0), false).unwrap()).unwrap());
        assert!(equal(&a, &b).is_err());
        assert!(deserialize(&[0u8; 47]).is_err());
        let mut bad = ser.clone();
        bad[47] ^= 1;
        assert!(deserialize(&bad).is_err());
        assert!(mul(&a, &R.to_le_bytes::<32>(), false).is_err());
    }
}
