//! The bytes of a Buffer item: up to [`INLINE`] of them are stored in the item itself, so a
//! small Buffer (a CAT or SUBSTR result, a storage key being built) costs one allocation, the
//! item's, instead of two.

use smallvec::SmallVec;
use std::fmt;
use std::ops::{Deref, DerefMut};

/// How many bytes a Buffer holds without a separate allocation.
pub const INLINE: usize = 32;

/// A Buffer's bytes (mutable in place, as the reference's `Buffer.InnerBuffer`). Derefs to
/// `[u8]`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct BufferBytes(SmallVec<[u8; INLINE]>);

impl BufferBytes {
    /// `a` followed by `b` (CAT), built in one go.
    pub fn concat(a: &[u8], b: &[u8]) -> BufferBytes {
        let n = a.len() + b.len();
        if n <= INLINE {
            let mut buf = [0u8; INLINE];
            buf[..a.len()].copy_from_slice(a);
            buf[a.len()..n].copy_from_slice(b);
            BufferBytes(SmallVec::from_buf_and_len(buf, n))
        } else {
            let mut v = Vec::with_capacity(n);
            v.extend_from_slice(a);
            v.extend_from_slice(b);
            BufferBytes(SmallVec::from_vec(v))
        }
    }
    /// Keeps the first `n` bytes.
    pub fn truncate(&mut self, n: usize) {
        self.0.truncate(n);
    }
    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for BufferBytes {
    /// Takes the vector's allocation, or moves its bytes inline when they fit.
    fn from(v: Vec<u8>) -> BufferBytes {
        if v.len() <= INLINE {
            BufferBytes(SmallVec::from_slice(&v))
        } else {
            BufferBytes(SmallVec::from_vec(v))
        }
    }
}

impl From<&[u8]> for BufferBytes {
    fn from(b: &[u8]) -> BufferBytes {
        BufferBytes(SmallVec::from_slice(b))
    }
}

impl Deref for BufferBytes {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl DerefMut for BufferBytes {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

impl fmt::Debug for BufferBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x")?;
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_buffers_stay_inline_and_large_ones_keep_their_allocation() {
        let small = BufferBytes::from(vec![1u8; INLINE]);
        assert!(!small.0.spilled());
        assert_eq!(&small[..], &[1u8; INLINE][..]);
        let v = vec![2u8; INLINE + 1];
        let ptr = v.as_ptr();
        let large = BufferBytes::from(v);
        assert!(large.0.spilled());
        assert_eq!(large.as_ptr(), ptr);
        let mut b = BufferBytes::from(&b"hello"[..]);
        b.truncate(4);
        assert_eq!(BufferBytes::concat(b"ab", b"cd").as_slice(), b"abcd");
        let long = BufferBytes::concat(&[7u8; INLINE], b"x");
        assert!(long.0.spilled());
        assert_eq!(long.len(), INLINE + 1);
        assert_eq!(long[INLINE], b'x');
        b[0] = b'j';
        assert_eq!(b.as_slice(), b"jell");
        assert_eq!(format!("{b:?}"), "0x6a656c6c");
        // The Buffer item's body stays one small allocation.
        assert!(std::mem::size_of::<std::cell::RefCell<BufferBytes>>() <= 48);
    }
}
