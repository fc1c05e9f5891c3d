//! Conversions between the C types of [`crate::ffi`] and the engine's Rust types.

use crate::ffi::*;
use std::sync::atomic::{AtomicIsize, Ordering};
use xvm_evm::{
    AccessStatus, Address, Bytes, CallKind, ExecResult, Message, StatusCode, StorageStatus,
    TxContext, B256, U256,
};

/// Why a C argument could not be converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadArg {
    /// A required pointer was null.
    NullPointer,
    /// A null data pointer came with a non-zero size.
    NullWithSize,
    /// A value outside the range this version supports (e.g. an unknown call kind).
    Unsupported,
    /// A value that makes no sense (e.g. negative gas or depth).
    Inconsistent,
}

impl From<evmc_address> for Address {
    fn from(a: evmc_address) -> Self {
        Address::new(a.bytes)
    }
}

impl From<&Address> for evmc_address {
    fn from(a: &Address) -> Self {
        evmc_address { bytes: a.0 .0 }
    }
}

impl From<evmc_bytes32> for B256 {
    fn from(b: evmc_bytes32) -> Self {
        B256::new(b.bytes)
    }
}

impl From<&B256> for evmc_bytes32 {
    fn from(b: &B256) -> Self {
        evmc_bytes32 { bytes: b.0 }
    }
}

/// A big-endian 256-bit C value as a [`U256`].
#[inline]
pub fn u256_from_c(v: &evmc_bytes32) -> U256 {
    U256::from_be_bytes(v.bytes)
}

/// A [`U256`] as a big-endian 256-bit C value.
#[inline]
pub fn u256_to_c(v: &U256) -> evmc_bytes32 {
    evmc_bytes32 {
        bytes: v.to_be_bytes::<32>(),
    }
}

/// Reads a C value through a pointer that may be null.
///
/// # Safety
/// `p` must be null or point to a valid `T`.
#[inline]
pub unsafe fn read_ptr<T: Copy>(p: *const T) -> Result<T, BadArg> {
    // SAFETY: the caller guarantees `p` is null or valid; `as_ref` handles null.
    unsafe { p.as_ref() }.copied().ok_or(BadArg::NullPointer)
}

/// A C buffer as a slice; a null pointer is allowed only with size 0.
///
/// # Safety
/// `data` must be null or point to `size` readable bytes that stay valid and unmodified for `'a`.
#[inline]
pub unsafe fn slice_from_c<'a, T>(data: *const T, size: usize) -> Result<&'a [T], BadArg> {
    if size == 0 {
        Ok(&[])
    } else if data.is_null() {
        Err(BadArg::NullWithSize)
    } else {
        // SAFETY: non-null, and the caller guarantees `size` valid elements for `'a`.
        Ok(unsafe { std::slice::from_raw_parts(data, size) })
    }
}

/// The engine's status for an EVMC status code. Codes this version does not know map to
/// `Failure` (positive: an EVM failure) or `InternalError` (negative: not recoverable).
pub fn status_from_c(s: evmc_status_code) -> StatusCode {
    match s.0 {
        0 => StatusCode::Success,
        1 => StatusCode::Failure,
        2 => StatusCode::Revert,
        3 => StatusCode::OutOfGas,
        4 => StatusCode::InvalidInstruction,
        5 => StatusCode::UndefinedInstruction,
        6 => StatusCode::StackOverflow,
        7 => StatusCode::StackUnderflow,
        8 => StatusCode::BadJumpDestination,
        9 => StatusCode::InvalidMemoryAccess,
        10 => StatusCode::CallDepthExceeded,
        11 => StatusCode::StaticModeViolation,
        12 => StatusCode::PrecompileFailure,
        13 => StatusCode::ContractValidationFailure,
        14 => StatusCode::ArgumentOutOfRange,
        17 => StatusCode::InsufficientBalance,
        -2 => StatusCode::Rejected,
        -3 => StatusCode::OutOfMemory,
        n if n < 0 => StatusCode::InternalError,
        _ => StatusCode::Failure,
    }
}

/// The EVMC status code of an engine status (the discriminants are EVMC's numbers).
#[inline]
pub fn status_to_c(s: StatusCode) -> evmc_status_code {
    evmc_status_code(s as i32)
}

/// The engine's storage status for an EVMC one; an unknown value counts as `Assigned`.
pub fn storage_status_from_c(s: evmc_storage_status) -> StorageStatus {
    match s.0 {
        1 => StorageStatus::Added,
        2 => StorageStatus::Deleted,
        3 => StorageStatus::Modified,
        4 => StorageStatus::DeletedAdded,
        5 => StorageStatus::ModifiedDeleted,
        6 => StorageStatus::DeletedRestored,
        7 => StorageStatus::AddedDeleted,
        8 => StorageStatus::ModifiedRestored,
        _ => StorageStatus::Assigned,
    }
}

/// The EVMC storage status of an engine one.
#[inline]
pub fn storage_status_to_c(s: StorageStatus) -> evmc_storage_status {
    evmc_storage_status(s as i32)
}

/// The engine's access status: `EVMC_ACCESS_COLD` (0) is cold, anything else warm.
#[inline]
pub fn access_status_from_c(s: evmc_access_status) -> AccessStatus {
    if s == evmc_access_status::EVMC_ACCESS_COLD {
        AccessStatus::Cold
    } else {
        AccessStatus::Warm
    }
}

/// The EVMC access status of an engine one.
#[inline]
pub fn access_status_to_c(s: AccessStatus) -> evmc_access_status {
    match s {
        AccessStatus::Cold => evmc_access_status::EVMC_ACCESS_COLD,
        AccessStatus::Warm => evmc_access_status::EVMC_ACCESS_WARM,
    }
}

/// The engine's call kind; `EVMC_EOFCREATE` and unknown values are unsupported.
pub fn call_kind_from_c(k: evmc_call_kind) -> Result<CallKind, BadArg> {
    Ok(match k.0 {
        0 => CallKind::Call,
        1 => CallKind::DelegateCall,
        2 => CallKind::CallCode,
        3 => CallKind::Create,
        4 => CallKind::Create2,
        _ => return Err(BadArg::Unsupported),
    })
}

/// The EVMC call kind of an engine one.
#[inline]
pub fn call_kind_to_c(k: CallKind) -> evmc_call_kind {
    evmc_call_kind(k as i32)
}

/// Converts a C message, copying its input.
///
/// # Safety
/// `m.input_data` must be null or point to `m.input_size` readable bytes.
pub unsafe fn message_from_c(m: &evmc_message) -> Result<Message, BadArg> {
    // SAFETY: forwarded from the caller.
    let (mut msg, input) = unsafe { message_from_c_borrowed(m) }?;
    msg.input = Bytes::copy_from_slice(input);
    Ok(msg)
}

/// Converts a C message without copying its input: the message's `input` is empty and the
/// input comes back as a slice borrowed from the C buffer.
///
/// # Safety
/// `m.input_data` must be null or point to `m.input_size` readable bytes that stay valid and
/// unmodified for `'a`.
pub unsafe fn message_from_c_borrowed<'a>(m: &evmc_message) -> Result<(Message, &'a [u8]), BadArg> {
    let kind = call_kind_from_c(m.kind)?;
    if m.gas < 0 || m.depth < 0 {
        return Err(BadArg::Inconsistent);
    }
    // SAFETY: forwarded from the caller.
    let input = unsafe { slice_from_c(m.input_data, m.input_size) }?;
    let msg = Message {
        kind,
        is_static: m.flags & evmc_flags::EVMC_STATIC.0 != 0,
        delegated: m.flags & evmc_flags::EVMC_DELEGATED.0 != 0,
        depth: m.depth,
        gas: m.gas,
        recipient: m.recipient.into(),
        sender: m.sender.into(),
        input: Bytes::new(),
        value: u256_from_c(&m.value),
        salt: m.create2_salt.into(),
        code_address: m.code_address.into(),
    };
    Ok((msg, input))
}

/// A C view of `m`, borrowing its input; `code` goes into the message's optional code fields.
/// The returned value holds raw pointers into `m.input` and `code`: keep both alive while it is
/// used.
pub fn message_to_c(m: &Message, code: &[u8]) -> evmc_message {
    message_to_c_with_input(m, &m.input, code)
}

/// A C view of `m` whose input is `input` (`m.input` is not read), borrowing `input` and `code`:
/// keep both alive while the returned value is used.
pub fn message_to_c_with_input(m: &Message, input: &[u8], code: &[u8]) -> evmc_message {
    let mut flags = 0;
    if m.is_static {
        flags |= evmc_flags::EVMC_STATIC.0;
    }
    if m.delegated {
        flags |= evmc_flags::EVMC_DELEGATED.0;
    }
    evmc_message {
        kind: call_kind_to_c(m.kind),
        flags,
        depth: m.depth,
        gas: m.gas,
        recipient: (&m.recipient).into(),
        sender: (&m.sender).into(),
        input_data: if input.is_empty() {
            std::ptr::null()
        } else {
            input.as_ptr()
        },
        input_size: input.len(),
        value: u256_to_c(&m.value),
        create2_salt: (&m.salt).into(),
        code_address: (&m.code_address).into(),
        code: if code.is_empty() {
            std::ptr::null()
        } else {
            code.as_ptr()
        },
        code_size: code.len(),
    }
}

/// Converts a C transaction context, copying the blob hashes (init codes are EOF-only and
/// ignored).
///
/// # Safety
/// `c.blob_hashes` must be null or point to `c.blob_hashes_count` hashes.
pub unsafe fn tx_context_from_c(c: &evmc_tx_context) -> Result<TxContext, BadArg> {
    // SAFETY: forwarded from the caller.
    let hashes = unsafe { slice_from_c(c.blob_hashes, c.blob_hashes_count) }?;
    Ok(TxContext {
        gas_price: u256_from_c(&c.tx_gas_price),
        origin: c.tx_origin.into(),
        coinbase: c.block_coinbase.into(),
        number: c.block_number,
        timestamp: c.block_timestamp,
        gas_limit: c.block_gas_limit,
        prev_randao: c.block_prev_randao.into(),
        chain_id: u256_from_c(&c.chain_id),
        base_fee: u256_from_c(&c.block_base_fee),
        blob_base_fee: u256_from_c(&c.blob_base_fee),
        blob_hashes: hashes.iter().map(|h| B256::from(*h)).collect(),
    })
}

/// A C view of `t`; `blob_hashes` must be `t.blob_hashes` converted (the result points into it).
pub fn tx_context_to_c(t: &TxContext, blob_hashes: &[evmc_bytes32]) -> evmc_tx_context {
    evmc_tx_context {
        tx_gas_price: u256_to_c(&t.gas_price),
        tx_origin: (&t.origin).into(),
        block_coinbase: (&t.coinbase).into(),
        block_number: t.number,
        block_timestamp: t.timestamp,
        block_gas_limit: t.gas_limit,
        block_prev_randao: (&t.prev_randao).into(),
        chain_id: u256_to_c(&t.chain_id),
        block_base_fee: u256_to_c(&t.base_fee),
        blob_base_fee: u256_to_c(&t.blob_base_fee),
        blob_hashes: if blob_hashes.is_empty() {
            std::ptr::null()
        } else {
            blob_hashes.as_ptr()
        },
        blob_hashes_count: blob_hashes.len(),
        initcodes: std::ptr::null(),
        initcodes_count: 0,
    }
}

/// Results created by [`result_to_c`] and not yet released, in this copy of the library.
static OUTSTANDING_RESULTS: AtomicIsize = AtomicIsize::new(0);

/// How many results created by this copy of the library have not been released yet (a leak
/// check for tests: 0 when every result was released exactly once).
pub fn outstanding_results() -> isize {
    OUTSTANDING_RESULTS.load(Ordering::Relaxed)
}

/// An owned C result: the output is copied into a boxed slice that [`release_result`] frees.
/// When that copy cannot be allocated the result is `EVMC_OUT_OF_MEMORY` (no gas, no output),
/// never an abort of the host process.
pub fn result_to_c(r: &ExecResult) -> evmc_result {
    let (output_data, output_size) = if r.output.is_empty() {
        (std::ptr::null(), 0)
    } else {
        let mut copy = Vec::new();
        if copy.try_reserve_exact(r.output.len()).is_err() {
            return status_result(evmc_status_code::EVMC_OUT_OF_MEMORY);
        }
        copy.extend_from_slice(&r.output);
        let boxed: Box<[u8]> = copy.into_boxed_slice();
        let len = boxed.len();
        (Box::into_raw(boxed) as *const u8, len)
    };
    OUTSTANDING_RESULTS.fetch_add(1, Ordering::Relaxed);
    evmc_result {
        status_code: status_to_c(r.status),
        gas_left: r.gas_left,
        gas_refund: r.gas_refund,
        output_data,
        output_size,
        release: Some(release_result),
        create_address: r
            .create_address
            .as_ref()
            .map(evmc_address::from)
            .unwrap_or_default(),
        padding: [0; 4],
    }
}

/// A result with `status`, no gas and no output, that owns nothing (`release` is null).
pub fn status_result(status: evmc_status_code) -> evmc_result {
    evmc_result {
        status_code: status,
        gas_left: 0,
        gas_refund: 0,
        output_data: std::ptr::null(),
        output_size: 0,
        release: None,
        create_address: evmc_address::default(),
        padding: [0; 4],
    }
}

/// Frees the output of a result made by [`result_to_c`].
///
/// # Safety
/// `result` must be null or a result made by [`result_to_c`] whose output was not freed yet.
pub unsafe extern "C" fn release_result(result: *const evmc_result) {
    // SAFETY: the caller passes null or a valid result.
    let Some(r) = (unsafe { result.as_ref() }) else {
        return;
    };
    if !r.output_data.is_null() && r.output_size > 0 {
        let slice = std::ptr::slice_from_raw_parts_mut(r.output_data as *mut u8, r.output_size);
        // SAFETY: `result_to_c` made this pointer with `Box::into_raw` of a boxed slice of exactly
        // `output_size` bytes, and the caller releases each result once.
        drop(unsafe { Box::from_raw(slice) });
    }
    OUTSTANDING_RESULTS.fetch_sub(1, Ordering::Relaxed);
}

/// Copies a C result into an engine result and releases the C one (exactly once).
///
/// # Safety
/// `r` must be a valid result just returned by a VM or host, not yet released; its output must be
/// null or `output_size` readable bytes.
pub unsafe fn result_from_c(r: evmc_result, create: bool) -> ExecResult {
    // SAFETY: forwarded from the caller; a null pointer with a size counts as empty output.
    let src = unsafe { slice_from_c(r.output_data, r.output_size) }.unwrap_or_default();
    // The size comes from the other side: a copy that cannot be allocated is OUT_OF_MEMORY.
    let mut copy = Vec::new();
    let copied = copy.try_reserve_exact(src.len()).is_ok();
    if copied {
        copy.extend_from_slice(src);
    }
    let output = Bytes::from(copy);
    let status = if copied {
        status_from_c(r.status_code)
    } else {
        StatusCode::OutOfMemory
    };
    let out = ExecResult {
        status,
        gas_left: if copied { r.gas_left } else { 0 },
        gas_refund: if copied { r.gas_refund } else { 0 },
        output,
        create_address: (create && status.is_success()).then(|| r.create_address.into()),
    };
    if let Some(release) = r.release {
        // SAFETY: the result came from its creator with this release function; we call it once.
        unsafe { release(&r) };
    }
    out
}

/// Checks a result that came over the C boundary for a frame started with `gas`: `None` when it
/// is impossible (gas left negative or above `gas`, which would mint gas) or an internal error
/// (EVMC: not to be passed on); else the result unchanged. A failure may keep gas: hosts answer
/// "light" failures (e.g. a CREATE with a sender nonce at its maximum) with the call's gas intact.
pub fn sanitize_result(r: ExecResult, gas: i64) -> Option<ExecResult> {
    if r.gas_left < 0 || r.gas_left > gas || r.status == StatusCode::InternalError {
        return None;
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_round_trip() {
        let m = Message {
            kind: CallKind::Create2,
            is_static: true,
            delegated: true,
            depth: 3,
            gas: 12345,
            recipient: Address::repeat_byte(1),
            sender: Address::repeat_byte(2),
            input: Bytes::from_static(&[1, 2, 3]),
            value: U256::from(0x1234_5678u64) << 200,
            salt: B256::repeat_byte(9),
            code_address: Address::repeat_byte(3),
        };
        let c = message_to_c(&m, &[0x60]);
        assert_eq!(c.flags, 3);
        assert_eq!(c.kind, evmc_call_kind::EVMC_CREATE2);
        assert_eq!(c.code_size, 1);
        // SAFETY: `c` points into `m`, alive here.
        let back = unsafe { message_from_c(&c) }.unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn bad_messages_are_rejected() {
        let m = message_to_c(&Message::default(), &[]);
        let mut bad = m;
        bad.input_size = 4;
        // SAFETY: input is null; the function must refuse it before reading.
        assert_eq!(unsafe { message_from_c(&bad) }, Err(BadArg::NullWithSize));
        let mut bad = m;
        bad.kind = evmc_call_kind::EVMC_EOFCREATE;
        // SAFETY: no pointers to read.
        assert_eq!(unsafe { message_from_c(&bad) }, Err(BadArg::Unsupported));
        let mut bad = m;
        bad.gas = -1;
        // SAFETY: no pointers to read.
        assert_eq!(unsafe { message_from_c(&bad) }, Err(BadArg::Inconsistent));
    }

    #[test]
    fn statuses_map_both_ways() {
        for s in [
            StatusCode::Success,
            StatusCode::Revert,
            StatusCode::OutOfGas,
            StatusCode::InsufficientBalance,
            StatusCode::InternalError,
            StatusCode::Rejected,
            StatusCode::OutOfMemory,
        ] {
            assert_eq!(status_from_c(status_to_c(s)), s);
        }
        assert_eq!(status_from_c(evmc_status_code(16)), StatusCode::Failure);
        assert_eq!(
            status_from_c(evmc_status_code(-77)),
            StatusCode::InternalError
        );
        for v in 0..=8 {
            assert_eq!(
                storage_status_to_c(storage_status_from_c(evmc_storage_status(v))).0,
                v
            );
        }
        assert_eq!(
            storage_status_from_c(evmc_storage_status(99)),
            StorageStatus::Assigned
        );
    }

    #[test]
    fn impossible_results_are_refused() {
        let ok = |status, gas_left| ExecResult {
            status,
            gas_left,
            gas_refund: 0,
            output: Bytes::new(),
            create_address: None,
        };
        for r in [
            ok(StatusCode::Success, 5),
            ok(StatusCode::Revert, 10),
            ok(StatusCode::Failure, 10),
            ok(StatusCode::OutOfGas, 0),
        ] {
            assert_eq!(sanitize_result(r.clone(), 10), Some(r));
        }
        assert_eq!(sanitize_result(ok(StatusCode::Success, 11), 10), None);
        assert_eq!(sanitize_result(ok(StatusCode::Success, -1), 10), None);
        assert_eq!(sanitize_result(ok(StatusCode::InternalError, 0), 10), None);
    }

    #[test]
    fn results_release_their_output_once() {
        let before = outstanding_results();
        let r = ExecResult {
            status: StatusCode::Revert,
            gas_left: 7,
            gas_refund: 0,
            output: Bytes::from_static(b"abc"),
            create_address: None,
        };
        let c = result_to_c(&r);
        assert_eq!(outstanding_results(), before + 1);
        // SAFETY: `c` was just made by `result_to_c` and is released once, inside.
        let back = unsafe { result_from_c(c, false) };
        assert_eq!(back, r);
        assert_eq!(outstanding_results(), before);
    }
}
