//! EVMC ABI 12 (EVMC 12.1.0) in both directions.
//!
//! - **xvm as an EVMC VM**: built as `libxvm.so`, this crate exports `evmc_create_xvm` (and
//!   `evmc_create`), so any EVMC host (evmone's tools, geth's EVMC mode, ...) can run xvm's engine
//!   with the host's state. See [`evmc_create_xvm`].
//! - **xvm as an EVMC host**: [`LoadedVm`] loads any EVMC VM from a shared library like EVMC's
//!   own loader and implements the engine's [`xvm_evm::Vm`], so xvm's world state runs its
//!   transactions through that VM over the C ABI.
//!
//! The C types are written out by hand in [`ffi`] (no bindgen), with compile-time layout checks.

#![deny(missing_docs)]

pub mod bridge;
mod code_cache;
pub mod convert;
pub mod ffi;
pub mod loader;
mod vm;

pub use bridge::HostFrame;
pub use loader::{create_function_name, LoadError, LoadedVm};
pub use vm::{evmc_create, evmc_create_xvm, xvm_evmc_outstanding_results, VM_NAME, VM_VERSION};

/// An xvm engine instance behind the C ABI, in this process: the same code path as loading
/// `libxvm.so`, without a shared library (useful for tests and for `--vm builtin`-style options).
pub fn in_process_vm() -> LoadedVm {
    // SAFETY: `evmc_create_xvm` returns a fresh VM that the returned value owns; its code is part
    // of this binary, so it stays loaded.
    match unsafe { LoadedVm::from_raw(evmc_create_xvm(), "xvm (in process)") } {
        Ok(vm) => vm,
        // `evmc_create_xvm` never returns null and always speaks ABI 12.
        Err(e) => unreachable!("xvm's own VM failed its checks: {e}"),
    }
}
