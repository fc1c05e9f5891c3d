//! Execution outcomes: EVMC status codes, storage status and access status.

use alloy_primitives::{Address, Bytes};

/// The status of an execution, numbered exactly as EVMC's `evmc_status_code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum StatusCode {
    /// Execution finished with success.
    Success = 0,
    /// Generic execution failure.
    Failure = 1,
    /// Execution terminated with REVERT; remaining gas is returned.
    Revert = 2,
    /// The execution ran out of gas.
    OutOfGas = 3,
    /// The designated INVALID instruction (0xFE) was hit.
    InvalidInstruction = 4,
    /// An undefined instruction was hit.
    UndefinedInstruction = 5,
    /// The stack would exceed 1024 items.
    StackOverflow = 6,
    /// An instruction needed more stack items than there were.
    StackUnderflow = 7,
    /// A JUMP or JUMPI to a place that is not a JUMPDEST.
    BadJumpDestination = 8,
    /// Memory access out of range (e.g. RETURNDATACOPY past the buffer).
    InvalidMemoryAccess = 9,
    /// Call depth exceeded 1024.
    CallDepthExceeded = 10,
    /// A state modification was attempted in a static call.
    StaticModeViolation = 11,
    /// A precompile failed.
    PrecompileFailure = 12,
    /// Contract validation failed.
    ContractValidationFailure = 13,
    /// An argument was out of the range the implementation supports.
    ArgumentOutOfRange = 14,
    /// The caller does not have enough funds for the value transfer.
    InsufficientBalance = 17,
    /// An internal error of the VM.
    InternalError = -1,
    /// The execution was rejected (e.g. unsupported revision).
    Rejected = -2,
    /// The VM could not allocate memory.
    OutOfMemory = -3,
}

impl StatusCode {
    /// True only for [`StatusCode::Success`].
    pub fn is_success(self) -> bool {
        self == StatusCode::Success
    }

    /// A short lower-case description, as used in traces.
    pub fn description(self) -> &'static str {
        match self {
            StatusCode::Success => "success",
            StatusCode::Failure => "failure",
            StatusCode::Revert => "revert",
            StatusCode::OutOfGas => "out of gas",
            StatusCode::InvalidInstruction => "invalid instruction",
            StatusCode::UndefinedInstruction => "undefined instruction",
            StatusCode::StackOverflow => "stack overflow",
            StatusCode::StackUnderflow => "stack underflow",
            StatusCode::BadJumpDestination => "bad jump destination",
            StatusCode::InvalidMemoryAccess => "invalid memory access",
            StatusCode::CallDepthExceeded => "call depth exceeded",
            StatusCode::StaticModeViolation => "static mode violation",
            StatusCode::PrecompileFailure => "precompile failure",
            StatusCode::ContractValidationFailure => "contract validation failure",
            StatusCode::ArgumentOutOfRange => "argument out of range",
            StatusCode::InsufficientBalance => "insufficient balance",
            StatusCode::InternalError => "internal error",
            StatusCode::Rejected => "rejected",
            StatusCode::OutOfMemory => "out of memory",
        }
    }
}

impl std::fmt::Display for StatusCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.description())
    }
}

/// What a storage write did, relative to the slot's original (transaction-start) and current
/// values; numbered as EVMC's `evmc_storage_status`. Drives SSTORE gas and refunds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum StorageStatus {
    /// Everything not listed below (e.g. X -> Y -> Z, or a no-op write).
    Assigned = 0,
    /// 0 -> 0 -> Z.
    Added = 1,
    /// X -> X -> 0.
    Deleted = 2,
    /// X -> X -> Z.
    Modified = 3,
    /// X -> 0 -> Z.
    DeletedAdded = 4,
    /// X -> Y -> 0.
    ModifiedDeleted = 5,
    /// X -> 0 -> X.
    DeletedRestored = 6,
    /// 0 -> Y -> 0.
    AddedDeleted = 7,
    /// X -> Y -> X.
    ModifiedRestored = 8,
}

impl StorageStatus {
    /// Classifies a write of `new` over `current` for a slot whose transaction-start value was
    /// `original`, exactly as EVMC defines the statuses.
    pub fn classify<T: PartialEq + Default>(original: &T, current: &T, new: &T) -> StorageStatus {
        let zero = T::default();
        if current == new {
            return StorageStatus::Assigned;
        }
        if original == current {
            // Clean slot.
            if *original == zero {
                StorageStatus::Added
            } else if *new == zero {
                StorageStatus::Deleted
            } else {
                StorageStatus::Modified
            }
        } else {
            // Dirty slot.
            if *original != zero {
                if *current == zero {
                    if new == original {
                        StorageStatus::DeletedRestored
                    } else {
                        StorageStatus::DeletedAdded
                    }
                } else if *new == zero {
                    StorageStatus::ModifiedDeleted
                } else if new == original {
                    StorageStatus::ModifiedRestored
                } else {
                    StorageStatus::Assigned
                }
            } else if *new == zero {
                StorageStatus::AddedDeleted
            } else {
                StorageStatus::Assigned
            }
        }
    }
}

/// Whether an account or storage slot had already been accessed (EIP-2929).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum AccessStatus {
    /// First access in this transaction.
    Cold = 0,
    /// Accessed before (or pre-warmed).
    Warm = 1,
}

/// The result of an execution (EVMC's `evmc_result`, owning its output).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecResult {
    /// How the execution ended.
    pub status: StatusCode,
    /// Gas left; 0 unless the status is success or revert.
    pub gas_left: i64,
    /// Gas refund accumulated (may be negative within a frame); 0 unless success.
    pub gas_refund: i64,
    /// Output data (RETURN or REVERT payload).
    pub output: Bytes,
    /// The address of the created account, for successful CREATE/CREATE2.
    pub create_address: Option<Address>,
}

impl ExecResult {
    /// A result with the given status and no gas, refund or output.
    pub fn failure(status: StatusCode) -> Self {
        ExecResult {
            status,
            gas_left: 0,
            gas_refund: 0,
            output: Bytes::new(),
            create_address: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_status_matches_evmc_table() {
        use StorageStatus::*;
        let c = |o: u8, c: u8, n: u8| StorageStatus::classify(&o, &c, &n);
        assert_eq!(c(0, 0, 1), Added);
        assert_eq!(c(1, 1, 0), Deleted);
        assert_eq!(c(1, 1, 2), Modified);
        assert_eq!(c(1, 0, 2), DeletedAdded);
        assert_eq!(c(1, 2, 0), ModifiedDeleted);
        assert_eq!(c(1, 0, 1), DeletedRestored);
        assert_eq!(c(0, 1, 0), AddedDeleted);
        assert_eq!(c(1, 2, 1), ModifiedRestored);
        assert_eq!(c(1, 2, 3), Assigned);
        assert_eq!(c(0, 1, 2), Assigned);
        assert_eq!(c(1, 1, 1), Assigned);
        assert_eq!(c(0, 0, 0), Assigned);
    }
}
