//! Fake EVMC VMs for the loader and host-bridge tests, built as a shared library
//! (`libfake_evmc_vm.so`). Tests copy it under other names to pick the create function:
//!
//! - `evmc_create_counting`: an ABI 12 VM that calls every host callback once, echoes what it got
//!   as 32-byte words, makes one nested call from depth 0, and counts its results and releases.
//!   With the option `answer=666` it claims more gas left than it was given.
//! - `evmc_create_wrong_abi`: a VM that claims ABI version 11.
//! - `evmc_create_null_vm`: returns null.
//!
//! It exports no `evmc_create`, so a copy under an unknown name has no create function at all.
//! It includes the crate's `ffi` module by path, so it does not link the crate (and its exports).

#![allow(missing_docs, clippy::missing_safety_doc)]

#[path = "../src/ffi.rs"]
#[allow(dead_code)]
mod ffi;

use ffi::*;
use std::ffi::{c_char, CStr};
use std::sync::atomic::{AtomicU64, Ordering};

static RESULTS: AtomicU64 = AtomicU64::new(0);
static RELEASES: AtomicU64 = AtomicU64::new(0);
static DESTROYS: AtomicU64 = AtomicU64::new(0);
static OPTION_ANSWER: AtomicU64 = AtomicU64::new(0);

/// Results returned by the counting VM so far.
#[no_mangle]
pub extern "C" fn fake_vm_results() -> u64 {
    RESULTS.load(Ordering::SeqCst)
}

/// Releases of those results so far.
#[no_mangle]
pub extern "C" fn fake_vm_releases() -> u64 {
    RELEASES.load(Ordering::SeqCst)
}

/// VM instances destroyed so far (both kinds).
#[no_mangle]
pub extern "C" fn fake_vm_destroys() -> u64 {
    DESTROYS.load(Ordering::SeqCst)
}

/// The last value set for the `answer` option.
#[no_mangle]
pub extern "C" fn fake_vm_answer() -> u64 {
    OPTION_ANSWER.load(Ordering::SeqCst)
}

unsafe extern "C" fn destroy(vm: *mut evmc_vm) {
    DESTROYS.fetch_add(1, Ordering::SeqCst);
    drop(Box::from_raw(vm));
}

unsafe extern "C" fn capabilities(_vm: *mut evmc_vm) -> evmc_capabilities_flagset {
    evmc_capabilities::EVMC_CAPABILITY_EVM1.0
}

unsafe extern "C" fn set_option(
    _vm: *mut evmc_vm,
    name: *const c_char,
    value: *const c_char,
) -> evmc_set_option_result {
    let name = CStr::from_ptr(name).to_bytes();
    let value = CStr::from_ptr(value).to_str().unwrap_or("");
    if name != b"answer" {
        return evmc_set_option_result::EVMC_SET_OPTION_INVALID_NAME;
    }
    match value.parse::<u64>() {
        Ok(v) => {
            OPTION_ANSWER.store(v, Ordering::SeqCst);
            evmc_set_option_result::EVMC_SET_OPTION_SUCCESS
        }
        Err(_) => evmc_set_option_result::EVMC_SET_OPTION_INVALID_VALUE,
    }
}

unsafe extern "C" fn release(r: *const evmc_result) {
    let r = &*r;
    RELEASES.fetch_add(1, Ordering::SeqCst);
    if !r.output_data.is_null() {
        drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
            r.output_data as *mut u8,
            r.output_size,
        )));
    }
}

fn word_u64(v: u64) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&v.to_be_bytes());
    w
}

fn word_addr(a: &evmc_address) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(&a.bytes);
    w
}

unsafe extern "C" fn execute(
    _vm: *mut evmc_vm,
    host: *const evmc_host_interface,
    ctx: *mut evmc_host_context,
    rev: evmc_revision,
    msg: *const evmc_message,
    _code: *const u8,
    code_size: usize,
) -> evmc_result {
    let h = &*host;
    let m = &*msg;
    let me = &m.recipient;
    let key1 = evmc_bytes32 { bytes: word_u64(1) };
    let key2 = evmc_bytes32 { bytes: word_u64(2) };
    let mut out: Vec<u8> = Vec::new();
    let mut push = |w: [u8; 32]| out.extend_from_slice(&w);

    push(word_u64(h.account_exists.unwrap()(ctx, me) as u64));
    let v = h.get_storage.unwrap()(ctx, me, &key1);
    push(v.bytes);
    let mut v1 = v;
    v1.bytes[31] = v1.bytes[31].wrapping_add(1);
    push(word_u64(
        h.set_storage.unwrap()(ctx, me, &key1, &v1).0 as u64,
    ));
    push(h.get_balance.unwrap()(ctx, &m.sender).bytes);
    push(word_u64(
        h.get_code_size.unwrap()(ctx, &m.code_address) as u64
    ));
    push(h.get_code_hash.unwrap()(ctx, &m.code_address).bytes);
    let mut buf = [0u8; 32];
    let n = h.copy_code.unwrap()(ctx, &m.code_address, 1, buf.as_mut_ptr(), 4);
    push(word_u64(n as u64));
    push(buf);
    push(word_u64(h.selfdestruct.unwrap()(ctx, me, &m.sender) as u64));
    let tx = h.get_tx_context.unwrap()(ctx);
    push(word_u64(tx.block_number as u64));
    push(word_u64(tx.blob_hashes_count as u64));
    push(if tx.blob_hashes_count > 0 {
        (*tx.blob_hashes).bytes
    } else {
        [0; 32]
    });
    push(h.get_block_hash.unwrap()(ctx, tx.block_number - 1).bytes);
    let topics = [key1, key2];
    h.emit_log.unwrap()(ctx, me, m.input_data, m.input_size, topics.as_ptr(), 2);
    push(word_u64(h.access_account.unwrap()(ctx, &m.sender).0 as u64));
    push(word_u64(h.access_storage.unwrap()(ctx, me, &key1).0 as u64));
    h.set_transient_storage.unwrap()(ctx, me, &key2, &v1);
    push(h.get_transient_storage.unwrap()(ctx, me, &key2).bytes);
    // The message as received.
    push(word_u64(m.kind.0 as u64));
    push(word_u64(m.flags as u64));
    push(word_u64(m.depth as u64));
    push(word_u64(m.gas as u64));
    push(word_addr(&m.recipient));
    push(word_addr(&m.sender));
    push(m.value.bytes);
    push(m.create2_salt.bytes);
    push(word_addr(&m.code_address));
    push(word_u64(code_size as u64));
    push(word_u64(rev.0 as u64));
    if m.depth == 0 {
        let sub = evmc_message {
            kind: evmc_call_kind::EVMC_DELEGATECALL,
            flags: evmc_flags::EVMC_STATIC.0,
            depth: 1,
            gas: m.gas / 2,
            input_data: b"nested".as_ptr(),
            input_size: 6,
            code: std::ptr::null(),
            code_size: 0,
            ..*m
        };
        let r = h.call.unwrap()(ctx, &sub);
        push(word_u64(r.status_code.0 as i64 as u64));
        push(word_u64(r.gas_left as u64));
        push(word_u64(r.output_size as u64));
        if r.output_size > 0 {
            out.extend_from_slice(std::slice::from_raw_parts(r.output_data, r.output_size));
        }
        if let Some(rel) = r.release {
            rel(&r);
        }
    }
    let out = out.into_boxed_slice();
    let len = out.len();
    RESULTS.fetch_add(1, Ordering::SeqCst);
    // `answer=666` makes the VM claim more gas left than it was given.
    let minted = if OPTION_ANSWER.load(Ordering::SeqCst) == 666 {
        1000
    } else {
        -1
    };
    evmc_result {
        status_code: evmc_status_code::EVMC_SUCCESS,
        gas_left: m.gas + minted,
        gas_refund: 7,
        output_data: Box::into_raw(out) as *const u8,
        output_size: len,
        release: Some(release),
        create_address: evmc_address::default(),
        padding: [0; 4],
    }
}

fn make(abi_version: i32) -> *mut evmc_vm {
    Box::into_raw(Box::new(evmc_vm {
        abi_version,
        name: c"counting".as_ptr(),
        version: c"1.2.3".as_ptr(),
        destroy: Some(destroy),
        execute: Some(execute),
        get_capabilities: Some(capabilities),
        set_option: Some(set_option),
    }))
}

#[no_mangle]
pub extern "C" fn evmc_create_counting() -> *mut evmc_vm {
    make(EVMC_ABI_VERSION)
}

#[no_mangle]
pub extern "C" fn evmc_create_wrong_abi() -> *mut evmc_vm {
    make(11)
}

#[no_mangle]
pub extern "C" fn evmc_create_null_vm() -> *mut evmc_vm {
    std::ptr::null_mut()
}
