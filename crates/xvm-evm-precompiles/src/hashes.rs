//! SHA256 (0x02), RIPEMD160 (0x03) and IDENTITY (0x04).

use crate::{words, Outcome};
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};

/// SHA256: 60 + 12 per word.
pub(crate) fn sha256(input: &[u8], gas: u64) -> Outcome {
    let cost = 60 + 12 * words(input.len());
    if cost > gas {
        return Outcome::OutOfGas;
    }
    Outcome::charged(gas, cost, Sha256::digest(input).to_vec())
}

/// RIPEMD160: 600 + 120 per word; the 20-byte digest left-padded to 32 bytes.
pub(crate) fn ripemd160(input: &[u8], gas: u64) -> Outcome {
    let cost = 600 + 120 * words(input.len());
    if cost > gas {
        return Outcome::OutOfGas;
    }
    let mut out = vec![0u8; 32];
    out[12..].copy_from_slice(&Ripemd160::digest(input));
    Outcome::charged(gas, cost, out)
}

/// IDENTITY: 15 + 3 per word; returns the input.
pub(crate) fn identity(input: &[u8], gas: u64) -> Outcome {
    let cost = 15 + 3 * words(input.len());
    // Checked before the copy: a call without the gas for a large input copies nothing.
    if cost > gas {
        return Outcome::OutOfGas;
    }
    Outcome::charged(gas, cost, input.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(o: Outcome) -> (u64, String) {
        match o {
            Outcome::Ok { cost, output } => (cost, hex::encode(output)),
            other => panic!("expected success, got {other:?}"),
        }
    }

    #[test]
    fn sha256_vectors() {
        assert_eq!(
            ok(sha256(b"", 100)),
            (
                60,
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".into()
            )
        );
        assert_eq!(
            ok(sha256(b"abc", 100)),
            (
                72,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into()
            )
        );
        assert_eq!(ok(sha256(&[0u8; 33], 84)).0, 84);
        assert_eq!(sha256(&[0u8; 33], 83), Outcome::OutOfGas);
    }

    #[test]
    fn ripemd160_vectors() {
        assert_eq!(
            ok(ripemd160(b"", 600)),
            (
                600,
                "0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31".into()
            )
        );
        assert_eq!(
            ok(ripemd160(b"abc", 1000)),
            (
                720,
                "0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc".into()
            )
        );
        assert_eq!(ripemd160(b"abc", 719), Outcome::OutOfGas);
    }

    #[test]
    fn identity_vectors() {
        assert_eq!(ok(identity(b"", 15)), (15, String::new()));
        assert_eq!(ok(identity(&[7u8; 64], 21)), (21, "07".repeat(64)));
        assert_eq!(identity(&[7u8; 65], 23), Outcome::OutOfGas);
        assert_eq!(ok(identity(&[7u8; 65], 24)).0, 24);
    }
}
