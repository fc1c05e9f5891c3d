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

/// SAR: arithmetic shift right, shifts of 256 or more give 0 or -1.
pub(crate) fn sar(shift: U256, value: U256) -> U256 {
    let neg = is_neg(&value);
    match usize::try_from(shift) {
        Ok(s) if s < 256 => {
            if neg {
                !((!value) >> s)
            } else {
                value >> s
            }
        }
        _ => {
            if neg {
                U256::MAX
            } else {
                U256::ZERO
            }
        }
    }
}

impl<H: Host> Frame<'_, H> {
    #[inline(always)]
    pub(crate) fn op_lt(&mut self) {
        let a = self.stack.pop();
        let b = self.stack.peek_mut(0);
        *b = bool_word(a < *b);
    }

    #[inline(always)]
    pub(crate) fn op_gt(&mut self) {
        let a = self.stack.pop();
        let b = self.stack.peek_mut(0);
        *b = bool_word(a > *b);
    }

    #[inline(always)]
    pub(crate) fn op_slt(&mut self) {
        let a = self.stack.pop();
        let b = self.stack.peek_mut(0);
        *b = bool_word(slt(&a, b));
    }

    #[inline(always)]
    pub(crate) fn op_sgt(&mut self) {
        let a = self.stack.pop();
        let b = self.stack.peek_mut(0);
        *b = bool_word(slt(b, &a));
    }

    #[inline(always)]
    pub(crate) fn op_eq(&mut self) {
        let a = self.stack.pop();
        let b = self.stack.peek_mut(0);
        *b = bool_word(a == *b);
    }

    #[inline(always)]
    pub(crate) fn op_iszero(&mut self) {
        let a = self.stack.peek_mut(0);
        *a = bool_word(a.is_zero());
    }

    #[inline(always)]
    pub(crate) fn op_and(&mut self) {
        let a = self.stack.pop();
        let b = self.stack.peek_mut(0);
        *b &= a;
    }

    #[inline(always)]
    pub(crate) fn op_or(&mut self) {
        let a = self.stack.pop();
        let b = self.stack.peek_mut(0);
        *b |= a;
    }

    #[inline(always)]
    pub(crate) fn op_xor(&mut self) {
        let a = self.stack.pop();
        let b = self.stack.peek_mut(0);
        *b ^= a;
    }

    #[inline(always)]
    pub(crate) fn op_not(&mut self) {
        let a = self.stack.peek_mut(0);
        *a = !*a;
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
        let shift = self.stack.pop();
        let v = self.stack.peek_mut(0);
        *v = match usize::try_from(shift) {
            Ok(s) if s < 256 => *v << s,
            _ => U256::ZERO,
        };
    }

    #[inline(always)]
    pub(crate) fn op_shr(&mut self) {
        let shift = self.stack.pop();
        let v = self.stack.peek_mut(0);
        *v = match usize::try_from(shift) {
            Ok(s) if s < 256 => *v >> s,
            _ => U256::ZERO,
        };
    }

    #[inline(always)]
    pub(crate) fn op_sar(&mut self) {
        let shift = self.stack.pop();
        let v = self.stack.peek_mut(0);
        *v = sar(shift, *v);
    }

    #[inline(always)]
    pub(crate) fn op_clz(&mut self) {
        let v = self.stack.peek_mut(0);
        *v = U256::from(v.leading_zeros());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
