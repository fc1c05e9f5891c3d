//! CryptoLib (id -3): hashes, ECDSA verification on secp256r1/secp256k1 with SHA-256 or
//! Keccak-256, and the BLS12-381 operations zk verifiers are built from.

use super::{arg_bytes, arg_i64, NativeContract, NativeMethod, NativeResult};
use crate::crypto::{keccak256, murmur32, ripemd160, sha256, verify_prehash, Curve};
use crate::types::{call_flags as cf, ParamType as T};
use xvm_neovm::error::fault;
use xvm_neovm::StackItem;

/// CryptoLib's id.
pub const ID: i32 = -3;

/// `verifyWithECDsa` curve-and-hash selectors.
pub fn curve_hash(v: i64) -> Option<(Curve, bool)> {
    match v {
        22 => Some((Curve::Secp256k1, false)),
        23 => Some((Curve::Secp256r1, false)),
        122 => Some((Curve::Secp256k1, true)),
        123 => Some((Curve::Secp256r1, true)),
        _ => None,
    }
}

/// The native.
pub fn contract() -> NativeContract {
    let n = cf::NONE;
    let mut methods = vec![
        NativeMethod::new(
            "sha256",
            &[("data", T::ByteArray)],
            T::ByteArray,
            1 << 15,
            n,
            |_, _, _, a| NativeResult::value(StackItem::bytes(&sha256(&arg_bytes(&a, 0)?))),
        ),
        NativeMethod::new(
            "ripemd160",
            &[("data", T::ByteArray)],
            T::ByteArray,
            1 << 15,
            n,
            |_, _, _, a| NativeResult::value(StackItem::bytes(&ripemd160(&arg_bytes(&a, 0)?))),
        ),
        NativeMethod::new(
            "keccak256",
            &[("data", T::ByteArray)],
            T::ByteArray,
            1 << 15,
            n,
            |_, _, _, a| NativeResult::value(StackItem::bytes(&keccak256(&arg_bytes(&a, 0)?))),
        ),
        NativeMethod::new(
            "murmur32",
            &[("data", T::ByteArray), ("seed", T::Integer)],
            T::ByteArray,
            1 << 13,
            n,
            |_, _, _, a| {
                let seed = arg_i64(&a, 1)?;
                let seed = u32::try_from(seed).map_err(|_| fault("murmur32: seed out of range"))?;
                NativeResult::value(StackItem::bytes(
                    &murmur32(&arg_bytes(&a, 0)?, seed).to_le_bytes(),
                ))
            },
        ),
        NativeMethod::new(
            "verifyWithECDsa",
            &[
                ("message", T::ByteArray),
                ("pubkey", T::ByteArray),
                ("signature", T::ByteArray),
                ("curveHash", T::Integer),
            ],
            T::Boolean,
            1 << 15,
            n,
            |_, _, _, a| {
                let msg = arg_bytes(&a, 0)?;
                let key = arg_bytes(&a, 1)?;
                let sig = arg_bytes(&a, 2)?;
                let ch = arg_i64(&a, 3)?;
                let (curve, keccak) = curve_hash(ch)
                    .ok_or_else(|| fault(format!("verifyWithECDsa: unknown curveHash {ch}")))?;
                let digest = if keccak {
                    keccak256(&msg)
                } else {
                    sha256(&msg)
                };
                let ok = verify_prehash(curve, &digest, &key, &sig)
                    .map_err(|e| fault(format!("verifyWithECDsa: {}", e.0)))?;
                NativeResult::value(StackItem::Boolean(ok))
            },
        ),
    ];
    methods.extend(crate::bls::methods());
    NativeContract::new("CryptoLib", ID, methods)
}
