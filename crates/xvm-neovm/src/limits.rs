//! Execution limits (`ExecutionEngineLimits`).

/// Limits enforced by the engine; [`Limits::default`] is the reference's default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest shift for SHL/SHR and largest POW exponent.
    pub max_shift: u32,
    /// Largest reference count after any instruction (and largest NEWARRAY size).
    pub max_stack_size: usize,
    /// Largest ByteString/Buffer size.
    pub max_item_size: usize,
    /// Byte budget of one equality comparison.
    pub max_comparable_size: usize,
    /// Deepest invocation stack.
    pub max_invocation_stack_size: usize,
    /// Deepest TRY nesting in one context.
    pub max_try_nesting_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_shift: 256,
            max_stack_size: 2048,
            max_item_size: 65535 * 2,
            max_comparable_size: 65536,
            max_invocation_stack_size: 1024,
            max_try_nesting_depth: 16,
        }
    }
}
