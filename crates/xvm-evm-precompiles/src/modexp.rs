//! MODEXP (0x05): arbitrary-precision modular exponentiation.
//!
//! Gas: EIP-198 (Byzantium..Istanbul), EIP-2565 (Berlin..Prague), EIP-7883 (Osaka). Osaka also
//! limits each length to 1024 bytes (EIP-7823). Lengths are 256-bit words from the input and can
//! be far larger than the input: bytes past the input read as zero, the gas is computed with
//! saturating arithmetic, and nothing is allocated from a length before its gas is paid.

use crate::{padded, Outcome};
use num_bigint::BigUint;
use xvm_evm::Revision;

/// EIP-7823 upper bound (bytes) on each of the base, exponent and modulus lengths (Osaka).
const OSAKA_MAX_LEN: u64 = 1024;

/// The largest modulus length (bytes) this implementation allocates an output for.
const MAX_OUTPUT_LEN: usize = 1 << 30;

/// A 32-byte big-endian word as u64, saturating at `u64::MAX`.
fn word_to_u64_saturating(w: &[u8; 32]) -> u64 {
    if w[..24].iter().any(|&b| b != 0) {
        u64::MAX
    } else {
        let mut b = [0u8; 8];
        b.copy_from_slice(&w[24..]);
        u64::from_be_bytes(b)
    }
}

/// `input[start..start + len]` clipped to the input (the part that exists; the rest is zeros).
fn present(input: &[u8], start: u64, len: u64) -> &[u8] {
    let n = input.len() as u64;
    if start >= n {
        return &[];
    }
    let end = start.saturating_add(len).min(n);
    &input[start as usize..end as usize]
}

/// The bit length of the first `min(32, exp_len)` bytes of the exponent, read as a big-endian
/// number (bytes past the input are zero).
fn exp_head_bits(input: &[u8], exp_start: u64, exp_len: u64) -> u64 {
    let head_len = exp_len.min(32);
    let bytes = present(input, exp_start, head_len);
    // The head is `bytes` followed by (head_len - bytes.len()) zero bytes.
    match bytes.iter().position(|&b| b != 0) {
        None => 0,
        Some(i) => {
            let lead = u64::from(8 - bytes[i].leading_zeros());
            lead + 8 * (head_len - i as u64 - 1)
        }
    }
}

/// The "adjusted exponent length" (iteration count before the max with 1), with `word_factor`
/// bits per exponent byte beyond the first 32 (8 for EIP-198/EIP-2565, 16 for EIP-7883).
fn adjusted_exp_len(exp_len: u64, head_bits: u64, word_factor: u128) -> u128 {
    let head = u128::from(head_bits.saturating_sub(1));
    if exp_len <= 32 {
        head
    } else {
        word_factor
            .saturating_mul(u128::from(exp_len - 32))
            .saturating_add(head)
    }
}

/// The gas cost for the given lengths under `rev`'s rules (saturating).
fn gas_cost(rev: Revision, base_len: u64, exp_len: u64, mod_len: u64, head_bits: u64) -> u64 {
    let max_len = u128::from(base_len.max(mod_len));
    let cost: u128 = if rev >= Revision::Osaka {
        let words = max_len.div_ceil(8);
        let complexity = if max_len <= 32 {
            16
        } else {
            2u128.saturating_mul(words.saturating_mul(words))
        };
        let iterations = adjusted_exp_len(exp_len, head_bits, 16).max(1);
        complexity.saturating_mul(iterations).max(500)
    } else if rev >= Revision::Berlin {
        let words = max_len.div_ceil(8);
        let complexity = words.saturating_mul(words);
        let iterations = adjusted_exp_len(exp_len, head_bits, 8).max(1);
        (complexity.saturating_mul(iterations) / 3).max(200)
    } else {
        let x = max_len;
        let complexity = if x <= 64 {
            x * x
        } else if x <= 1024 {
            x * x / 4 + 96 * x - 3072
        } else {
            // x < 2^64, so x*x/16 + 480x < 2^128.
            x * x / 16 + 480 * x - 199_680
        };
        let iterations = adjusted_exp_len(exp_len, head_bits, 8).max(1);
        complexity.saturating_mul(iterations) / 20
    };
    u64::try_from(cost).unwrap_or(u64::MAX)
}

/// `base^exp mod modulus` where each operand is the part present in the input followed by the
/// given number of zero bytes (so huge declared lengths cost no memory). `modulus` must be > 0.
fn mod_pow(base: &[u8], base_zeros: u64, exp: &[u8], exp_zeros: u64, modulus: &BigUint) -> BigUint {
    let mut b = BigUint::from_bytes_be(base) % modulus;
    if base_zeros > 0 {
        // base * 256^base_zeros (mod m).
        b = b * BigUint::from(256u32).modpow(&BigUint::from(base_zeros), modulus) % modulus;
    }
    let e = BigUint::from_bytes_be(exp);
    let mut r = b.modpow(&e, modulus);
    // exp * 256^exp_zeros: square the result 8 times per trailing zero byte. Paid for by gas
    // (each byte of exponent length costs at least one iteration's worth of gas).
    if exp_zeros > 0 && r > BigUint::from(1u32) {
        for _ in 0..exp_zeros.saturating_mul(8) {
            r = &r * &r % modulus;
            if r <= BigUint::from(1u32) {
                break;
            }
        }
    }
    r
}

/// MODEXP: input = base_len (32) | exp_len (32) | mod_len (32) | base | exp | modulus; the output
/// is `base^exp mod modulus` as `mod_len` big-endian bytes (zeros when the modulus is zero).
pub(crate) fn run(input: &[u8], gas: u64, rev: Revision) -> Outcome {
    let base_len = word_to_u64_saturating(&padded::<32>(input, 0));
    let exp_len = word_to_u64_saturating(&padded::<32>(input, 32));
    let mod_len = word_to_u64_saturating(&padded::<32>(input, 64));
    if rev >= Revision::Osaka
        && (base_len > OSAKA_MAX_LEN || exp_len > OSAKA_MAX_LEN || mod_len > OSAKA_MAX_LEN)
    {
        return Outcome::Failure;
    }
    let exp_start = 96u64.saturating_add(base_len);
    let head_bits = exp_head_bits(input, exp_start, exp_len);
    let cost = gas_cost(rev, base_len, exp_len, mod_len, head_bits);
    if cost > gas {
        return Outcome::OutOfGas;
    }
    if mod_len == 0 {
        return Outcome::charged(gas, cost, Vec::new());
    }
    // The output is mod_len bytes. Its gas bounds mod_len far below this for any real gas amount
    // (1 GiB costs about 2^54 gas under EIP-2565); refuse larger outputs rather than abort on
    // allocation when handed absurd gas.
    let out_len = match usize::try_from(mod_len) {
        Ok(n) if n <= MAX_OUTPUT_LEN => n,
        _ => return Outcome::Failure,
    };
    let mod_start = exp_start.saturating_add(exp_len);
    let base = present(input, 96, base_len);
    let exp = present(input, exp_start, exp_len);
    let modulus_bytes = present(input, mod_start, mod_len);
    let mod_zeros = mod_len - modulus_bytes.len() as u64;
    let mut output = vec![0u8; out_len];
    if modulus_bytes.iter().all(|&b| b == 0) {
        return Outcome::charged(gas, cost, output);
    }
    let modulus = BigUint::from_bytes_be(modulus_bytes) << (8 * mod_zeros as usize);
    let result = mod_pow(
        base,
        base_len - base.len() as u64,
        exp,
        exp_len - exp.len() as u64,
        &modulus,
    );
    let bytes = result.to_bytes_be();
    if !(bytes.len() == 1 && bytes[0] == 0) {
        output[out_len - bytes.len()..].copy_from_slice(&bytes);
    }
    Outcome::charged(gas, cost, output)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(n: u64) -> Vec<u8> {
        let mut w = vec![0u8; 32];
        w[24..].copy_from_slice(&n.to_be_bytes());
        w
    }

    fn call(b: &[u8], e: &[u8], m: &[u8]) -> Vec<u8> {
        let mut input = word(b.len() as u64);
        input.extend(word(e.len() as u64));
        input.extend(word(m.len() as u64));
        input.extend_from_slice(b);
        input.extend_from_slice(e);
        input.extend_from_slice(m);
        input
    }

    fn ok(o: Outcome) -> (u64, Vec<u8>) {
        match o {
            Outcome::Ok { cost, output } => (cost, output),
            other => panic!("expected success, got {other:?}"),
        }
    }

    #[test]
    fn small_results() {
        // 3^5 mod 7 = 5.
        let input = call(&[3], &[5], &[7]);
        assert_eq!(ok(run(&input, 1_000_000, Revision::Byzantium)).1, vec![5]);
        assert_eq!(ok(run(&input, 1_000_000, Revision::Osaka)).1, vec![5]);
        // Zero modulus gives zeros of the modulus length.
        let input = call(&[3], &[5], &[0, 0]);
        assert_eq!(ok(run(&input, 1_000_000, Revision::Berlin)).1, vec![0, 0]);
        // x^0 mod m = 1 (m > 1), and anything mod 1 = 0.
        assert_eq!(
            ok(run(&call(&[9], &[], &[0, 10]), 10_000, Revision::Berlin)).1,
            vec![0, 1]
        );
        assert_eq!(
            ok(run(&call(&[9], &[0], &[1]), 10_000, Revision::Berlin)).1,
            vec![0]
        );
        // 0^0 = 1 by convention of pow(0, 0, m).
        assert_eq!(
            ok(run(&call(&[0], &[0], &[5]), 10_000, Revision::Berlin)).1,
            vec![1]
        );
    }

    #[test]
    fn operands_past_the_input_are_zero_padded() {
        // base_len 1, exp_len 2, mod_len 1, but only base and the first exponent byte are
        // present: exponent = 0x0200 = 512, modulus missing -> 0 -> output [0].
        let mut input = word(1);
        input.extend(word(2));
        input.extend(word(1));
        input.extend([3, 2]);
        assert_eq!(ok(run(&input, 100_000, Revision::Berlin)).1, vec![0]);
        // Exponent 0x02 followed by a missing zero byte = 512; 3^512 mod 1000 = 241 (0xf1)...
        let mut input = word(1);
        input.extend(word(2));
        input.extend(word(2));
        input.extend([3, 2, 0, 0x03, 0xe8]);
        let full = ok(run(&input, 100_000, Revision::Berlin)).1;
        let expect = BigUint::from(3u32).modpow(&BigUint::from(512u32), &BigUint::from(1000u32));
        assert_eq!(BigUint::from_bytes_be(&full), expect);
        // ... and the same through the trailing-zero path (modulus 3-byte with missing zero bytes).
        let mut input = word(1);
        input.extend(word(2));
        input.extend(word(3));
        input.extend([3, 2]);
        input.push(0); // exponent low byte present
        input.extend([0x01]); // modulus = 0x01_00_00 = 65536 (two bytes missing)
        let out = ok(run(&input, 100_000, Revision::Berlin)).1;
        let expect = BigUint::from(3u32).modpow(&BigUint::from(512u32), &BigUint::from(65536u32));
        assert_eq!(BigUint::from_bytes_be(&out), expect);
        assert_eq!(out.len(), 3);
        // Trailing exponent zero bytes past the input: exponent = 0x02 << 16.
        let mut input = word(1);
        input.extend(word(3));
        input.extend(word(2));
        input.extend([7]);
        let mut input2 = input.clone();
        input.extend([0x02]);
        input2.extend([0x02, 0, 0, 0x03, 0xe9]);
        let modulus = BigUint::from(1001u32);
        let expect = BigUint::from(7u32).modpow(&BigUint::from(0x020000u32), &modulus);
        // With the modulus present the exponent bytes are all present too.
        assert_eq!(
            BigUint::from_bytes_be(&ok(run(&input2, 100_000, Revision::Berlin)).1),
            expect
        );
        // Exponent missing bytes and modulus missing: zero modulus -> zeros.
        assert_eq!(ok(run(&input, 100_000, Revision::Berlin)).1, vec![0, 0]);
        assert_eq!(
            mod_pow(&[7], 0, &[2], 2, &modulus),
            BigUint::from(7u32).modpow(&BigUint::from(0x020000u32), &modulus)
        );
        assert_eq!(
            mod_pow(&[7], 3, &[5], 0, &modulus),
            BigUint::from(7u64 << 24).modpow(&BigUint::from(5u32), &modulus)
        );
    }

    #[test]
    fn huge_lengths_do_not_allocate() {
        // base_len = exp_len = mod_len = 2^256 - 1.
        let input = [0xffu8; 96];
        for rev in [Revision::Byzantium, Revision::Berlin] {
            assert_eq!(run(&input, i64::MAX as u64, rev), Outcome::OutOfGas);
        }
        assert_eq!(
            run(&input, i64::MAX as u64, Revision::Osaka),
            Outcome::Failure
        );
        // Huge exponent length with empty base and modulus: EIP-198 charges nothing.
        let mut input = word(0);
        input.extend([0xffu8; 32]);
        input.extend(word(0));
        assert_eq!(ok(run(&input, 0, Revision::Byzantium)), (0, vec![]));
        assert_eq!(ok(run(&input, 200, Revision::Berlin)), (200, vec![]));
        assert_eq!(run(&input, 200, Revision::Osaka), Outcome::Failure);
        // Huge base length with a 1-byte modulus: out of gas.
        let mut input = [0xffu8; 32].to_vec();
        input.extend(word(0));
        input.extend(word(1));
        assert_eq!(
            run(&input, i64::MAX as u64, Revision::Byzantium),
            Outcome::OutOfGas
        );
    }

    #[test]
    fn gas_formulas() {
        // EIP-198 example: base 0, exp_len 32 with value 2^256-2 (head bits 256), mod_len 32.
        assert_eq!(
            gas_cost(Revision::Byzantium, 1, 32, 32, 256),
            32 * 32 * 255 / 20
        );
        // EIP-198 second example: 64-byte lengths -> complexity 4096? No: x <= 64 -> x^2.
        assert_eq!(gas_cost(Revision::Byzantium, 64, 1, 64, 1), 64 * 64 / 20);
        assert_eq!(
            gas_cost(Revision::Byzantium, 100, 0, 0, 0),
            (10_000 / 4 + 9600 - 3072) / 20
        );
        assert_eq!(
            gas_cost(Revision::Byzantium, 2000, 0, 0, 0),
            (4_000_000 / 16 + 960_000 - 199_680) / 20
        );
        assert_eq!(gas_cost(Revision::Berlin, 0, 0, 0, 0), 200);
        assert_eq!(
            gas_cost(Revision::Berlin, 64, 64, 64, 1),
            (8 * 8 * (8 * 32)) / 3
        );
        assert_eq!(gas_cost(Revision::Osaka, 1, 1, 1, 2), 500);
        assert_eq!(gas_cost(Revision::Osaka, 64, 33, 64, 9), 2 * 64 * (16 + 8));
        assert_eq!(gas_cost(Revision::Osaka, 33, 1, 1, 8), 500); // 2 * 25 * 7 = 350 < 500
        assert_eq!(
            gas_cost(Revision::Osaka, 1024, 1024, 1024, 256),
            2 * 128 * 128 * (16 * 992 + 255)
        );
        // EIP-7823 boundary.
        let mut input = word(1024);
        input.extend(word(1));
        input.extend(word(1));
        assert!(matches!(
            run(&input, 10_000_000, Revision::Osaka),
            Outcome::Ok { .. }
        ));
        let mut input = word(1025);
        input.extend(word(1));
        input.extend(word(1));
        assert_eq!(run(&input, 10_000_000, Revision::Osaka), Outcome::Failure);
        assert!(matches!(
            run(&input, 10_000_000, Revision::Prague),
            Outcome::Ok { .. }
        ));
    }
}
