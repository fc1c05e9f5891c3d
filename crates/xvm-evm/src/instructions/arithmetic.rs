//! Arithmetic: ADD, MUL, SUB, DIV, SDIV, MOD, SMOD, ADDMOD, MULMOD, EXP, SIGNEXTEND.

use crate::host::Host;
use crate::interpreter::{Frame, OpResult};
use crate::revision::Revision;
use alloy_primitives::U256;

/// True when the word is negative in two's complement.
#[inline(always)]
pub(crate) fn is_neg(v: &U256) -> bool {
    v.bit(255)
}

/// Absolute value in two's complement (MIN stays MIN, which is right for SDIV/SMOD).
#[inline(always)]
fn abs(v: U256) -> U256 {
    if is_neg(&v) {
        v.wrapping_neg()
    } else {
        v
    }
}

/// The low limb when the word fits in 64 bits.
#[inline(always)]
fn small(v: &U256) -> Option<u64> {
    let l = v.as_limbs();
    ((l[1] | l[2] | l[3]) == 0).then_some(l[0])
}

/// DIV: a / b, with x/0 = 0; 64-bit operands take a native division.
#[inline(always)]
pub(crate) fn div(a: U256, b: U256) -> U256 {
    match (small(&a), small(&b)) {
        (_, Some(0)) => U256::ZERO,
        (Some(x), Some(y)) => U256::from(x / y),
        _ => a / b,
    }
}

/// MOD: a % b, with x%0 = 0; 64-bit operands take a native division.
#[inline(always)]
pub(crate) fn rem(a: U256, b: U256) -> U256 {
    match (small(&a), small(&b)) {
        (_, Some(0)) => U256::ZERO,
        (Some(x), Some(y)) => U256::from(x % y),
        _ => a % b,
    }
}

/// Signed division rounding toward zero; x/0 = 0.
pub(crate) fn sdiv(a: U256, b: U256) -> U256 {
    if let (Some(x), Some(y)) = (small(&a), small(&b)) {
        // Both non-negative and below 2^64; x/0 = 0.
        return x.checked_div(y).map_or(U256::ZERO, U256::from);
    }
    if b.is_zero() {
        return U256::ZERO;
    }
    let q = abs(a) / abs(b);
    if is_neg(&a) != is_neg(&b) {
        q.wrapping_neg()
    } else {
        q
    }
}

/// Signed modulo, sign of the dividend; x%0 = 0.
pub(crate) fn smod(a: U256, b: U256) -> U256 {
    if let (Some(x), Some(y)) = (small(&a), small(&b)) {
        return x.checked_rem(y).map_or(U256::ZERO, U256::from);
    }
    if b.is_zero() {
        return U256::ZERO;
    }
    let r = abs(a) % abs(b);
    if is_neg(&a) {
        r.wrapping_neg()
    } else {
        r
    }
}

/// SIGNEXTEND: extends the sign of byte `b` (0 = least significant) of `x` (for the tests; the
/// interpreter uses [`signextend_in_place`]).
#[cfg(test)]
pub(crate) fn signextend(b: U256, mut x: U256) -> U256 {
    signextend_in_place(&b, &mut x);
    x
}

/// SIGNEXTEND on `x` in place, one 64-bit limb at a time: each limb is read and written as a
/// `u64`, from a mask of the bits above the sign bit. The interpreter runs it on the stack
/// slot itself. A version that copied the word, changed limbs at a variable index and copied it
/// back measured 2-5x revm's wall-clock time on the signextend benchmark, where each result is
/// the next instruction's input (x86 cannot forward several narrow stores to one wide load).
#[inline(always)]
pub(crate) fn signextend_in_place(b: &U256, x: &mut U256) {
    let bl = b.as_limbs();
    if (bl[1] | bl[2] | bl[3]) != 0 || bl[0] >= 31 {
        return;
    }
    let bit = bl[0] as u32 * 8 + 7;
    let (sign_limb, shift) = ((bit / 64) as usize, bit % 64);
    // SAFETY: a 256-bit `Uint` uses every bit of its four limbs, so any limb values leave it
    // valid (ruint marks `as_limbs_mut` unsafe only for widths with unused top bits).
    let v = unsafe { x.as_limbs_mut() };
    let ext = 0u64.wrapping_sub((v[sign_limb] >> shift) & 1);
    for (i, l) in v.iter_mut().enumerate() {
        // The bits of limb i above the sign bit.
        let above = if i < sign_limb {
            0
        } else if i == sign_limb {
            (!0u64 << shift) << 1
        } else {
            !0
        };
        *l = (*l & !above) | (ext & above);
    }
}

impl<H: Host + ?Sized> Frame<'_, H> {
    #[inline(always)]
    pub(crate) fn op_add(&mut self) {
        let a = self.stack.pop();
        let b = self.stack.peek_mut(0);
        *b = a.wrapping_add(*b);
    }

    #[inline(always)]
    pub(crate) fn op_mul(&mut self) {
        let a = self.stack.pop();
        let b = self.stack.peek_mut(0);
        *b = a.wrapping_mul(*b);
    }

    #[inline(always)]
    pub(crate) fn op_sub(&mut self) {
        let a = self.stack.pop();
        let b = self.stack.peek_mut(0);
        *b = a.wrapping_sub(*b);
    }

    #[inline(always)]
    pub(crate) fn op_div(&mut self) {
        self.stack.pop_map_top(div);
    }

    #[inline(always)]
    pub(crate) fn op_sdiv(&mut self) {
        self.stack.pop_map_top(sdiv);
    }

    #[inline(always)]
    pub(crate) fn op_mod(&mut self) {
        self.stack.pop_map_top(rem);
    }

    #[inline(always)]
    pub(crate) fn op_smod(&mut self) {
        self.stack.pop_map_top(smod);
    }

    #[inline(always)]
    pub(crate) fn op_addmod(&mut self) {
        let a = self.stack.pop();
        let b = self.stack.pop();
        let m = self.stack.peek_mut(0);
        *m = if m.is_zero() {
            U256::ZERO
        } else {
            a.add_mod(b, *m)
        };
    }

    #[inline(always)]
    pub(crate) fn op_mulmod(&mut self) {
        let a = self.stack.pop();
        let b = self.stack.pop();
        let m = self.stack.peek_mut(0);
        *m = if m.is_zero() {
            U256::ZERO
        } else {
            a.mul_mod(b, *m)
        };
    }

    #[inline(always)]
    pub(crate) fn op_exp(&mut self) -> OpResult {
        let base = self.stack.pop();
        let exponent = self.stack.peek(0);
        let bytes = exponent.bit_len().div_ceil(8) as i64;
        let per_byte = if self.rev >= Revision::SpuriousDragon {
            50
        } else {
            10
        };
        self.charge(bytes * per_byte)?;
        *self.stack.peek_mut(0) = base.wrapping_pow(exponent);
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn op_signextend(&mut self) {
        let b = self.stack.pop();
        signextend_in_place(&b, self.stack.peek_mut(0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn neg(v: u64) -> U256 {
        U256::from(v).wrapping_neg()
    }

    #[test]
    fn signed_division_and_modulo() {
        assert_eq!(sdiv(neg(7), U256::from(2)), neg(3));
        assert_eq!(sdiv(U256::from(7), neg(2)), neg(3));
        assert_eq!(sdiv(neg(7), neg(2)), U256::from(3));
        let min = U256::from(1) << 255;
        assert_eq!(sdiv(min, U256::MAX), min);
        assert_eq!(sdiv(U256::from(1), U256::ZERO), U256::ZERO);
        assert_eq!(smod(neg(7), U256::from(2)), neg(1));
        assert_eq!(smod(U256::from(7), neg(2)), U256::from(1));
        assert_eq!(smod(U256::from(7), U256::ZERO), U256::ZERO);
    }

    /// The 64-bit fast paths of DIV, MOD, SDIV and SMOD against ruint's full-width results,
    /// on operands at and around the 64-bit boundary, signed and unsigned, and zero divisors.
    #[test]
    fn division_fast_paths_match_full_width() {
        let vals = [
            U256::ZERO,
            U256::from(1),
            U256::from(7),
            U256::from(u64::MAX),
            U256::from(u64::MAX) + U256::from(1),
            U256::from(1) << 200,
            U256::MAX,
            neg(7),
            neg(2),
            U256::from(1) << 255,
        ];
        for a in vals {
            for b in vals {
                let (want_div, want_rem) = if b.is_zero() {
                    (U256::ZERO, U256::ZERO)
                } else {
                    (a / b, a % b)
                };
                assert_eq!(div(a, b), want_div, "{a:#x} / {b:#x}");
                assert_eq!(rem(a, b), want_rem, "{a:#x} % {b:#x}");
                // Signed: through absolute values, sign rules of the yellow paper.
                let (sa, sb) = (is_neg(&a), is_neg(&b));
                let (ua, ub) = (abs(a), abs(b));
                let (q, r) = if b.is_zero() {
                    (U256::ZERO, U256::ZERO)
                } else {
                    (ua / ub, ua % ub)
                };
                let q = if sa != sb { q.wrapping_neg() } else { q };
                let r = if sa { r.wrapping_neg() } else { r };
                assert_eq!(sdiv(a, b), q, "{a:#x} sdiv {b:#x}");
                assert_eq!(smod(a, b), r, "{a:#x} smod {b:#x}");
            }
        }
    }

    #[test]
    fn signextend_matches_reference() {
        let values = [
            U256::ZERO,
            U256::MAX,
            U256::from(0x80),
            U256::from(0x7f),
            U256::from_limbs([
                0x0123_4567_89ab_cdef,
                0xfedc_ba98_7654_3210,
                0x8000_0000_0000_0001,
                0x7fff_ffff_ffff_fffe,
            ]),
            U256::from_limbs([0x8080_8080_8080_8080; 4]),
            U256::from_limbs([0x7f7f_7f7f_7f7f_7f7f; 4]),
        ];
        for x in values {
            for b in 0..40u64 {
                let want = if b >= 31 {
                    x
                } else {
                    let bit = (b * 8 + 7) as usize;
                    let above = U256::MAX << (bit + 1);
                    if x.bit(bit) {
                        x | above
                    } else {
                        x & !above
                    }
                };
                assert_eq!(signextend(U256::from(b), x), want, "b {b} x {x:#x}");
            }
            assert_eq!(signextend(U256::from(1) << 64, x), x);
        }
    }

    #[test]
    fn signextend_cases() {
        assert_eq!(signextend(U256::ZERO, U256::from(0xff)), U256::MAX);
        assert_eq!(signextend(U256::ZERO, U256::from(0x7f)), U256::from(0x7f));
        assert_eq!(signextend(U256::from(1), U256::from(0x1_80ff)), neg(0x7f01));
        assert_eq!(signextend(U256::from(31), U256::from(5)), U256::from(5));
        assert_eq!(signextend(U256::MAX, U256::from(0xff)), U256::from(0xff));
        // Sign bits at a limb's top (byte 7), just past it (byte 8), and in the last limb.
        let one = U256::from(1);
        assert_eq!(signextend(U256::from(7), one << 63), U256::MAX << 63);
        assert_eq!(
            signextend(U256::from(7), (one << 63) - one),
            (one << 63) - one
        );
        assert_eq!(
            signextend(U256::from(8), U256::from(0x80) << 64),
            U256::MAX << 71
        );
        assert_eq!(
            signextend(U256::from(8), U256::MAX >> 185),
            U256::MAX >> 185
        );
        let x = U256::MAX ^ (one << 247);
        assert_eq!(signextend(U256::from(30), x), x & ((one << 248) - one));
        assert_eq!(signextend(U256::from(30), one << 247), U256::MAX << 247);
    }
}
