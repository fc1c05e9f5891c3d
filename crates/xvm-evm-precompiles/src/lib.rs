//! Ethereum precompiled contracts (0x01..0x11, 0x100) per revision.
//!
//! | address | name | since |
//! |---|---|---|
//! | 0x01 | ECRECOVER | Frontier |
//! | 0x02 | SHA256 | Frontier |
//! | 0x03 | RIPEMD160 | Frontier |
//! | 0x04 | IDENTITY | Frontier |
//! | 0x05 | MODEXP (EIP-198, EIP-2565, EIP-7823, EIP-7883) | Byzantium |
//! | 0x06 | BN254 ADD (EIP-196, EIP-1108) | Byzantium |
//! | 0x07 | BN254 MUL (EIP-196, EIP-1108) | Byzantium |
//! | 0x08 | BN254 PAIRING (EIP-197, EIP-1108) | Byzantium |
//! | 0x09 | BLAKE2F (EIP-152) | Istanbul |
//! | 0x0a | KZG POINT EVALUATION (EIP-4844) | Cancun |
//! | 0x0b..0x11 | BLS12-381 (EIP-2537) | Prague |
//! | 0x100 | P256VERIFY (EIP-7951) | Osaka |
//!
//! Every precompile is a pure function of its input, the gas available and the revision: see
//! [`execute`].

#![deny(missing_docs)]

use xvm_evm::{Address, Bytes, ExecResult, Revision, StatusCode};

mod blake2f;
mod bls12_381;
mod bn254;
mod ecrecover;
mod hashes;
mod kzg;
mod modexp;
mod p256verify;

/// The highest "small" precompile address (its last byte) active in `rev`, 0 if none.
fn last_small_address(rev: Revision) -> u8 {
    if rev >= Revision::Prague {
        0x11
    } else if rev >= Revision::Cancun {
        0x0a
    } else if rev >= Revision::Istanbul {
        0x09
    } else if rev >= Revision::Byzantium {
        0x08
    } else {
        0x04
    }
}

/// The P256VERIFY address (EIP-7951): 0x0000...0100.
const P256VERIFY_ADDRESS: Address = {
    let mut a = [0u8; 20];
    a[18] = 0x01;
    Address::new(a)
};

/// The precompile number of `addr` if its first 18 bytes are zero (0..=0xffff), else `None`.
fn low_number(addr: &Address) -> Option<u16> {
    let b = addr.as_slice();
    if b[..18].iter().all(|&x| x == 0) {
        Some(u16::from_be_bytes([b[18], b[19]]))
    } else {
        None
    }
}

/// Whether `addr` is a precompile in `rev` (the set grows by fork: 0x01-0x04 Frontier; 0x05-0x08
/// Byzantium; 0x09 Istanbul; 0x0a Cancun (KZG point evaluation); 0x0b-0x11 Prague (BLS12-381,
/// EIP-2537); 0x100 Osaka (P256VERIFY, EIP-7951)).
pub fn is_precompile(addr: &Address, rev: Revision) -> bool {
    match low_number(addr) {
        Some(0) | None => false,
        Some(0x100) => rev >= Revision::Osaka,
        Some(n) => n <= u16::from(last_small_address(rev)),
    }
}

/// All precompile addresses active in `rev`, in ascending order (for EIP-2929 pre-warming).
pub fn addresses(rev: Revision) -> Vec<Address> {
    let mut out: Vec<Address> = (1..=last_small_address(rev))
        .map(Address::with_last_byte)
        .collect();
    if rev >= Revision::Osaka {
        out.push(P256VERIFY_ADDRESS);
    }
    out
}

/// How a precompile run ended, before it is turned into an [`ExecResult`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Success with this gas cost and output.
    Ok { cost: u64, output: Vec<u8> },
    /// The cost exceeded the gas available.
    OutOfGas,
    /// The input was invalid (all gas is consumed).
    Failure,
}

impl Outcome {
    /// Success with `cost` and `output`, or out of gas when `cost > gas`.
    pub(crate) fn charged(gas: u64, cost: u64, output: Vec<u8>) -> Outcome {
        if cost > gas {
            Outcome::OutOfGas
        } else {
            Outcome::Ok { cost, output }
        }
    }
}

/// Runs the precompile at `addr` (the caller guarantees [`is_precompile`]) with `input` and `gas`
/// available.
///
/// Success: status Success, `gas_left = gas - cost`, the output. Not enough gas or invalid input:
/// status OutOfGas or PrecompileFailure with `gas_left` 0 and an empty output (the caller treats
/// any non-success as consuming all gas and reverting). `gas_refund` is 0 and `create_address`
/// `None` in every case. An address that is not a precompile in `rev` yields PrecompileFailure.
pub fn execute(addr: &Address, input: &[u8], gas: i64, rev: Revision) -> ExecResult {
    if !is_precompile(addr, rev) {
        return ExecResult::failure(StatusCode::PrecompileFailure);
    }
    let Ok(gas_u) = u64::try_from(gas) else {
        return ExecResult::failure(StatusCode::OutOfGas);
    };
    let outcome = match low_number(addr).unwrap_or(0) {
        0x01 => ecrecover::run(input, gas_u),
        0x02 => hashes::sha256(input, gas_u),
        0x03 => hashes::ripemd160(input, gas_u),
        0x04 => hashes::identity(input, gas_u),
        0x05 => modexp::run(input, gas_u, rev),
        0x06 => bn254::add(input, gas_u, rev),
        0x07 => bn254::mul(input, gas_u, rev),
        0x08 => bn254::pairing(input, gas_u, rev),
        0x09 => blake2f::run(input, gas_u),
        0x0a => kzg::point_evaluation(input, gas_u),
        0x0b => bls12_381::g1_add(input, gas_u),
        0x0c => bls12_381::g1_msm(input, gas_u),
        0x0d => bls12_381::g2_add(input, gas_u),
        0x0e => bls12_381::g2_msm(input, gas_u),
        0x0f => bls12_381::pairing(input, gas_u),
        0x10 => bls12_381::map_fp_to_g1(input, gas_u),
        0x11 => bls12_381::map_fp2_to_g2(input, gas_u),
        0x100 => p256verify::run(input, gas_u),
        _ => Outcome::Failure,
    };
    match outcome {
        Outcome::Ok { cost, output } => ExecResult {
            status: StatusCode::Success,
            // cost <= gas_u <= i64::MAX, so this cannot wrap.
            gas_left: gas - cost as i64,
            gas_refund: 0,
            output: Bytes::from(output),
            create_address: None,
        },
        Outcome::OutOfGas => ExecResult::failure(StatusCode::OutOfGas),
        Outcome::Failure => ExecResult::failure(StatusCode::PrecompileFailure),
    }
}

/// Number of 32-byte words needed for `len` bytes.
pub(crate) fn words(len: usize) -> u64 {
    (len as u64).div_ceil(32)
}

/// `input[offset..offset + N]`, zero-padded where the input is shorter.
pub(crate) fn padded<const N: usize>(input: &[u8], offset: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if offset < input.len() {
        let end = input.len().min(offset.saturating_add(N));
        out[..end - offset].copy_from_slice(&input[offset..end]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(n: u16) -> Address {
        let mut b = [0u8; 20];
        b[18..].copy_from_slice(&n.to_be_bytes());
        Address::new(b)
    }

    #[test]
    fn precompile_sets_per_fork() {
        let count = |rev| addresses(rev).len();
        assert_eq!(count(Revision::Frontier), 4);
        assert_eq!(count(Revision::SpuriousDragon), 4);
        assert_eq!(count(Revision::Byzantium), 8);
        assert_eq!(count(Revision::Petersburg), 8);
        assert_eq!(count(Revision::Istanbul), 9);
        assert_eq!(count(Revision::Shanghai), 9);
        assert_eq!(count(Revision::Cancun), 10);
        assert_eq!(count(Revision::Prague), 17);
        assert_eq!(count(Revision::Osaka), 18);
        assert_eq!(*addresses(Revision::Osaka).last().unwrap(), a(0x100));
        for rev in Revision::ALL {
            for addr in addresses(rev) {
                assert!(is_precompile(&addr, rev));
            }
            assert!(!is_precompile(&a(0), rev));
            assert!(!is_precompile(&a(0x12), rev));
            assert!(!is_precompile(&a(0x101), rev));
            assert!(!is_precompile(&a(0x200), rev));
        }
        assert!(!is_precompile(&a(5), Revision::SpuriousDragon));
        assert!(is_precompile(&a(5), Revision::Byzantium));
        assert!(!is_precompile(&a(9), Revision::Petersburg));
        assert!(is_precompile(&a(9), Revision::Istanbul));
        assert!(!is_precompile(&a(0x0a), Revision::Shanghai));
        assert!(is_precompile(&a(0x0a), Revision::Cancun));
        assert!(!is_precompile(&a(0x0b), Revision::Cancun));
        assert!(is_precompile(&a(0x11), Revision::Prague));
        assert!(!is_precompile(&a(0x100), Revision::Prague));
        assert!(is_precompile(&a(0x100), Revision::Osaka));
        let mut high = [0u8; 20];
        high[0] = 1;
        high[19] = 1;
        assert!(!is_precompile(&Address::new(high), Revision::Osaka));
    }

    #[test]
    fn inactive_address_fails() {
        let r = execute(&a(5), &[], 1_000_000, Revision::Homestead);
        assert_eq!(r.status, StatusCode::PrecompileFailure);
        assert_eq!(r.gas_left, 0);
    }

    #[test]
    fn negative_gas_is_out_of_gas() {
        let r = execute(&a(4), &[], -5, Revision::Osaka);
        assert_eq!(r.status, StatusCode::OutOfGas);
        // Even a free call (BLAKE2F with zero rounds) needs non-negative gas.
        let mut zero_rounds = vec![0u8; 213];
        zero_rounds[212] = 1;
        assert_eq!(
            execute(&a(9), &zero_rounds, -1, Revision::Osaka).status,
            StatusCode::OutOfGas
        );
        let r = execute(&a(9), &zero_rounds, 0, Revision::Osaka);
        assert_eq!(
            (r.status, r.gas_left, r.output.len()),
            (StatusCode::Success, 0, 64)
        );
    }

    #[test]
    fn padding_helper() {
        assert_eq!(padded::<4>(&[1, 2, 3], 1), [2, 3, 0, 0]);
        assert_eq!(padded::<2>(&[1, 2, 3], 5), [0, 0]);
        assert_eq!(padded::<2>(&[1, 2, 3], usize::MAX), [0, 0]);
        assert_eq!(words(0), 0);
        assert_eq!(words(33), 2);
    }
}
