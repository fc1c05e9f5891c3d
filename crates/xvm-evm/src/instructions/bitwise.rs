//! Comparison and bitwise logic: LT, GT, SLT, SGT, EQ, ISZERO, AND, OR, XOR, NOT, BYTE, SHL, SHR,
//! SAR, CLZ.

use super::arithmetic::is_neg;
use crate::host::Host;
use crate::interpreter::Frame;
use alloy_primitives::U256;

#[inline(always)]
fn bool_word(b: bool) -> U256 {
    U256::from(b as u8)
}

/// Signed less-than in two's complement.
#[inline(always)]
pub(crate) fn slt(a: &U256, b: &U256) -> bool {
    match (is_neg(a), is_neg(b)) {
        (true, false) => true,
        (false, true) => false,
        _ => a < b,
    }
}

/// The shift amount when it is below 256, `None` otherwise.
#[inline(always)]
fn small_shift(shift: &U256) -> Option<u32> {
    let l = shift.as_limbs();
    if (l[1] | l[2] | l[3]) != 0 || l[0] >= 256 {
        None
    } else {
        Some(l[0] as u32)
    }
}

/// Arithmetic right shift by `s < 256` of the limbs `v` (least significant first), the vacated
/// high bits filled with `fill` (all sign bits). Without a branch on the sign or on the bit
/// offset: `(hi << 1) << (63 - bit)` is `hi << (64 - bit)` for `bit > 0` and 0 for `bit == 0`.
#[inline(always)]
fn sar_limbs(v: &[u64; 4], s: u32, fill: u64) -> U256 {
    let ext = [v[0], v[1], v[2], v[3], fill, fill, fill, fill, fill];
    let (word, bit) = ((s / 64) as usize, s % 64);
    let mut out = [0u64; 4];
    for (i, o) in out.iter_mut().enumerate() {
        let lo = ext[i + word];
        let hi = ext[i + word + 1];
        *o = (lo >> bit) | ((hi << 1) << (63 - bit));
    }
    U256::from_limbs(out)
}

/// SHL: shifts of 256 or more give 0.
#[inline(always)]
pub(crate) fn shl(shift: U256, value: U256) -> U256 {
    match usize::try_from(shift) {
        Ok(s) if s < 256 => value << s,
        _ => U256::ZERO,
    }
}

/// SHR: shifts of 256 or more give 0.
#[inline(always)]
pub(crate) fn shr(shift: U256, value: U256) -> U256 {
    match small_shift(&shift) {
        Some(s) => value >> s as usize,
        None => U256::ZERO,
    }
}

/// SAR: arithmetic shift right, shifts of 256 or more give 0 or -1.
#[inline(always)]
pub(crate) fn sar(shift: U256, value: U256) -> U256 {
    let fill = ((value.as_limbs()[3] as i64) >> 63) as u64;
    match small_shift(&shift) {
        Some(s) => sar_limbs(value.as_limbs(), s, fill),
        None => U256::from_limbs([fill; 4]),
    }
}

/// Leading zero bits of `v` (256 for zero), testing the limbs from the top: the branches are
/// predictable on real values (mostly small), and the result does not wait on limbs below the
/// highest non-zero one, as a branch-free count over all four does.
#[inline(always)]
pub(crate) fn clz(v: &U256) -> u32 {
    let l = v.as_limbs();
    if l[3] != 0 {
        l[3].leading_zeros()
    } else if l[2] != 0 {
        64 + l[2].leading_zeros()
    } else if l[1] != 0 {
        128 + l[1].leading_zeros()
    } else {
        192 + l[0].leading_zeros()
    }
}

impl<H: Host + ?Sized> Frame<'_, H> {
    #[inline(always)]
    pub(crate) fn op_lt(&mut self) {
        self.stack.pop_map_top(|a, b| bool_word(a < b));
    }

    #[inline(always)]
    pub(crate) fn op_gt(&mut self) {
        self.stack.pop_map_top(|a, b| bool_word(a > b));
    }

    #[inline(always)]
    pub(crate) fn op_slt(&mut self) {
        self.stack.pop_map_top(|a, b| bool_word(slt(&a, &b)));
    }

    #[inline(always)]
    pub(crate) fn op_sgt(&mut self) {
        self.stack.pop_map_top(|a, b| bool_word(slt(&b, &a)));
    }

    #[inline(always)]
    pub(crate) fn op_eq(&mut self) {
        self.stack.pop_map_top(|a, b| bool_word(a == b));
    }

    #[inline(always)]
    pub(crate) fn op_iszero(&mut self) {
        self.stack.map_top(|a| bool_word(a.is_zero()));
    }

    #[inline(always)]
    pub(crate) fn op_and(&mut self) {
        self.stack.pop_map_top(|a, b| a & b);
    }

    #[inline(always)]
    pub(crate) fn op_or(&mut self) {
        self.stack.pop_map_top(|a, b| a | b);
    }

    #[inline(always)]
    pub(crate) fn op_xor(&mut self) {
        self.stack.pop_map_top(|a, b| a ^ b);
    }

    #[inline(always)]
    pub(crate) fn op_not(&mut self) {
        self.stack.map_top(|a| !a);
    }

    #[inline(always)]
    pub(crate) fn op_byte(&mut self) {
        let i = self.stack.pop();
        let x = self.stack.peek_mut(0);
        *x = match usize::try_from(i) {
            Ok(i) if i < 32 => U256::from(x.byte(31 - i)),
            _ => U256::ZERO,
        };
    }

    #[inline(always)]
    pub(crate) fn op_shl(&mut self) {
        self.stack.pop_map_top(shl);
    }

    #[inline(always)]
    pub(crate) fn op_shr(&mut self) {
        self.stack.pop_map_top(shr);
    }

    #[inline(always)]
    pub(crate) fn op_sar(&mut self) {
        self.stack.pop_map_top(sar);
    }

    #[inline(always)]
    pub(crate) fn op_clz(&mut self) {
        self.stack.map_top(|v| U256::from(clz(&v)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clz_matches_ruint() {
        let mut values = vec![U256::ZERO, U256::MAX];
        for bit in 0..256 {
            values.push(U256::from(1) << bit);
            values.push((U256::from(1) << bit) | U256::from(1));
            values.push(U256::MAX >> bit);
        }
        for v in values {
            assert_eq!(clz(&v) as usize, v.leading_zeros(), "{v:#x}");
        }
    }

    #[test]
    fn sar_and_slt() {
        let m1 = U256::MAX;
        assert_eq!(sar(U256::from(1), m1), m1);
        assert_eq!(sar(U256::from(300), m1), m1);
        assert_eq!(sar(U256::from(300), U256::from(5)), U256::ZERO);
        let min = U256::from(1) << 255;
        assert_eq!(sar(U256::from(254), min), U256::MAX - U256::from(1));
        assert!(slt(&m1, &U256::ZERO));
        assert!(!slt(&U256::ZERO, &m1));
        assert!(slt(&min, &m1));
    }

    /// The limb-wise shifts against ruint's, and the reference SAR (`!(!v >> s)` for negative
    /// values), over every shift below 256, a few at and above it, and values with and without
    /// the sign bit.
    #[test]
    fn shifts_match_reference() {
        let values = [
            U256::ZERO,
            U256::from(1),
            U256::MAX,
            U256::from(1) << 255,
            U256::from_limbs([
                0x0123_4567_89ab_cdef,
                0xfedc_ba98_7654_3210,
                0x8000_0000_0000_0001,
                0x7fff_ffff_ffff_fffe,
            ]),
            U256::from_limbs([0xdead_beef_0000_0001, 0x1, 0x0, 0xc000_0000_0000_0000]),
        ];
        let mut shifts: Vec<U256> = (0..256u32).map(U256::from).collect();
        shifts.extend([
            U256::from(256),
            U256::from(257),
            U256::from(1) << 64,
            U256::from(1) << 200,
            U256::MAX,
        ]);
        for v in values {
            for s in shifts.iter().copied() {
                let small = usize::try_from(s).ok().filter(|&s| s < 256);
                let want_shl = small.map_or(U256::ZERO, |s| v << s);
                let want_shr = small.map_or(U256::ZERO, |s| v >> s);
                let neg = v.bit(255);
                let want_sar = match (small, neg) {
                    (Some(s), true) => !((!v) >> s),
                    (Some(s), false) => v >> s,
                    (None, true) => U256::MAX,
                    (None, false) => U256::ZERO,
                };
                assert_eq!(shl(s, v), want_shl, "shl {s} {v:#x}");
                assert_eq!(shr(s, v), want_shr, "shr {s} {v:#x}");
                assert_eq!(sar(s, v), want_sar, "sar {s} {v:#x}");
            }
        }
    }
}
