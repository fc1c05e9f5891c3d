//! Errors raised while executing an instruction.

use crate::item::StackItem;
use std::fmt;

/// Why an instruction did not complete.
#[derive(Clone, Debug)]
pub enum VmError {
    /// An uncatchable error: the engine goes to FAULT with this message.
    Fault(String),
    /// A VM-level exception that TRY/CATCH can catch (THROW, index or key misses, or a host
    /// raising one).
    Throw(Box<StackItem>),
}

/// Builds a [`VmError::Fault`].
pub fn fault(msg: impl Into<String>) -> VmError {
    VmError::Fault(msg.into())
}

/// Builds a catchable [`VmError::Throw`] of a ByteString message.
pub fn throw_msg(msg: impl AsRef<str>) -> VmError {
    VmError::Throw(Box::new(StackItem::bytes(msg.as_ref().as_bytes())))
}

impl fmt::Display for VmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VmError::Fault(m) => f.write_str(m),
            VmError::Throw(item) => write!(f, "exception thrown: {item:?}"),
        }
    }
}

impl std::error::Error for VmError {}
