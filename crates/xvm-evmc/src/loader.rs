//! xvm as an EVMC host: loading any EVMC VM from a shared library the way EVMC's own
//! `loader.c` does, and running it through the engine's [`Vm`] trait.

use crate::bridge::HostFrame;
use crate::convert::{message_to_c_with_input, result_from_c, sanitize_result};
use crate::ffi::*;
use libloading::Library;
use std::ffi::{CStr, CString};
use std::path::Path;
use std::ptr::NonNull;
use xvm_evm::{AnalyzedCode, ExecResult, Host, Message, Revision, StatusCode, Vm};

/// Longest path the loader accepts (as EVMC's `PATH_MAX_LENGTH`).
pub const PATH_MAX_LENGTH: usize = 4096;

/// Why loading or configuring a VM failed; [`LoadError::code`] gives EVMC's
/// `evmc_loader_error_code`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoadError {
    /// An empty or overlong path, or a malformed configuration string.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The library could not be opened.
    #[error("cannot load library {path}: {reason}")]
    CannotOpen {
        /// The path given.
        path: String,
        /// The dynamic loader's message.
        reason: String,
    },
    /// Neither `evmc_create_<name>` nor `evmc_create` is exported.
    #[error("EVMC create function not found in {path} (looked for {symbol} and evmc_create)")]
    SymbolNotFound {
        /// The path given.
        path: String,
        /// The name-derived symbol that was looked up first.
        symbol: String,
    },
    /// The create function returned null.
    #[error("creating EVMC VM of {path} has failed")]
    VmCreationFailure {
        /// The path given.
        path: String,
    },
    /// The VM speaks another ABI version.
    #[error(
        "EVMC ABI version {found} of {path} mismatches the expected version {EVMC_ABI_VERSION}"
    )]
    AbiVersionMismatch {
        /// The path given.
        path: String,
        /// The VM's `abi_version`.
        found: i32,
    },
    /// The VM does not know an option.
    #[error("{vm} ({path}): unknown option '{name}'")]
    InvalidOptionName {
        /// The VM's name.
        vm: String,
        /// The path given.
        path: String,
        /// The option name.
        name: String,
    },
    /// The VM refused an option's value.
    #[error("{vm} ({path}): unsupported value '{value}' for option '{name}'")]
    InvalidOptionValue {
        /// The VM's name.
        vm: String,
        /// The path given.
        path: String,
        /// The option name.
        name: String,
        /// The refused value.
        value: String,
    },
}

impl LoadError {
    /// EVMC's `evmc_loader_error_code` for this error.
    pub fn code(&self) -> i32 {
        match self {
            LoadError::CannotOpen { .. } => 1,
            LoadError::SymbolNotFound { .. } => 2,
            LoadError::InvalidArgument(_) => 3,
            LoadError::VmCreationFailure { .. } => 4,
            LoadError::AbiVersionMismatch { .. } => 5,
            LoadError::InvalidOptionName { .. } => 6,
            LoadError::InvalidOptionValue { .. } => 7,
        }
    }
}

/// The create function EVMC's loader looks up first for `path`: directories dropped, a leading
/// `lib` dropped, cut at the first `.`, `-` replaced by `_`, prefixed with `evmc_create_`.
/// `/opt/libxvm.so` gives `evmc_create_xvm`, `libmy-vm.so.1` gives `evmc_create_my_vm`.
pub fn create_function_name(path: &str) -> String {
    let file = path
        .rsplit(|c| c == '/' || (cfg!(windows) && c == '\\'))
        .next()
        .unwrap_or(path);
    let base = file.strip_prefix("lib").unwrap_or(file);
    let base = base.split('.').next().unwrap_or(base);
    format!("evmc_create_{}", base.replace('-', "_"))
}

/// An EVMC VM instance, loaded from a shared library (or adopted from a raw pointer), usable as
/// the engine's [`Vm`]: world-state code generic over `V: Vm` runs unchanged through it.
///
/// Nested calls re-enter the same instance: the VM calls the host's `call`, the world state runs
/// the sub-frame through this same `LoadedVm`, and that frame gets its own host context. EVMC VMs
/// are re-entrant in that way; xvm's own `libxvm.so` is also safe to share between threads.
pub struct LoadedVm {
    vm: NonNull<evmc_vm>,
    name: String,
    version: String,
    path: String,
    // Dropped after `vm` is destroyed (see `Drop`), so the VM's code stays mapped until then.
    _lib: Option<Library>,
}

// SAFETY: a `LoadedVm` only hands the VM pointer to the VM's own functions. `set_option` needs
// `&mut self`; `execute` runs with `&self`, and EVMC VMs (xvm's included: its only option is an
// atomic) support concurrent `execute` calls on one instance, each with its own host context.
unsafe impl Send for LoadedVm {}
// SAFETY: as above.
unsafe impl Sync for LoadedVm {}

impl std::fmt::Debug for LoadedVm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedVm")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("path", &self.path)
            .finish()
    }
}

impl LoadedVm {
    /// Loads the VM in the shared library at `path` (EVMC's `evmc_load_and_create`).
    pub fn load(path: impl AsRef<Path>) -> Result<LoadedVm, LoadError> {
        let path_str = path.as_ref().to_string_lossy().into_owned();
        if path_str.is_empty() {
            return Err(LoadError::InvalidArgument(
                "file name cannot be empty".to_string(),
            ));
        }
        if path_str.len() > PATH_MAX_LENGTH {
            return Err(LoadError::InvalidArgument(format!(
                "file name is too long ({}, maximum allowed length is {PATH_MAX_LENGTH})",
                path_str.len()
            )));
        }
        // SAFETY: opening a library runs its initialisers; loading an EVMC VM is what the caller
        // asked for, and EVMC VMs have no unusual initialisation requirements.
        let lib = unsafe { Library::new(path.as_ref()) }.map_err(|e| LoadError::CannotOpen {
            path: path_str.clone(),
            reason: e.to_string(),
        })?;
        let symbol = create_function_name(&path_str);
        let create = {
            let lookup = |name: &str| -> Option<evmc_create_fn> {
                let cname = CString::new(name).ok()?;
                // SAFETY: EVMC's create functions have the type `evmc_create_fn`; the symbol is
                // copied out as a plain function pointer while `lib` stays loaded.
                unsafe { lib.get::<evmc_create_fn>(cname.as_bytes_with_nul()) }
                    .ok()
                    .map(|s| *s)
            };
            lookup(&symbol).or_else(|| lookup("evmc_create"))
        };
        let Some(create) = create else {
            return Err(LoadError::SymbolNotFound {
                path: path_str,
                symbol,
            });
        };
        // SAFETY: calling the library's EVMC create function, which takes no arguments.
        let raw = unsafe { create() };
        // SAFETY: `raw` is null or a VM just created by the library, owned by us from now on.
        let mut vm = unsafe { Self::adopt(raw, &path_str) }?;
        vm._lib = Some(lib);
        Ok(vm)
    }

    /// Loads and configures a VM from an EVMC configuration string `path,opt=val,opt2=val2`
    /// (EVMC's `evmc_load_and_configure`): each option is passed to the VM's `set_option`, an
    /// option without `=` with an empty value.
    pub fn load_and_configure(config: &str) -> Result<LoadedVm, LoadError> {
        if config.len() > PATH_MAX_LENGTH {
            return Err(LoadError::InvalidArgument(format!(
                "configuration is too long ({}, maximum allowed length is {PATH_MAX_LENGTH})",
                config.len()
            )));
        }
        let (path, options) = config.split_once(',').unwrap_or((config, ""));
        let mut vm = LoadedVm::load(path)?;
        if !options.is_empty() {
            // SAFETY: `vm` is live.
            if unsafe { vm.vm.as_ref() }.set_option.is_none() {
                return Err(LoadError::InvalidOptionName {
                    vm: vm.name.clone(),
                    path: vm.path.clone(),
                    name: options.to_string(),
                });
            }
            for option in options.split(',') {
                let (name, value) = option.split_once('=').unwrap_or((option, ""));
                vm.set_option(name, value)?;
            }
        }
        Ok(vm)
    }

    /// Takes ownership of a VM created in this process (e.g. by [`crate::evmc_create_xvm`]),
    /// checking it like a loaded one. `label` names it in errors.
    ///
    /// # Safety
    /// `vm` must be null or a live EVMC VM that nobody else destroys or uses mutably; its code
    /// must stay loaded for the lifetime of the returned value.
    pub unsafe fn from_raw(vm: *mut evmc_vm, label: &str) -> Result<LoadedVm, LoadError> {
        // SAFETY: forwarded from the caller.
        unsafe { Self::adopt(vm, label) }
    }

    /// # Safety
    /// As [`LoadedVm::from_raw`].
    unsafe fn adopt(raw: *mut evmc_vm, path: &str) -> Result<LoadedVm, LoadError> {
        let Some(vm) = NonNull::new(raw) else {
            return Err(LoadError::VmCreationFailure {
                path: path.to_string(),
            });
        };
        // SAFETY: the caller passes a live VM.
        let v = unsafe { vm.as_ref() };
        if v.abi_version != EVMC_ABI_VERSION {
            let found = v.abi_version;
            // The struct layout of another ABI may differ: `destroy` is at the same offset in
            // every ABI since 6, so release the instance through it as EVMC's loader does.
            if let Some(destroy) = v.destroy {
                // SAFETY: destroying the VM we own, once.
                unsafe { destroy(raw) };
            }
            return Err(LoadError::AbiVersionMismatch {
                path: path.to_string(),
                found,
            });
        }
        // SAFETY: the VM's name and version are null or static C strings.
        let text = |p: *const std::ffi::c_char| {
            unsafe { p.as_ref() }
                .map(|_| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let (name, version) = (text(v.name), text(v.version));
        if v.execute.is_none() {
            if let Some(destroy) = v.destroy {
                // SAFETY: destroying the VM we own, once.
                unsafe { destroy(raw) };
            }
            return Err(LoadError::VmCreationFailure {
                path: path.to_string(),
            });
        }
        Ok(LoadedVm {
            vm,
            name,
            version,
            path: path.to_string(),
            _lib: None,
        })
    }

    /// The VM's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The VM's version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Where the VM came from (the path, or the label given to [`LoadedVm::from_raw`]).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The VM's capabilities (`evmc_capabilities` bits); 0 when it does not tell.
    pub fn capabilities(&self) -> u32 {
        // SAFETY: `self.vm` is live.
        match unsafe { self.vm.as_ref() }.get_capabilities {
            // SAFETY: the VM's own function with the VM.
            Some(f) => unsafe { f(self.vm.as_ptr()) },
            None => 0,
        }
    }

    /// Sets an option through the VM's `set_option`.
    pub fn set_option(&mut self, name: &str, value: &str) -> Result<(), LoadError> {
        let bad_name = || LoadError::InvalidOptionName {
            vm: self.name.clone(),
            path: self.path.clone(),
            name: name.to_string(),
        };
        let bad_value = || LoadError::InvalidOptionValue {
            vm: self.name.clone(),
            path: self.path.clone(),
            name: name.to_string(),
            value: value.to_string(),
        };
        // SAFETY: `self.vm` is live.
        let Some(f) = (unsafe { self.vm.as_ref() }).set_option else {
            return Err(bad_name());
        };
        let cname = CString::new(name).map_err(|_| bad_name())?;
        let cvalue = CString::new(value).map_err(|_| bad_value())?;
        // SAFETY: the VM's own function with the VM and two NUL-terminated strings.
        let r = unsafe { f(self.vm.as_ptr(), cname.as_ptr(), cvalue.as_ptr()) };
        match r {
            evmc_set_option_result::EVMC_SET_OPTION_SUCCESS => Ok(()),
            evmc_set_option_result::EVMC_SET_OPTION_INVALID_NAME => Err(bad_name()),
            _ => Err(bad_value()),
        }
    }

    /// The raw VM pointer (owned by `self`).
    pub fn as_ptr(&self) -> *mut evmc_vm {
        self.vm.as_ptr()
    }
}

impl Drop for LoadedVm {
    fn drop(&mut self) {
        // SAFETY: `self.vm` is live and owned by us; it is destroyed exactly once, here, before
        // the library (a later field) is unloaded.
        if let Some(destroy) = unsafe { self.vm.as_ref() }.destroy {
            // SAFETY: as above.
            unsafe { destroy(self.vm.as_ptr()) };
        }
    }
}

impl LoadedVm {
    /// Runs `code` for `msg` with the EVMC revision number `rev`, which may be one the engine
    /// does not know (a VM answers those with `REJECTED`). [`Vm::execute`] calls this.
    pub fn execute_revision<H: Host>(
        &self,
        host: &mut H,
        rev: i32,
        msg: &Message,
        code: &[u8],
    ) -> ExecResult {
        self.execute_revision_with_input(host, rev, msg, &msg.input, code)
    }

    /// [`LoadedVm::execute_revision`] with the input given separately (`msg.input` is not
    /// read): the VM reads it in place.
    pub fn execute_revision_with_input<H: Host>(
        &self,
        host: &mut H,
        rev: i32,
        msg: &Message,
        input: &[u8],
        code: &[u8],
    ) -> ExecResult {
        // SAFETY: `self.vm` is live.
        let Some(execute) = (unsafe { self.vm.as_ref() }).execute else {
            return ExecResult::failure(StatusCode::InternalError);
        };
        let cmsg = message_to_c_with_input(msg, input, code);
        let iface = HostFrame::<H>::INTERFACE;
        let mut frame = HostFrame::new(host);
        // SAFETY: the VM's own execute with the VM, a complete host interface whose callbacks
        // expect a `HostFrame<H>` context (which `frame` is, alive and not otherwise borrowed
        // during the call), a valid message pointing into `msg`, and `code`.
        let r = unsafe {
            execute(
                self.vm.as_ptr(),
                &iface,
                frame.as_context(),
                evmc_revision(rev),
                &cmsg,
                if code.is_empty() {
                    std::ptr::null()
                } else {
                    code.as_ptr()
                },
                code.len(),
            )
        };
        // SAFETY: `r` was just returned by the VM and is released once, inside.
        let result = unsafe { result_from_c(r, false) };
        if frame.failed() {
            return ExecResult::failure(StatusCode::InternalError);
        }
        // A VM's own refusals (REJECTED, OUT_OF_MEMORY) pass through; a result that would mint
        // gas, or an internal error, becomes INTERNAL_ERROR with no gas left.
        match result.status {
            StatusCode::Rejected | StatusCode::OutOfMemory => ExecResult::failure(result.status),
            _ => sanitize_result(result, msg.gas)
                .unwrap_or_else(|| ExecResult::failure(StatusCode::InternalError)),
        }
    }
}

impl Vm for LoadedVm {
    #[inline]
    fn execute<H: Host>(
        &self,
        host: &mut H,
        rev: Revision,
        msg: &Message,
        code: &AnalyzedCode,
    ) -> ExecResult {
        self.execute_revision(host, rev as i32, msg, code.code())
    }

    #[inline]
    fn execute_with_input<H: Host>(
        &self,
        host: &mut H,
        rev: Revision,
        msg: &Message,
        input: &[u8],
        code: &AnalyzedCode,
    ) -> ExecResult {
        self.execute_revision_with_input(host, rev as i32, msg, input, code.code())
    }
}
