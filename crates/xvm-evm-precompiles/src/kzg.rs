//! KZG point evaluation (0x0a, EIP-4844).

use crate::Outcome;
use c_kzg::{Bytes32, Bytes48, KzgSettings};
use sha2::{Digest, Sha256};

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

/// The mainnet trusted setup shipped with c-kzg (loaded once, on first use).
fn settings() -> &'static KzgSettings {
    c_kzg::ethereum_kzg_settings(0)
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
    let (Ok(z), Ok(y), Ok(c), Ok(proof)) = (
        Bytes32::from_bytes(&input[32..64]),
        Bytes32::from_bytes(&input[64..96]),
        Bytes48::from_bytes(commitment),
        Bytes48::from_bytes(&input[144..192]),
    ) else {
        return false;
    };
    // An error (e.g. z or y not canonical, a point not in G1) is a failure like a false proof.
    matches!(settings().verify_kzg_proof(&c, &z, &y, &proof), Ok(true))
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
        let commitment = settings().blob_to_kzg_commitment(&blob).unwrap();
        let mut z = [0u8; 32];
        z[31] = 42;
        let (proof, y) = settings()
            .compute_kzg_proof(&blob, &Bytes32::from_bytes(&z).unwrap())
            .unwrap();
        let mut input = Vec::new();
        input.extend_from_slice(&versioned_hash(&commitment[..]));
        input.extend_from_slice(&z);
        input.extend_from_slice(&y[..]);
        input.extend_from_slice(&commitment[..]);
        input.extend_from_slice(&proof[..]);
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
