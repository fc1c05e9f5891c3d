//! The host direction's callbacks: an `evmc_host_interface` of generic `extern "C"` functions
//! over any engine [`Host`], whose context pointer is a [`HostFrame`] borrowing that host.
//!
//! No panic of the Rust host unwinds into the C VM: each callback catches it, marks the frame
//! failed, answers a neutral value and short-circuits the frame's later callbacks; the frame then
//! ends with `INTERNAL_ERROR`. A panic is a bug of the Rust host, so it also fails every frame
//! above it: once a callback panicked, each enclosing frame's `call` callback fails its frame
//! too, and the whole execution ends with `INTERNAL_ERROR`.
//!
//! Otherwise the host's call results reach the VM as they are, whatever their status (an
//! `INTERNAL_ERROR` result included): EVMC VMs treat every status but success as a failed
//! sub-call and go on.

use crate::convert::*;
use crate::ffi::*;
use std::cell::Cell;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use xvm_evm::{Address, ExecResult, Host, B256};

thread_local! {
    /// `HostFrame`s alive on this thread (nested frames of one execution).
    static ACTIVE_FRAMES: Cell<u32> = const { Cell::new(0) };
    /// A host callback panicked in the execution running on this thread.
    static HOST_PANICKED: Cell<bool> = const { Cell::new(false) };
}

fn host_panicked() -> bool {
    HOST_PANICKED.try_with(Cell::get).unwrap_or(true)
}

/// One execution frame's host context for a C VM: the host, the converted transaction context
/// and whether a callback failed. Hand [`HostFrame::INTERFACE`] and [`HostFrame::as_context`] to
/// a VM's `execute`; [`crate::LoadedVm`] does exactly that.
pub struct HostFrame<'h, H: Host> {
    host: &'h mut H,
    failed: bool,
    /// Blob hashes of the transaction context in C form, kept while the frame runs because the
    /// `evmc_tx_context` handed to the VM points into them.
    tx: Option<(evmc_tx_context, Vec<evmc_bytes32>)>,
}

impl<'h, H: Host> HostFrame<'h, H> {
    /// The interface whose callbacks expect a `HostFrame<H>` as context.
    pub const INTERFACE: evmc_host_interface = evmc_host_interface {
        account_exists: Some(account_exists::<H>),
        get_storage: Some(get_storage::<H>),
        set_storage: Some(set_storage::<H>),
        get_balance: Some(get_balance::<H>),
        get_code_size: Some(get_code_size::<H>),
        get_code_hash: Some(get_code_hash::<H>),
        copy_code: Some(copy_code::<H>),
        selfdestruct: Some(selfdestruct::<H>),
        call: Some(call::<H>),
        get_tx_context: Some(get_tx_context::<H>),
        get_block_hash: Some(get_block_hash::<H>),
        emit_log: Some(emit_log::<H>),
        access_account: Some(access_account::<H>),
        access_storage: Some(access_storage::<H>),
        get_transient_storage: Some(get_transient_storage::<H>),
        set_transient_storage: Some(set_transient_storage::<H>),
    };

    /// A frame over `host`.
    pub fn new(host: &'h mut H) -> Self {
        let _ = ACTIVE_FRAMES.try_with(|n| {
            if n.get() == 0 {
                // A new execution: forget a panic of an earlier one.
                let _ = HOST_PANICKED.try_with(|p| p.set(false));
            }
            n.set(n.get() + 1);
        });
        HostFrame {
            host,
            failed: false,
            tx: None,
        }
    }

    /// The context pointer to hand to the VM along with [`Self::INTERFACE`].
    pub fn as_context(&mut self) -> *mut evmc_host_context {
        (self as *mut Self).cast()
    }

    /// Whether a callback panicked, got invalid arguments, or saw an internal error.
    pub fn failed(&self) -> bool {
        self.failed
    }
}

impl<H: Host> Drop for HostFrame<'_, H> {
    fn drop(&mut self) {
        let _ = ACTIVE_FRAMES.try_with(|n| n.set(n.get().saturating_sub(1)));
    }
}

/// Marker so the generic callbacks below name their frame type without a lifetime.
struct Frame<H>(PhantomData<H>);

impl<H: Host> Frame<H> {
    /// Runs `f` on the frame behind `ctx`, catching panics; answers `default` when the context is
    /// null, the frame already failed, `f` reports bad arguments (`None`), or `f` panics.
    ///
    /// # Safety
    /// `ctx` must be null or the context of a live `HostFrame<H>` not otherwise borrowed.
    #[inline]
    unsafe fn with<R>(
        ctx: *mut evmc_host_context,
        default: R,
        f: impl FnOnce(&mut HostFrame<'_, H>) -> Option<R>,
    ) -> R {
        // SAFETY: the caller guarantees `ctx` is null or our frame, exclusively ours here.
        let Some(frame) = (unsafe { ctx.cast::<HostFrame<'_, H>>().as_mut() }) else {
            return default;
        };
        if frame.failed {
            return default;
        }
        match catch_unwind(AssertUnwindSafe(|| f(&mut *frame))) {
            Ok(Some(r)) => r,
            Ok(None) => {
                frame.failed = true;
                default
            }
            Err(_) => {
                let _ = HOST_PANICKED.try_with(|p| p.set(true));
                frame.failed = true;
                default
            }
        }
    }
}

/// Reads an address argument.
///
/// # Safety
/// `p` must be null or valid.
#[inline]
unsafe fn addr(p: *const evmc_address) -> Option<Address> {
    // SAFETY: forwarded.
    unsafe { read_ptr(p) }.ok().map(Address::from)
}

/// Reads a 32-byte argument as a U256.
///
/// # Safety
/// `p` must be null or valid.
#[inline]
unsafe fn word(p: *const evmc_bytes32) -> Option<xvm_evm::U256> {
    // SAFETY: forwarded.
    unsafe { read_ptr(p) }.ok().map(|v| u256_from_c(&v))
}

// Each callback below: SAFETY of the outer `unsafe` blocks: the VM calls it with the context it
// was given (a `HostFrame<H>`) and pointers valid for the duration of the call, as EVMC requires.

unsafe extern "C" fn account_exists<H: Host>(
    ctx: *mut evmc_host_context,
    a: *const evmc_address,
) -> bool {
    // SAFETY: see above.
    unsafe { Frame::<H>::with(ctx, false, |f| Some(f.host.account_exists(&addr(a)?))) }
}

unsafe extern "C" fn get_storage<H: Host>(
    ctx: *mut evmc_host_context,
    a: *const evmc_address,
    k: *const evmc_bytes32,
) -> evmc_bytes32 {
    // SAFETY: see above.
    unsafe {
        Frame::<H>::with(ctx, evmc_bytes32::default(), |f| {
            Some(u256_to_c(&f.host.get_storage(&addr(a)?, &word(k)?)))
        })
    }
}

unsafe extern "C" fn set_storage<H: Host>(
    ctx: *mut evmc_host_context,
    a: *const evmc_address,
    k: *const evmc_bytes32,
    v: *const evmc_bytes32,
) -> evmc_storage_status {
    // SAFETY: see above.
    unsafe {
        Frame::<H>::with(ctx, evmc_storage_status::EVMC_STORAGE_ASSIGNED, |f| {
            Some(storage_status_to_c(f.host.set_storage(
                &addr(a)?,
                &word(k)?,
                &word(v)?,
            )))
        })
    }
}

unsafe extern "C" fn get_balance<H: Host>(
    ctx: *mut evmc_host_context,
    a: *const evmc_address,
) -> evmc_uint256be {
    // SAFETY: see above.
    unsafe {
        Frame::<H>::with(ctx, evmc_bytes32::default(), |f| {
            Some(u256_to_c(&f.host.get_balance(&addr(a)?)))
        })
    }
}

unsafe extern "C" fn get_code_size<H: Host>(
    ctx: *mut evmc_host_context,
    a: *const evmc_address,
) -> usize {
    // SAFETY: see above.
    unsafe { Frame::<H>::with(ctx, 0, |f| Some(f.host.get_code_size(&addr(a)?))) }
}

unsafe extern "C" fn get_code_hash<H: Host>(
    ctx: *mut evmc_host_context,
    a: *const evmc_address,
) -> evmc_bytes32 {
    // SAFETY: see above.
    unsafe {
        Frame::<H>::with(ctx, evmc_bytes32::default(), |f| {
            Some((&f.host.get_code_hash(&addr(a)?)).into())
        })
    }
}

unsafe extern "C" fn copy_code<H: Host>(
    ctx: *mut evmc_host_context,
    a: *const evmc_address,
    offset: usize,
    buf: *mut u8,
    size: usize,
) -> usize {
    // SAFETY: see above.
    unsafe {
        Frame::<H>::with(ctx, 0, |f| {
            let a = addr(a)?;
            let buf: &mut [u8] = if size == 0 {
                &mut []
            } else if buf.is_null() {
                return None;
            } else {
                // SAFETY: the VM passes a writable buffer of `size` bytes.
                std::slice::from_raw_parts_mut(buf, size)
            };
            Some(f.host.copy_code(&a, offset, buf).min(size))
        })
    }
}

unsafe extern "C" fn selfdestruct<H: Host>(
    ctx: *mut evmc_host_context,
    a: *const evmc_address,
    b: *const evmc_address,
) -> bool {
    // SAFETY: see above.
    unsafe {
        Frame::<H>::with(ctx, false, |f| {
            Some(f.host.selfdestruct(&addr(a)?, &addr(b)?))
        })
    }
}

unsafe extern "C" fn call<H: Host>(
    ctx: *mut evmc_host_context,
    msg: *const evmc_message,
) -> evmc_result {
    let internal = status_result(evmc_status_code::EVMC_INTERNAL_ERROR);
    // SAFETY: see above.
    unsafe {
        Frame::<H>::with(ctx, internal, |f| {
            // The input stays in the VM's buffer (valid during this callback): hosts that read it
            // in place (xvm's world state) copy nothing; others get a copy (the default).
            let (mut m, input) = message_from_c_borrowed(msg.as_ref()?).ok()?;
            let r: ExecResult = f.host.call_with_input(&mut m, input);
            if host_panicked() {
                // A host callback panicked below: the whole execution fails (module docs).
                return None;
            }
            Some(result_to_c(&r))
        })
    }
}

unsafe extern "C" fn get_tx_context<H: Host>(ctx: *mut evmc_host_context) -> evmc_tx_context {
    let empty = tx_context_to_c(&Default::default(), &[]);
    // SAFETY: see above.
    unsafe {
        Frame::<H>::with(ctx, empty, |f| {
            if f.tx.is_none() {
                let t = f.host.get_tx_context();
                let hashes: Vec<evmc_bytes32> = t.blob_hashes.iter().map(Into::into).collect();
                // The C struct points into `hashes`' heap buffer, which does not move when the
                // vector is moved into the frame.
                let c = tx_context_to_c(t, &hashes);
                f.tx = Some((c, hashes));
            }
            f.tx.as_ref().map(|(c, _)| *c)
        })
    }
}

unsafe extern "C" fn get_block_hash<H: Host>(
    ctx: *mut evmc_host_context,
    number: i64,
) -> evmc_bytes32 {
    // SAFETY: see above.
    unsafe {
        Frame::<H>::with(ctx, evmc_bytes32::default(), |f| {
            Some((&f.host.get_block_hash(number)).into())
        })
    }
}

unsafe extern "C" fn emit_log<H: Host>(
    ctx: *mut evmc_host_context,
    a: *const evmc_address,
    data: *const u8,
    data_size: usize,
    topics: *const evmc_bytes32,
    topics_count: usize,
) {
    // SAFETY: see above.
    unsafe {
        Frame::<H>::with(ctx, (), |f| {
            let a = addr(a)?;
            let data = slice_from_c(data, data_size).ok()?;
            let topics = slice_from_c(topics, topics_count).ok()?;
            let topics: Vec<B256> = topics.iter().map(|t| B256::from(*t)).collect();
            f.host.emit_log(&a, &topics, data);
            Some(())
        })
    }
}

unsafe extern "C" fn access_account<H: Host>(
    ctx: *mut evmc_host_context,
    a: *const evmc_address,
) -> evmc_access_status {
    // SAFETY: see above.
    unsafe {
        Frame::<H>::with(ctx, evmc_access_status::EVMC_ACCESS_COLD, |f| {
            Some(access_status_to_c(f.host.access_account(&addr(a)?)))
        })
    }
}

unsafe extern "C" fn access_storage<H: Host>(
    ctx: *mut evmc_host_context,
    a: *const evmc_address,
    k: *const evmc_bytes32,
) -> evmc_access_status {
    // SAFETY: see above.
    unsafe {
        Frame::<H>::with(ctx, evmc_access_status::EVMC_ACCESS_COLD, |f| {
            Some(access_status_to_c(
                f.host.access_storage(&addr(a)?, &word(k)?),
            ))
        })
    }
}

unsafe extern "C" fn get_transient_storage<H: Host>(
    ctx: *mut evmc_host_context,
    a: *const evmc_address,
    k: *const evmc_bytes32,
) -> evmc_bytes32 {
    // SAFETY: see above.
    unsafe {
        Frame::<H>::with(ctx, evmc_bytes32::default(), |f| {
            Some(u256_to_c(
                &f.host.get_transient_storage(&addr(a)?, &word(k)?),
            ))
        })
    }
}

unsafe extern "C" fn set_transient_storage<H: Host>(
    ctx: *mut evmc_host_context,
    a: *const evmc_address,
    k: *const evmc_bytes32,
    v: *const evmc_bytes32,
) {
    // SAFETY: see above.
    unsafe {
        Frame::<H>::with(ctx, (), |f| {
            f.host
                .set_transient_storage(&addr(a)?, &word(k)?, &word(v)?);
            Some(())
        })
    }
}
