//! xvm as an EVMC VM: the exported `evmc_create_xvm` / `evmc_create`, and the adapter that lets
//! the engine reach a C host through `evmc_host_interface`.

use crate::convert::*;
use crate::ffi::*;
use std::ffi::{c_char, CStr};
use std::io::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use xvm_evm::trace::{eip3155_step_line, eip3155_summary_line, Step};
use xvm_evm::{
    AccessStatus, Address, ExecResult, Host, Message, Revision, StatusCode, StorageStatus,
    TxContext, B256, U256,
};

/// The first bytes of an EOF container.
const EOF_MAGIC: [u8; 2] = [0xef, 0x00];

/// The VM's name as EVMC reports it.
pub const VM_NAME: &CStr = c"xvm";

/// The VM's version (the crate version) as EVMC reports it.
pub const VM_VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(s) => s,
        Err(_) => panic!("crate version contains a NUL byte"),
    };

/// An xvm VM instance: the C `evmc_vm` (first, so that a pointer to it is a pointer to the whole
/// instance) and the options.
#[repr(C)]
struct XvmInstance {
    vm: evmc_vm,
    /// `trace` option: EIP-3155 lines on stderr.
    trace: AtomicBool,
    /// `memory_limit` option: the largest memory of one frame, in bytes.
    memory_limit: AtomicU64,
}

/// Creates an xvm EVMC VM instance (ABI version 12). Destroy it with its `destroy` function.
#[no_mangle]
pub extern "C" fn evmc_create_xvm() -> *mut evmc_vm {
    let instance = Box::new(XvmInstance {
        vm: evmc_vm {
            abi_version: EVMC_ABI_VERSION,
            name: VM_NAME.as_ptr(),
            version: VM_VERSION.as_ptr(),
            destroy: Some(destroy),
            execute: Some(execute),
            get_capabilities: Some(get_capabilities),
            set_option: Some(set_option),
        },
        trace: AtomicBool::new(false),
        memory_limit: AtomicU64::new(xvm_evm::MAX_MEMORY_SIZE),
    });
    Box::into_raw(instance).cast::<evmc_vm>()
}

/// The generic EVMC entry point (same as [`evmc_create_xvm`]), for loaders that fall back to it.
#[no_mangle]
pub extern "C" fn evmc_create() -> *mut evmc_vm {
    evmc_create_xvm()
}

/// How many results created by this library are not released yet. A leak check for tests and
/// hosts: after every result was released exactly once it is 0.
#[no_mangle]
pub extern "C" fn xvm_evmc_outstanding_results() -> isize {
    outstanding_results()
}

/// The instance behind `vm`, if `vm` is one of ours.
///
/// # Safety
/// `vm` must be null or a live VM made by [`evmc_create_xvm`].
unsafe fn instance<'a>(vm: *mut evmc_vm) -> Option<&'a XvmInstance> {
    // SAFETY: `evmc_create_xvm` allocates an `XvmInstance` whose first field is the `evmc_vm`
    // (`repr(C)`), so the pointer casts back; the caller guarantees it is live.
    let inst = unsafe { vm.cast::<XvmInstance>().as_ref() }?;
    (inst.vm.abi_version == EVMC_ABI_VERSION).then_some(inst)
}

unsafe extern "C" fn destroy(vm: *mut evmc_vm) {
    if vm.is_null() {
        return;
    }
    // SAFETY: `vm` came from `evmc_create_xvm` (`Box<XvmInstance>`), and EVMC calls destroy once.
    drop(unsafe { Box::from_raw(vm.cast::<XvmInstance>()) });
}

unsafe extern "C" fn get_capabilities(_vm: *mut evmc_vm) -> evmc_capabilities_flagset {
    evmc_capabilities::EVMC_CAPABILITY_EVM1.0
}

unsafe extern "C" fn set_option(
    vm: *mut evmc_vm,
    name: *const c_char,
    value: *const c_char,
) -> evmc_set_option_result {
    // SAFETY: the host passes our VM.
    let Some(inst) = (unsafe { instance(vm) }) else {
        return evmc_set_option_result::EVMC_SET_OPTION_INVALID_NAME;
    };
    if name.is_null() {
        return evmc_set_option_result::EVMC_SET_OPTION_INVALID_NAME;
    }
    // SAFETY: non-null C strings from the host, valid for the duration of the call.
    let name = unsafe { CStr::from_ptr(name) };
    let value = (!value.is_null()).then(|| {
        // SAFETY: as above.
        unsafe { CStr::from_ptr(value) }
    });
    match name.to_bytes() {
        b"trace" => {
            let on = match value.map(CStr::to_bytes) {
                Some(b"1" | b"true" | b"on" | b"") => true,
                Some(b"0" | b"false" | b"off") => false,
                _ => return evmc_set_option_result::EVMC_SET_OPTION_INVALID_VALUE,
            };
            inst.trace.store(on, Ordering::Relaxed);
            evmc_set_option_result::EVMC_SET_OPTION_SUCCESS
        }
        b"memory_limit" => {
            // Decimal bytes: the largest end of a memory access; past it is OUT_OF_GAS.
            let limit = value
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            match limit {
                Some(l) => {
                    inst.memory_limit.store(l, Ordering::Relaxed);
                    evmc_set_option_result::EVMC_SET_OPTION_SUCCESS
                }
                None => evmc_set_option_result::EVMC_SET_OPTION_INVALID_VALUE,
            }
        }
        _ => evmc_set_option_result::EVMC_SET_OPTION_INVALID_NAME,
    }
}

unsafe extern "C" fn execute(
    vm: *mut evmc_vm,
    host: *const evmc_host_interface,
    context: *mut evmc_host_context,
    rev: evmc_revision,
    msg: *const evmc_message,
    code: *const u8,
    code_size: usize,
) -> evmc_result {
    // Nothing may unwind into the C caller: a panic anywhere in the engine or the adapter ends
    // this execution with INTERNAL_ERROR.
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: forwarded from the EVMC caller, validated inside.
        unsafe { execute_checked(vm, host, context, rev, msg, code, code_size) }
    }))
    .unwrap_or_else(|_| status_result(evmc_status_code::EVMC_INTERNAL_ERROR))
}

/// Validates the arguments, runs the engine and converts its result.
///
/// # Safety
/// Every non-null pointer must be valid as EVMC's `execute` requires.
unsafe fn execute_checked(
    vm: *mut evmc_vm,
    host: *const evmc_host_interface,
    context: *mut evmc_host_context,
    rev: evmc_revision,
    msg: *const evmc_message,
    code: *const u8,
    code_size: usize,
) -> evmc_result {
    let internal = || status_result(evmc_status_code::EVMC_INTERNAL_ERROR);
    // SAFETY: the caller passes our VM or null.
    let Some(inst) = (unsafe { instance(vm) }) else {
        return internal();
    };
    // SAFETY: the caller passes a valid interface or null.
    let Some(iface) = (unsafe { host.as_ref() }) else {
        return internal();
    };
    if !interface_complete(iface) {
        return internal();
    }
    let experimental = rev == evmc_revision::EVMC_EXPERIMENTAL;
    let rev = if experimental {
        // Hosts and test suites loop over every revision up to EVMC_MAX_REVISION: the
        // experimental one runs with the newest rules xvm has.
        Revision::LATEST
    } else {
        match Revision::from_evmc(i64::from(rev.0)) {
            Some(r) => r,
            None => return status_result(evmc_status_code::EVMC_REJECTED),
        }
    };
    // SAFETY: the caller passes a valid message or null.
    let Some(cmsg) = (unsafe { msg.as_ref() }) else {
        return internal();
    };
    // SAFETY: the message's input pointer and size come from the host as EVMC requires, valid
    // and unchanged for the whole execution; the input is read in place, not copied.
    let (msg, input) = match unsafe { message_from_c_borrowed(cmsg) } {
        Ok(m) => m,
        Err(BadArg::Unsupported) => return status_result(evmc_status_code::EVMC_REJECTED),
        Err(_) => return internal(),
    };
    // SAFETY: the code pointer and size come from the host as EVMC requires.
    let Ok(code) = (unsafe { slice_from_c(code, code_size) }) else {
        return internal();
    };
    // EOF containers (0xEF00...) are not run: EOF left the Osaka fork and xvm does not implement
    // it. Where EOF rules would apply (the experimental revision) the execution is refused;
    // in Frontier..Osaka such code is ordinary legacy code whose first byte, 0xEF, is an
    // undefined instruction, exactly as the consensus rules of those forks say.
    if experimental && code.starts_with(&EOF_MAGIC) {
        return status_result(evmc_status_code::EVMC_REJECTED);
    }
    let mut adapter = CHost {
        iface,
        ctx: context,
        tx: None,
        trace: inst.trace.load(Ordering::Relaxed),
        memory_limit: inst.memory_limit.load(Ordering::Relaxed),
        pending_step: None,
        gas: msg.gas,
        host_error: false,
    };
    let analysis = crate::code_cache::analyzed(code);
    let result = xvm_evm::execute_with_input(&mut adapter, rev, &msg, input, &analysis);
    if adapter.host_error {
        return internal();
    }
    result_to_c(&result)
}

/// Whether every callback of the host interface is set (EVMC requires all of them).
fn interface_complete(i: &evmc_host_interface) -> bool {
    i.account_exists.is_some()
        && i.get_storage.is_some()
        && i.set_storage.is_some()
        && i.get_balance.is_some()
        && i.get_code_size.is_some()
        && i.get_code_hash.is_some()
        && i.copy_code.is_some()
        && i.selfdestruct.is_some()
        && i.call.is_some()
        && i.get_tx_context.is_some()
        && i.get_block_hash.is_some()
        && i.emit_log.is_some()
        && i.access_account.is_some()
        && i.access_storage.is_some()
        && i.get_transient_storage.is_some()
        && i.set_transient_storage.is_some()
}

/// The engine's [`Host`] over a C host interface and context. Every callback was checked to be
/// set before an adapter is made; the `let ... else` fallbacks are never taken.
struct CHost<'a> {
    iface: &'a evmc_host_interface,
    ctx: *mut evmc_host_context,
    /// The transaction context, fetched on first use.
    tx: Option<TxContext>,
    /// `trace` option: EIP-3155 lines on stderr.
    trace: bool,
    /// `memory_limit` option: the largest memory of one frame, in bytes.
    memory_limit: u64,
    /// The last step's EIP-3155 line, held back until the next step, a nested call or the
    /// frame's end (the step a frame fails on carries the `error` field).
    pending_step: Option<String>,
    /// Gas the frame started with (for the trace summary's `gasUsed`).
    gas: i64,
    /// The host answered something impossible (a call result with negative gas or more gas than
    /// the call was given, a transaction context with a null blob-hash pointer): the execution
    /// ends with `INTERNAL_ERROR`.
    host_error: bool,
}

impl CHost<'_> {
    /// Writes the held-back step line, with `error` when the frame failed on that step.
    fn flush_step(&mut self, error: Option<&str>) {
        if let Some(mut line) = self.pending_step.take() {
            if let Some(e) = error {
                line.pop();
                line.push_str(",\"error\":\"");
                line.push_str(e);
                line.push_str("\"}");
            }
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
    }
}

impl Host for CHost<'_> {
    fn account_exists(&mut self, addr: &Address) -> bool {
        let Some(f) = self.iface.account_exists else {
            return false;
        };
        // SAFETY: a host callback called with its own context and a valid address.
        unsafe { f(self.ctx, &addr.into()) }
    }

    fn get_storage(&mut self, addr: &Address, key: &U256) -> U256 {
        let Some(f) = self.iface.get_storage else {
            return U256::ZERO;
        };
        // SAFETY: as above.
        u256_from_c(&unsafe { f(self.ctx, &addr.into(), &u256_to_c(key)) })
    }

    fn set_storage(&mut self, addr: &Address, key: &U256, value: &U256) -> StorageStatus {
        let Some(f) = self.iface.set_storage else {
            return StorageStatus::Assigned;
        };
        // SAFETY: as above.
        storage_status_from_c(unsafe {
            f(self.ctx, &addr.into(), &u256_to_c(key), &u256_to_c(value))
        })
    }

    fn get_balance(&mut self, addr: &Address) -> U256 {
        let Some(f) = self.iface.get_balance else {
            return U256::ZERO;
        };
        // SAFETY: as above.
        u256_from_c(&unsafe { f(self.ctx, &addr.into()) })
    }

    fn get_code_size(&mut self, addr: &Address) -> usize {
        let Some(f) = self.iface.get_code_size else {
            return 0;
        };
        // SAFETY: as above.
        unsafe { f(self.ctx, &addr.into()) }
    }

    fn get_code_hash(&mut self, addr: &Address) -> B256 {
        let Some(f) = self.iface.get_code_hash else {
            return B256::ZERO;
        };
        // SAFETY: as above.
        unsafe { f(self.ctx, &addr.into()) }.into()
    }

    fn copy_code(&mut self, addr: &Address, offset: usize, buf: &mut [u8]) -> usize {
        let Some(f) = self.iface.copy_code else {
            return 0;
        };
        // SAFETY: as above; `buf` is a valid writable buffer of `buf.len()` bytes.
        let n = unsafe { f(self.ctx, &addr.into(), offset, buf.as_mut_ptr(), buf.len()) };
        n.min(buf.len())
    }

    fn selfdestruct(&mut self, addr: &Address, beneficiary: &Address) -> bool {
        let Some(f) = self.iface.selfdestruct else {
            return false;
        };
        // SAFETY: as above.
        unsafe { f(self.ctx, &addr.into(), &beneficiary.into()) }
    }

    fn call(&mut self, msg: &Message) -> ExecResult {
        let mut m = msg.clone();
        let input = std::mem::take(&mut m.input);
        self.call_with_input(&mut m, &input)
    }

    fn call_with_input(&mut self, msg: &mut Message, input: &[u8]) -> ExecResult {
        let Some(f) = self.iface.call else {
            return ExecResult::failure(StatusCode::InternalError);
        };
        // The nested frame's trace lines follow this frame's CALL line.
        self.flush_step(None);
        // The input goes to the host in place, straight from this frame's memory.
        let cmsg = message_to_c_with_input(msg, input, &[]);
        // SAFETY: `cmsg` points into `msg` and `input`, both alive for the call.
        let r = unsafe { f(self.ctx, &cmsg) };
        // SAFETY: `r` was just returned by the host and is released once, inside.
        let result = unsafe { result_from_c(r, msg.kind.is_create()) };
        // Whatever the status (INTERNAL_ERROR and REJECTED included), the engine treats anything
        // but success as a failed sub-call: 0 on the stack, the output as return data, and the
        // caller goes on (EVMC; evmone does the same). Only a result that would mint gas is
        // refused, and then the whole execution fails.
        if result.gas_left < 0 || result.gas_left > msg.gas {
            self.host_error = true;
            return ExecResult::failure(StatusCode::InternalError);
        }
        result
    }

    fn get_tx_context(&mut self) -> &TxContext {
        if self.tx.is_none() {
            let tx = match self.iface.get_tx_context {
                Some(f) => {
                    // SAFETY: as above.
                    let c = unsafe { f(self.ctx) };
                    // SAFETY: the host's blob hash pointer and count are valid during this
                    // execution; a null pointer with a count is refused, not read.
                    unsafe { tx_context_from_c(&c) }.unwrap_or_else(|_| {
                        self.host_error = true;
                        TxContext::default()
                    })
                }
                None => TxContext::default(),
            };
            self.tx = Some(tx);
        }
        self.tx.get_or_insert_with(TxContext::default)
    }

    fn get_block_hash(&mut self, number: i64) -> B256 {
        let Some(f) = self.iface.get_block_hash else {
            return B256::ZERO;
        };
        // SAFETY: as above.
        unsafe { f(self.ctx, number) }.into()
    }

    fn emit_log(&mut self, addr: &Address, topics: &[B256], data: &[u8]) {
        let Some(f) = self.iface.emit_log else {
            return;
        };
        // LOG0..LOG4 give at most 4 topics: no allocation for those.
        let mut small = [evmc_bytes32::default(); 4];
        let large: Vec<evmc_bytes32>;
        let ctopics: &[evmc_bytes32] = if topics.len() <= small.len() {
            for (c, t) in small.iter_mut().zip(topics) {
                *c = t.into();
            }
            &small[..topics.len()]
        } else {
            large = topics.iter().map(Into::into).collect();
            &large
        };
        // SAFETY: as above; data and topics are valid for their lengths during the call.
        unsafe {
            f(
                self.ctx,
                &addr.into(),
                data.as_ptr(),
                data.len(),
                ctopics.as_ptr(),
                ctopics.len(),
            )
        }
    }

    fn access_account(&mut self, addr: &Address) -> AccessStatus {
        let Some(f) = self.iface.access_account else {
            return AccessStatus::Warm;
        };
        // SAFETY: as above.
        access_status_from_c(unsafe { f(self.ctx, &addr.into()) })
    }

    fn access_storage(&mut self, addr: &Address, key: &U256) -> AccessStatus {
        let Some(f) = self.iface.access_storage else {
            return AccessStatus::Warm;
        };
        // SAFETY: as above.
        access_status_from_c(unsafe { f(self.ctx, &addr.into(), &u256_to_c(key)) })
    }

    fn get_transient_storage(&mut self, addr: &Address, key: &U256) -> U256 {
        let Some(f) = self.iface.get_transient_storage else {
            return U256::ZERO;
        };
        // SAFETY: as above.
        u256_from_c(&unsafe { f(self.ctx, &addr.into(), &u256_to_c(key)) })
    }

    fn set_transient_storage(&mut self, addr: &Address, key: &U256, value: &U256) {
        let Some(f) = self.iface.set_transient_storage else {
            return;
        };
        // SAFETY: as above.
        unsafe { f(self.ctx, &addr.into(), &u256_to_c(key), &u256_to_c(value)) }
    }

    fn tracing(&self) -> bool {
        self.trace
    }

    fn memory_limit(&self) -> u64 {
        self.memory_limit
    }

    fn on_step(&mut self, step: &Step<'_>) {
        self.flush_step(None);
        self.pending_step = Some(eip3155_step_line(step));
    }

    fn on_frame_end(&mut self, depth: i32, result: &ExecResult) {
        let failed = !matches!(result.status, StatusCode::Success | StatusCode::Revert);
        self.flush_step(failed.then(|| result.status.description()));
        // The summary line ends the transaction's own frame (nested frames come through the
        // host as separate `execute` calls with depth > 0).
        if depth == 0 {
            let line = eip3155_summary_line(result, self.gas - result.gas_left);
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
    }
}
