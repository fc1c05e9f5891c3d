//! `Int`: the NeoVM integer, a fixed-width 256-bit two's-complement value.
//!
//! NeoVM integers are C# `BigInteger`s limited to 32 bytes of minimal two's-complement encoding,
//! which is exactly the range of a signed 256-bit integer. Every operation here returns `None`
//! when the mathematically exact result (C# semantics) does not fit, which the engine turns into a
//! FAULT, just as constructing an oversized `Integer` throws in the reference.

use alloy_primitives::{U256, U512};
use std::cmp::Ordering;
use std::fmt;

/// A signed 256-bit integer (two's complement), the value of a NeoVM `Integer`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Int(U256);

const SIGN_BIT: usize = 255;

impl Int {
    /// Zero.
    pub const ZERO: Int = Int(U256::ZERO);
    /// One.
    pub const ONE: Int = Int(U256::from_limbs([1, 0, 0, 0]));
    /// Minus one.
    pub const MINUS_ONE: Int = Int(U256::MAX);
    /// The largest value, 2^255 - 1.
    pub const MAX: Int = Int(U256::from_limbs([
        u64::MAX,
        u64::MAX,
        u64::MAX,
        u64::MAX >> 1,
    ]));
    /// The smallest value, -2^255.
    pub const MIN: Int = Int(U256::from_limbs([0, 0, 0, 1 << 63]));

    /// The raw two's-complement bits.
    pub fn to_raw(self) -> U256 {
        self.0
    }

    /// Builds a value from raw two's-complement bits.
    pub fn from_raw(raw: U256) -> Int {
        Int(raw)
    }

    /// Whether the value is below zero.
    #[inline]
    pub fn is_negative(self) -> bool {
        self.0.bit(SIGN_BIT)
    }

    /// Whether the value is zero.
    #[inline(always)]
    pub fn is_zero(self) -> bool {
        // The limbs ORed: four scalar loads, no round trip through a vector register.
        let l = self.0.as_limbs();
        (l[0] | l[1] | l[2] | l[3]) == 0
    }

    /// -1, 0 or 1.
    pub fn signum(self) -> i32 {
        if self.is_negative() {
            -1
        } else if self.is_zero() {
            0
        } else {
            1
        }
    }

    /// The magnitude (|MIN| = 2^255 fits in a `U256`).
    #[inline]
    pub fn unsigned_abs(self) -> U256 {
        if self.is_negative() {
            (!self.0).wrapping_add(U256::from(1u8))
        } else {
            self.0
        }
    }

    /// Builds `sign * magnitude`, or `None` if out of range.
    pub fn from_sign_magnitude(negative: bool, mag: U256) -> Option<Int> {
        if negative {
            if mag > Int::MIN.0 {
                None
            } else {
                Some(Int((!mag).wrapping_add(U256::from(1u8))))
            }
        } else if mag.bit(SIGN_BIT) {
            None
        } else {
            Some(Int(mag))
        }
    }

    /// Converts to `i64` if it fits.
    #[inline]
    pub fn to_i64(self) -> Option<i64> {
        let limbs = self.0.as_limbs();
        let low = limbs[0] as i64;
        let ext = if low < 0 { u64::MAX } else { 0 };
        (limbs[1] == ext && limbs[2] == ext && limbs[3] == ext).then_some(low)
    }

    /// Converts to `i32` if it fits (the C# `(int)` cast, which throws on overflow).
    #[inline]
    pub fn to_i32(self) -> Option<i32> {
        self.to_i64().and_then(|v| i32::try_from(v).ok())
    }

    /// Decodes a little-endian two's-complement byte string (C# `new BigInteger(span)`); empty is
    /// zero. `None` when longer than 32 bytes.
    pub fn from_le_bytes(bytes: &[u8]) -> Option<Int> {
        if bytes.len() > 32 {
            return None;
        }
        let negative = bytes.last().is_some_and(|b| b & 0x80 != 0);
        let mut buf = if negative { [0xFFu8; 32] } else { [0u8; 32] };
        buf[..bytes.len()].copy_from_slice(bytes);
        Some(Int(U256::from_le_bytes(buf)))
    }

    /// The minimal little-endian two's-complement encoding (C# `ToByteArray`); zero is empty.
    pub fn to_le_bytes(self) -> Vec<u8> {
        let (buf, len) = self.le_bytes_minimal();
        buf[..len].to_vec()
    }

    /// The 32-byte little-endian form and the length of its minimal prefix.
    pub fn le_bytes_minimal(self) -> ([u8; 32], usize) {
        let buf: [u8; 32] = self.0.to_le_bytes();
        if self.is_zero() {
            return (buf, 0);
        }
        let fill = if self.is_negative() { 0xFF } else { 0 };
        let mut len = 32;
        while len > 1 && buf[len - 1] == fill && (buf[len - 2] & 0x80) == (fill & 0x80) {
            len -= 1;
        }
        (buf, len)
    }

    /// The byte length of the minimal encoding (`Integer.Size`).
    pub fn byte_len(self) -> usize {
        self.le_bytes_minimal().1
    }

    /// Parses a decimal integer with optional leading `-` or `+`.
    pub fn from_dec_str(s: &str) -> Option<Int> {
        let (neg, digits) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mag = U256::from_str_radix(digits, 10).ok()?;
        Int::from_sign_magnitude(neg, mag)
    }

    /// `self + rhs`.
    #[inline(always)]
    pub fn checked_add(self, rhs: Int) -> Option<Int> {
        // Limb by limb with the carry; the top limb is a signed add whose overflow (either of
        // the two partial adds, not both) is exactly a 256-bit signed overflow.
        let (a, b) = (self.0.as_limbs(), rhs.0.as_limbs());
        let (r0, c0) = a[0].overflowing_add(b[0]);
        let (t1, c1a) = a[1].overflowing_add(b[1]);
        let (r1, c1b) = t1.overflowing_add(c0 as u64);
        let (t2, c2a) = a[2].overflowing_add(b[2]);
        let (r2, c2b) = t2.overflowing_add((c1a | c1b) as u64);
        let (t3, o1) = (a[3] as i64).overflowing_add(b[3] as i64);
        let (r3, o2) = t3.overflowing_add((c2a | c2b) as i64);
        (o1 == o2).then_some(Int(U256::from_limbs([r0, r1, r2, r3 as u64])))
    }

    /// `self - rhs`.
    #[inline(always)]
    pub fn checked_sub(self, rhs: Int) -> Option<Int> {
        let (a, b) = (self.0.as_limbs(), rhs.0.as_limbs());
        let (r0, c0) = a[0].overflowing_sub(b[0]);
        let (t1, c1a) = a[1].overflowing_sub(b[1]);
        let (r1, c1b) = t1.overflowing_sub(c0 as u64);
        let (t2, c2a) = a[2].overflowing_sub(b[2]);
        let (r2, c2b) = t2.overflowing_sub((c1a | c1b) as u64);
        let (t3, o1) = (a[3] as i64).overflowing_sub(b[3] as i64);
        let (r3, o2) = t3.overflowing_sub((c2a | c2b) as i64);
        (o1 == o2).then_some(Int(U256::from_limbs([r0, r1, r2, r3 as u64])))
    }

    /// `self * rhs`.
    pub fn checked_mul(self, rhs: Int) -> Option<Int> {
        let mag = self.unsigned_abs().checked_mul(rhs.unsigned_abs())?;
        Int::from_sign_magnitude(self.is_negative() != rhs.is_negative(), mag)
    }

    /// Truncating division (C# `/`); `None` on division by zero or overflow.
    pub fn checked_div(self, rhs: Int) -> Option<Int> {
        if rhs.is_zero() {
            return None;
        }
        let q = self.unsigned_abs() / rhs.unsigned_abs();
        Int::from_sign_magnitude(self.is_negative() != rhs.is_negative(), q)
    }

    /// Remainder with the sign of the dividend (C# `%`); `None` on division by zero.
    pub fn checked_rem(self, rhs: Int) -> Option<Int> {
        if rhs.is_zero() {
            return None;
        }
        let r = self.unsigned_abs() % rhs.unsigned_abs();
        Int::from_sign_magnitude(self.is_negative(), r)
    }

    /// `-self`.
    pub fn checked_neg(self) -> Option<Int> {
        Int::ZERO.checked_sub(self)
    }

    /// `|self|`.
    pub fn checked_abs(self) -> Option<Int> {
        Int::from_sign_magnitude(false, self.unsigned_abs())
    }

    /// `self ^ exp` (C# `BigInteger.Pow`).
    pub fn checked_pow(self, exp: u32) -> Option<Int> {
        let mag = self.unsigned_abs();
        let mut result = U256::from(1u8);
        let mut base = mag;
        let mut e = exp;
        while e > 0 {
            if e & 1 == 1 {
                result = result.checked_mul(base)?;
            }
            e >>= 1;
            if e > 0 {
                // The square may overflow only if a later multiplication would need it.
                base = match base.checked_mul(base) {
                    Some(b) => b,
                    None => {
                        // base^2 overflows: any further use overflows unless base is 0 or 1.
                        return None;
                    }
                };
            }
        }
        Int::from_sign_magnitude(self.is_negative() && exp & 1 == 1, result)
    }

    /// Floor square root of a non-negative value; `None` for negative input.
    pub fn sqrt(self) -> Option<Int> {
        if self.is_negative() {
            return None;
        }
        let n = self.0;
        if n.is_zero() {
            return Some(Int::ZERO);
        }
        // Newton's method from a power of two above the root.
        let bits = 256 - n.leading_zeros();
        let mut x = U256::from(1u8) << bits.div_ceil(2);
        loop {
            let y = (x + n / x) >> 1;
            if y >= x {
                return Some(Int(x));
            }
            x = y;
        }
    }

    /// `(self * rhs) % modulus` with C# semantics (remainder sign follows the product).
    pub fn mod_mul(self, rhs: Int, modulus: Int) -> Option<Int> {
        if modulus.is_zero() {
            return None;
        }
        let m = modulus.unsigned_abs();
        let r = self.unsigned_abs().mul_mod(rhs.unsigned_abs(), m);
        Int::from_sign_magnitude(self.is_negative() != rhs.is_negative(), r)
    }

    /// C# `BigInteger.ModPow(self, exp, modulus)`: `exp` must be >= 0, the modulus non-zero; the
    /// result is negative when the base is negative and the exponent odd.
    pub fn mod_pow(self, exp: Int, modulus: Int) -> Option<Int> {
        if exp.is_negative() || modulus.is_zero() {
            return None;
        }
        let m = modulus.unsigned_abs();
        let r = if m == U256::from(1u8) {
            U256::ZERO
        } else {
            self.unsigned_abs().pow_mod(exp.0, m)
        };
        let odd = exp.0.bit(0);
        Int::from_sign_magnitude(self.is_negative() && odd, r)
    }

    /// Modular inverse as neo-vm's `ModInverse`: value > 0, modulus >= 2, and an inverse must
    /// exist; the result is in `[0, modulus)`.
    pub fn mod_inverse(self, modulus: Int) -> Option<Int> {
        if self.is_negative() || self.is_zero() || modulus.is_negative() {
            return None;
        }
        if modulus.0 < U256::from(2u8) {
            return None;
        }
        let inv = self.0.inv_mod(modulus.0)?;
        if self.0.mul_mod(inv, modulus.0) != U256::from(1u8) {
            return None;
        }
        Some(Int(inv))
    }

    /// `self << shift` for `shift` in `0..=256`; `None` when the result does not fit.
    pub fn checked_shl(self, shift: u32) -> Option<Int> {
        if self.is_zero() || shift == 0 {
            return Some(self);
        }
        if shift >= 256 {
            return None;
        }
        let wide = U512::from(self.unsigned_abs()) << (shift as usize);
        let limbs = wide.as_limbs();
        if limbs[4..].iter().any(|&l| l != 0) {
            return None;
        }
        let mag = U256::from_limbs([limbs[0], limbs[1], limbs[2], limbs[3]]);
        Int::from_sign_magnitude(self.is_negative(), mag)
    }

    /// Arithmetic (flooring) `self >> shift`.
    pub fn arith_shr(self, shift: u32) -> Int {
        if shift >= 256 {
            return if self.is_negative() {
                Int::MINUS_ONE
            } else {
                Int::ZERO
            };
        }
        if self.is_negative() {
            Int(!((!self.0) >> (shift as usize)))
        } else {
            Int(self.0 >> (shift as usize))
        }
    }

    /// Bitwise NOT (`-x - 1`).
    pub fn bit_not(self) -> Int {
        Int(!self.0)
    }

    /// Bitwise AND.
    pub fn and(self, rhs: Int) -> Int {
        Int(self.0 & rhs.0)
    }

    /// Bitwise OR.
    pub fn or(self, rhs: Int) -> Int {
        Int(self.0 | rhs.0)
    }

    /// Bitwise XOR.
    pub fn xor(self, rhs: Int) -> Int {
        Int(self.0 ^ rhs.0)
    }
}

impl From<i64> for Int {
    #[inline]
    fn from(v: i64) -> Int {
        let ext = if v < 0 { u64::MAX } else { 0 };
        Int(U256::from_limbs([v as u64, ext, ext, ext]))
    }
}

impl From<bool> for Int {
    fn from(v: bool) -> Int {
        if v {
            Int::ONE
        } else {
            Int::ZERO
        }
    }
}

impl Ord for Int {
    #[inline]
    fn cmp(&self, other: &Int) -> Ordering {
        // Two's complement: the top limb compares signed, the others unsigned.
        let (a, b) = (self.0.as_limbs(), other.0.as_limbs());
        (a[3] as i64)
            .cmp(&(b[3] as i64))
            .then(a[2].cmp(&b[2]))
            .then(a[1].cmp(&b[1]))
            .then(a[0].cmp(&b[0]))
    }
}

impl PartialOrd for Int {
    fn partial_cmp(&self, other: &Int) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Int {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_negative() {
            write!(f, "-{}", self.unsigned_abs())
        } else {
            write!(f, "{}", self.0)
        }
    }
}

impl fmt::Debug for Int {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i(s: &str) -> Int {
        Int::from_dec_str(s).unwrap()
    }

    #[test]
    fn bounds_and_bytes() {
        let max =
            i("57896044618658097711785492504343953926634992332820282019728792003956564819967");
        let min =
            i("-57896044618658097711785492504343953926634992332820282019728792003956564819968");
        assert_eq!(max, Int::MAX);
        assert_eq!(min, Int::MIN);
        assert!(Int::from_dec_str(
            "57896044618658097711785492504343953926634992332820282019728792003956564819968"
        )
        .is_none());
        assert_eq!(Int::MAX.byte_len(), 32);
        assert_eq!(Int::MIN.byte_len(), 32);
        assert_eq!(Int::ZERO.to_le_bytes(), Vec::<u8>::new());
        assert_eq!(Int::from(128).to_le_bytes(), vec![0x80, 0x00]);
        assert_eq!(Int::from(-128).to_le_bytes(), vec![0x80]);
        assert_eq!(Int::from(-129).to_le_bytes(), vec![0x7F, 0xFF]);
        assert_eq!(Int::from(255).to_le_bytes(), vec![0xFF, 0x00]);
        assert_eq!(Int::from(-1).to_le_bytes(), vec![0xFF]);
        assert_eq!(Int::from_le_bytes(&[0xFF]), Some(Int::from(-1)));
        assert_eq!(Int::from_le_bytes(&[0x80, 0x00]), Some(Int::from(128)));
        assert_eq!(Int::from_le_bytes(&[]), Some(Int::ZERO));
        assert!(Int::from_le_bytes(&[0; 33]).is_none());
        for v in [
            -70000i64,
            -256,
            -255,
            -1,
            0,
            1,
            127,
            32767,
            32768,
            i64::MAX,
            i64::MIN,
        ] {
            let x = Int::from(v);
            assert_eq!(Int::from_le_bytes(&x.to_le_bytes()), Some(x));
            assert_eq!(x.to_string(), v.to_string());
            assert_eq!(x.to_i64(), Some(v));
        }
    }

    #[test]
    fn limb_add_sub_match_the_sign_rule() {
        // Reference: wrap, then overflow iff the operands' signs make the result's sign impossible.
        let add_ref = |x: Int, y: Int| {
            let r = x.0.wrapping_add(y.0);
            let (a, b, c) = (x.is_negative(), y.is_negative(), r.bit(SIGN_BIT));
            (a != b || a == c).then_some(Int(r))
        };
        let sub_ref = |x: Int, y: Int| {
            let r = x.0.wrapping_sub(y.0);
            let (a, b, c) = (x.is_negative(), y.is_negative(), r.bit(SIGN_BIT));
            (a == b || a == c).then_some(Int(r))
        };
        let mut vals = vec![Int::ZERO, Int::ONE, Int::MINUS_ONE, Int::MAX, Int::MIN];
        for v in [i64::MAX, i64::MIN, -2, 2] {
            vals.push(Int::from(v));
        }
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200 {
            let mut limbs = [0u64; 4];
            for l in &mut limbs {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                *l = if seed % 3 == 0 {
                    0
                } else if seed % 3 == 1 {
                    u64::MAX
                } else {
                    seed
                };
            }
            vals.push(Int(U256::from_limbs(limbs)));
        }
        for &x in &vals {
            for &y in &vals {
                assert_eq!(x.checked_add(y), add_ref(x, y), "{x} + {y}");
                assert_eq!(x.checked_sub(y), sub_ref(x, y), "{x} - {y}");
            }
        }
    }

    #[test]
    fn overflow_checks() {
        assert!(Int::MAX.checked_add(Int::ONE).is_none());
        assert!(Int::MIN.checked_sub(Int::ONE).is_none());
        assert!(Int::MIN.checked_neg().is_none());
        assert!(Int::MIN.checked_abs().is_none());
        assert!(Int::MIN.checked_div(Int::MINUS_ONE).is_none());
        assert_eq!(Int::MIN.checked_mul(Int::ONE), Some(Int::MIN));
        assert!(Int::MIN.checked_mul(Int::MINUS_ONE).is_none());
        assert_eq!(
            Int::from(2)
                .checked_pow(254)
                .unwrap()
                .checked_mul(Int::from(-2)),
            Some(Int::MIN)
        );
        assert!(Int::from(2).checked_pow(255).is_none());
        assert_eq!(Int::from(-2).checked_pow(255), Some(Int::MIN));
        assert_eq!(Int::ONE.checked_shl(254).unwrap().checked_shl(1), None);
        assert_eq!(Int::MINUS_ONE.checked_shl(255), Some(Int::MIN));
        assert_eq!(Int::from(-3).checked_shl(256), None);
    }

    #[test]
    fn csharp_division_semantics() {
        let d = |a: i64, b: i64| {
            Int::from(a)
                .checked_div(Int::from(b))
                .unwrap()
                .to_i64()
                .unwrap()
        };
        let r = |a: i64, b: i64| {
            Int::from(a)
                .checked_rem(Int::from(b))
                .unwrap()
                .to_i64()
                .unwrap()
        };
        assert_eq!((d(7, 2), d(-7, 2), d(7, -2), d(-7, -2)), (3, -3, -3, 3));
        assert_eq!((r(7, 2), r(-7, 2), r(7, -2), r(-7, -2)), (1, -1, 1, -1));
        assert!(Int::ONE.checked_div(Int::ZERO).is_none());
        assert!(Int::ONE.checked_rem(Int::ZERO).is_none());
        assert_eq!(Int::from(-7).arith_shr(1), Int::from(-4));
        assert_eq!(Int::from(-1).arith_shr(256), Int::MINUS_ONE);
        assert_eq!(Int::from(7).arith_shr(256), Int::ZERO);
    }

    #[test]
    fn modular_ops() {
        let mp = |a: i64, e: i64, m: i64| {
            Int::from(a)
                .mod_pow(Int::from(e), Int::from(m))
                .map(|x| x.to_i64().unwrap())
        };
        assert_eq!(mp(-3, 3, 5), Some(-2)); // -27 % 5
        assert_eq!(mp(-3, 2, 5), Some(4));
        assert_eq!(mp(3, 3, -5), Some(2));
        assert_eq!(mp(3, 0, 1), Some(0));
        assert_eq!(mp(3, 0, 7), Some(1));
        assert_eq!(mp(3, -2, 7), None);
        assert_eq!(mp(3, 2, 0), None);
        assert_eq!(Int::from(3).mod_inverse(Int::from(7)), Some(Int::from(5)));
        assert_eq!(
            Int::from(19).mod_inverse(Int::from(141)),
            Some(Int::from(52))
        );
        assert!(Int::from(2).mod_inverse(Int::from(4)).is_none());
        assert!(Int::from(0).mod_inverse(Int::from(7)).is_none());
        assert!(Int::from(-3).mod_inverse(Int::from(7)).is_none());
        assert!(Int::from(3).mod_inverse(Int::from(1)).is_none());
        let mm = |a: i64, b: i64, m: i64| {
            Int::from(a)
                .mod_mul(Int::from(b), Int::from(m))
                .unwrap()
                .to_i64()
                .unwrap()
        };
        assert_eq!(mm(-3, 4, 5), -2);
        assert_eq!(mm(3, 4, -5), 2);
        let expected = Int::MAX
            .to_raw()
            .mul_mod(Int::MAX.to_raw(), U256::from(1000u32));
        let got = Int::MAX.mod_mul(Int::MAX, Int::from(1000)).map(Int::to_raw);
        assert_eq!(got, Some(expected));
    }

    #[test]
    fn sqrt_floor() {
        for v in [
            0i64,
            1,
            2,
            3,
            4,
            15,
            16,
            17,
            1 << 40,
            (1 << 40) + 1,
            i64::MAX,
        ] {
            let s = Int::from(v).sqrt().unwrap().to_i64().unwrap();
            assert!(
                s * s <= v && (s as i128 + 1) * (s as i128 + 1) > v as i128,
                "{v}"
            );
        }
        let s = Int::MAX.sqrt().unwrap();
        assert!(s.checked_mul(s).unwrap() <= Int::MAX);
        assert!(Int::MINUS_ONE.sqrt().is_none());
    }
}
