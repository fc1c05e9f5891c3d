//! The C ABI of EVMC 12.1.0 (`include/evmc/evmc.h`, ABI version 12), written out by hand as
//! `#[repr(C)]` types.
//!
//! C enumerations are integer newtypes rather than Rust enums: a host or VM may pass a value this
//! version does not know, and a Rust enum holding an undeclared discriminant is undefined
//! behaviour. Names follow the C header, hence the lower-case type names. The layout is checked
//! at compile time against the sizes and offsets of the C header on 64-bit targets.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int};

/// `EVMC_ABI_VERSION` of the header this module mirrors.
pub const EVMC_ABI_VERSION: c_int = 12;

/// `evmc_bytes32`: 32 bytes (a hash, or a big-endian 256-bit integer as `evmc_uint256be`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct evmc_bytes32 {
    /// The 32 bytes.
    pub bytes: [u8; 32],
}

/// `evmc_uint256be`: a big-endian 256-bit integer.
pub type evmc_uint256be = evmc_bytes32;

/// `evmc_address`: a 20-byte account address.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct evmc_address {
    /// The 20 bytes.
    pub bytes: [u8; 20],
}

macro_rules! c_enum {
    (
        $(#[$meta:meta])*
        $name:ident($repr:ty) { $($(#[$vmeta:meta])* $variant:ident = $value:expr,)* }
    ) => {
        $(#[$meta])*
        #[repr(transparent)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name(pub $repr);

        impl $name {
            $($(#[$vmeta])* pub const $variant: $name = $name($value);)*
        }
    };
}

c_enum! {
    /// `enum evmc_call_kind`.
    evmc_call_kind(c_int) {
        /// CALL.
        EVMC_CALL = 0,
        /// DELEGATECALL.
        EVMC_DELEGATECALL = 1,
        /// CALLCODE.
        EVMC_CALLCODE = 2,
        /// CREATE.
        EVMC_CREATE = 3,
        /// CREATE2.
        EVMC_CREATE2 = 4,
        /// EOFCREATE (EOF, not supported by xvm).
        EVMC_EOFCREATE = 5,
    }
}

c_enum! {
    /// `enum evmc_flags` (bits of `evmc_message::flags`).
    evmc_flags(u32) {
        /// Static call mode.
        EVMC_STATIC = 1,
        /// The code runs as the EIP-7702 delegate of `code_address`.
        EVMC_DELEGATED = 2,
    }
}

c_enum! {
    /// `enum evmc_status_code`.
    evmc_status_code(c_int) {
        /// Success.
        EVMC_SUCCESS = 0,
        /// Generic failure.
        EVMC_FAILURE = 1,
        /// REVERT.
        EVMC_REVERT = 2,
        /// Out of gas.
        EVMC_OUT_OF_GAS = 3,
        /// The INVALID instruction.
        EVMC_INVALID_INSTRUCTION = 4,
        /// An undefined instruction.
        EVMC_UNDEFINED_INSTRUCTION = 5,
        /// Stack overflow.
        EVMC_STACK_OVERFLOW = 6,
        /// Stack underflow.
        EVMC_STACK_UNDERFLOW = 7,
        /// Bad jump destination.
        EVMC_BAD_JUMP_DESTINATION = 8,
        /// Invalid memory access.
        EVMC_INVALID_MEMORY_ACCESS = 9,
        /// Call depth exceeded.
        EVMC_CALL_DEPTH_EXCEEDED = 10,
        /// Static mode violation.
        EVMC_STATIC_MODE_VIOLATION = 11,
        /// Precompile failure.
        EVMC_PRECOMPILE_FAILURE = 12,
        /// Contract validation failure.
        EVMC_CONTRACT_VALIDATION_FAILURE = 13,
        /// Argument out of range.
        EVMC_ARGUMENT_OUT_OF_RANGE = 14,
        /// WebAssembly `unreachable`.
        EVMC_WASM_UNREACHABLE_INSTRUCTION = 15,
        /// WebAssembly trap.
        EVMC_WASM_TRAP = 16,
        /// Insufficient balance for a value transfer.
        EVMC_INSUFFICIENT_BALANCE = 17,
        /// Internal error of the VM.
        EVMC_INTERNAL_ERROR = -1,
        /// The execution was rejected.
        EVMC_REJECTED = -2,
        /// Out of memory.
        EVMC_OUT_OF_MEMORY = -3,
    }
}

c_enum! {
    /// `enum evmc_storage_status`.
    evmc_storage_status(c_int) {
        /// Everything else.
        EVMC_STORAGE_ASSIGNED = 0,
        /// 0 -> 0 -> Z.
        EVMC_STORAGE_ADDED = 1,
        /// X -> X -> 0.
        EVMC_STORAGE_DELETED = 2,
        /// X -> X -> Z.
        EVMC_STORAGE_MODIFIED = 3,
        /// X -> 0 -> Z.
        EVMC_STORAGE_DELETED_ADDED = 4,
        /// X -> Y -> 0.
        EVMC_STORAGE_MODIFIED_DELETED = 5,
        /// X -> 0 -> X.
        EVMC_STORAGE_DELETED_RESTORED = 6,
        /// 0 -> Y -> 0.
        EVMC_STORAGE_ADDED_DELETED = 7,
        /// X -> Y -> X.
        EVMC_STORAGE_MODIFIED_RESTORED = 8,
    }
}

c_enum! {
    /// `enum evmc_access_status`.
    evmc_access_status(c_int) {
        /// First access.
        EVMC_ACCESS_COLD = 0,
        /// Accessed before.
        EVMC_ACCESS_WARM = 1,
    }
}

c_enum! {
    /// `enum evmc_revision`.
    evmc_revision(c_int) {
        /// Frontier.
        EVMC_FRONTIER = 0,
        /// Homestead.
        EVMC_HOMESTEAD = 1,
        /// Tangerine Whistle.
        EVMC_TANGERINE_WHISTLE = 2,
        /// Spurious Dragon.
        EVMC_SPURIOUS_DRAGON = 3,
        /// Byzantium.
        EVMC_BYZANTIUM = 4,
        /// Constantinople.
        EVMC_CONSTANTINOPLE = 5,
        /// Petersburg.
        EVMC_PETERSBURG = 6,
        /// Istanbul.
        EVMC_ISTANBUL = 7,
        /// Berlin.
        EVMC_BERLIN = 8,
        /// London.
        EVMC_LONDON = 9,
        /// Paris.
        EVMC_PARIS = 10,
        /// Shanghai.
        EVMC_SHANGHAI = 11,
        /// Cancun.
        EVMC_CANCUN = 12,
        /// Prague.
        EVMC_PRAGUE = 13,
        /// Osaka.
        EVMC_OSAKA = 14,
        /// Experimental (= EVMC_MAX_REVISION).
        EVMC_EXPERIMENTAL = 15,
    }
}

c_enum! {
    /// `enum evmc_set_option_result`.
    evmc_set_option_result(c_int) {
        /// The option was set.
        EVMC_SET_OPTION_SUCCESS = 0,
        /// Unknown option name.
        EVMC_SET_OPTION_INVALID_NAME = 1,
        /// Unsupported value.
        EVMC_SET_OPTION_INVALID_VALUE = 2,
    }
}

c_enum! {
    /// `enum evmc_capabilities` (bits of `evmc_capabilities_flagset`).
    evmc_capabilities(u32) {
        /// The VM runs EVM1 bytecode.
        EVMC_CAPABILITY_EVM1 = 1,
        /// The VM runs ewasm.
        EVMC_CAPABILITY_EWASM = 2,
        /// The VM runs precompiles itself.
        EVMC_CAPABILITY_PRECOMPILES = 4,
    }
}

/// `evmc_capabilities_flagset`.
pub type evmc_capabilities_flagset = u32;

/// `struct evmc_message`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct evmc_message {
    /// Kind of the call.
    pub kind: evmc_call_kind,
    /// `evmc_flags` bits.
    pub flags: u32,
    /// Call depth.
    pub depth: i32,
    /// Gas available.
    pub gas: i64,
    /// Recipient (the account whose storage the frame uses).
    pub recipient: evmc_address,
    /// Sender.
    pub sender: evmc_address,
    /// Input data (may be null when `input_size` is 0).
    pub input_data: *const u8,
    /// Input size.
    pub input_size: usize,
    /// Value transferred.
    pub value: evmc_uint256be,
    /// CREATE2 salt.
    pub create2_salt: evmc_bytes32,
    /// The account whose code runs.
    pub code_address: evmc_address,
    /// Optional code (may be null).
    pub code: *const u8,
    /// Size of `code`.
    pub code_size: usize,
}

/// `struct evmc_tx_initcode` (EIP-7873 init codes of a transaction).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct evmc_tx_initcode {
    /// Hash of the init code.
    pub hash: evmc_bytes32,
    /// The init code.
    pub code: *const u8,
    /// Its size.
    pub code_size: usize,
}

/// `struct evmc_tx_context`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct evmc_tx_context {
    /// Gas price.
    pub tx_gas_price: evmc_uint256be,
    /// Origin.
    pub tx_origin: evmc_address,
    /// Coinbase.
    pub block_coinbase: evmc_address,
    /// Block number.
    pub block_number: i64,
    /// Timestamp.
    pub block_timestamp: i64,
    /// Block gas limit.
    pub block_gas_limit: i64,
    /// Difficulty / PREVRANDAO.
    pub block_prev_randao: evmc_uint256be,
    /// Chain id.
    pub chain_id: evmc_uint256be,
    /// Base fee.
    pub block_base_fee: evmc_uint256be,
    /// Blob base fee.
    pub blob_base_fee: evmc_uint256be,
    /// Blob versioned hashes (may be null when the count is 0).
    pub blob_hashes: *const evmc_bytes32,
    /// Number of blob hashes.
    pub blob_hashes_count: usize,
    /// Init codes (may be null when the count is 0).
    pub initcodes: *const evmc_tx_initcode,
    /// Number of init codes.
    pub initcodes_count: usize,
}

/// `evmc_release_result_fn`.
pub type evmc_release_result_fn = Option<unsafe extern "C" fn(result: *const evmc_result)>;

/// `struct evmc_result`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct evmc_result {
    /// Status.
    pub status_code: evmc_status_code,
    /// Gas left.
    pub gas_left: i64,
    /// Gas refund.
    pub gas_refund: i64,
    /// Output (may be null when the size is 0).
    pub output_data: *const u8,
    /// Output size.
    pub output_size: usize,
    /// Releases the result's resources; when set the receiver calls it exactly once.
    pub release: evmc_release_result_fn,
    /// Address of a created contract.
    pub create_address: evmc_address,
    /// Reserved.
    pub padding: [u8; 4],
}

/// `struct evmc_host_context`: opaque.
#[repr(C)]
pub struct evmc_host_context {
    _private: [u8; 0],
}

/// `struct evmc_host_interface`: the host's callbacks.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct evmc_host_interface {
    /// `evmc_account_exists_fn`.
    pub account_exists: Option<
        unsafe extern "C" fn(context: *mut evmc_host_context, address: *const evmc_address) -> bool,
    >,
    /// `evmc_get_storage_fn`.
    pub get_storage: Option<
        unsafe extern "C" fn(
            context: *mut evmc_host_context,
            address: *const evmc_address,
            key: *const evmc_bytes32,
        ) -> evmc_bytes32,
    >,
    /// `evmc_set_storage_fn`.
    pub set_storage: Option<
        unsafe extern "C" fn(
            context: *mut evmc_host_context,
            address: *const evmc_address,
            key: *const evmc_bytes32,
            value: *const evmc_bytes32,
        ) -> evmc_storage_status,
    >,
    /// `evmc_get_balance_fn`.
    pub get_balance: Option<
        unsafe extern "C" fn(
            context: *mut evmc_host_context,
            address: *const evmc_address,
        ) -> evmc_uint256be,
    >,
    /// `evmc_get_code_size_fn`.
    pub get_code_size: Option<
        unsafe extern "C" fn(
            context: *mut evmc_host_context,
            address: *const evmc_address,
        ) -> usize,
    >,
    /// `evmc_get_code_hash_fn`.
    pub get_code_hash: Option<
        unsafe extern "C" fn(
            context: *mut evmc_host_context,
            address: *const evmc_address,
        ) -> evmc_bytes32,
    >,
    /// `evmc_copy_code_fn`.
    pub copy_code: Option<
        unsafe extern "C" fn(
            context: *mut evmc_host_context,
            address: *const evmc_address,
            code_offset: usize,
            buffer_data: *mut u8,
            buffer_size: usize,
        ) -> usize,
    >,
    /// `evmc_selfdestruct_fn`.
    pub selfdestruct: Option<
        unsafe extern "C" fn(
            context: *mut evmc_host_context,
            address: *const evmc_address,
            beneficiary: *const evmc_address,
        ) -> bool,
    >,
    /// `evmc_call_fn`.
    pub call: Option<
        unsafe extern "C" fn(
            context: *mut evmc_host_context,
            msg: *const evmc_message,
        ) -> evmc_result,
    >,
    /// `evmc_get_tx_context_fn`.
    pub get_tx_context:
        Option<unsafe extern "C" fn(context: *mut evmc_host_context) -> evmc_tx_context>,
    /// `evmc_get_block_hash_fn`.
    pub get_block_hash:
        Option<unsafe extern "C" fn(context: *mut evmc_host_context, number: i64) -> evmc_bytes32>,
    /// `evmc_emit_log_fn`.
    pub emit_log: Option<
        unsafe extern "C" fn(
            context: *mut evmc_host_context,
            address: *const evmc_address,
            data: *const u8,
            data_size: usize,
            topics: *const evmc_bytes32,
            topics_count: usize,
        ),
    >,
    /// `evmc_access_account_fn`.
    pub access_account: Option<
        unsafe extern "C" fn(
            context: *mut evmc_host_context,
            address: *const evmc_address,
        ) -> evmc_access_status,
    >,
    /// `evmc_access_storage_fn`.
    pub access_storage: Option<
        unsafe extern "C" fn(
            context: *mut evmc_host_context,
            address: *const evmc_address,
            key: *const evmc_bytes32,
        ) -> evmc_access_status,
    >,
    /// `evmc_get_transient_storage_fn`.
    pub get_transient_storage: Option<
        unsafe extern "C" fn(
            context: *mut evmc_host_context,
            address: *const evmc_address,
            key: *const evmc_bytes32,
        ) -> evmc_bytes32,
    >,
    /// `evmc_set_transient_storage_fn`.
    pub set_transient_storage: Option<
        unsafe extern "C" fn(
            context: *mut evmc_host_context,
            address: *const evmc_address,
            key: *const evmc_bytes32,
            value: *const evmc_bytes32,
        ),
    >,
}

/// `evmc_destroy_fn`.
pub type evmc_destroy_fn = Option<unsafe extern "C" fn(vm: *mut evmc_vm)>;

/// `evmc_execute_fn`.
pub type evmc_execute_fn = Option<
    unsafe extern "C" fn(
        vm: *mut evmc_vm,
        host: *const evmc_host_interface,
        context: *mut evmc_host_context,
        rev: evmc_revision,
        msg: *const evmc_message,
        code: *const u8,
        code_size: usize,
    ) -> evmc_result,
>;

/// `evmc_get_capabilities_fn`.
pub type evmc_get_capabilities_fn =
    Option<unsafe extern "C" fn(vm: *mut evmc_vm) -> evmc_capabilities_flagset>;

/// `evmc_set_option_fn`.
pub type evmc_set_option_fn = Option<
    unsafe extern "C" fn(
        vm: *mut evmc_vm,
        name: *const c_char,
        value: *const c_char,
    ) -> evmc_set_option_result,
>;

/// `struct evmc_vm`: a VM instance.
#[repr(C)]
#[derive(Debug)]
pub struct evmc_vm {
    /// `EVMC_ABI_VERSION` the VM was built with.
    pub abi_version: c_int,
    /// The VM's name (C string).
    pub name: *const c_char,
    /// The VM's version (C string).
    pub version: *const c_char,
    /// Destroys the VM.
    pub destroy: evmc_destroy_fn,
    /// Executes code.
    pub execute: evmc_execute_fn,
    /// The VM's capabilities.
    pub get_capabilities: evmc_get_capabilities_fn,
    /// Sets an option (optional).
    pub set_option: evmc_set_option_fn,
}

/// `evmc_create_fn`: the exported constructor of a VM.
pub type evmc_create_fn = unsafe extern "C" fn() -> *mut evmc_vm;

#[cfg(target_pointer_width = "64")]
const _: () = {
    use std::mem::{align_of, size_of};
    assert!(size_of::<evmc_bytes32>() == 32);
    assert!(size_of::<evmc_address>() == 20);
    assert!(size_of::<evmc_result>() == 72);
    assert!(size_of::<evmc_message>() == 184);
    assert!(size_of::<evmc_tx_context>() == 256);
    assert!(size_of::<evmc_host_interface>() == 128);
    assert!(size_of::<evmc_vm>() == 56);
    assert!(size_of::<evmc_tx_initcode>() == 48);
    assert!(align_of::<evmc_message>() == 8);
    assert!(std::mem::offset_of!(evmc_message, gas) == 16);
    assert!(std::mem::offset_of!(evmc_message, input_data) == 64);
    assert!(std::mem::offset_of!(evmc_message, value) == 80);
    assert!(std::mem::offset_of!(evmc_message, code_address) == 144);
    assert!(std::mem::offset_of!(evmc_message, code) == 168);
    assert!(std::mem::offset_of!(evmc_result, release) == 40);
    assert!(std::mem::offset_of!(evmc_result, create_address) == 48);
    assert!(std::mem::offset_of!(evmc_tx_context, block_number) == 72);
    assert!(std::mem::offset_of!(evmc_tx_context, blob_hashes) == 224);
    assert!(std::mem::offset_of!(evmc_message, code_size) == 176);
    assert!(std::mem::offset_of!(evmc_result, gas_left) == 8);
    assert!(std::mem::offset_of!(evmc_result, gas_refund) == 16);
    assert!(std::mem::offset_of!(evmc_tx_context, initcodes) == 240);
    assert!(std::mem::offset_of!(evmc_host_interface, call) == 64);
    assert!(std::mem::offset_of!(evmc_host_interface, set_transient_storage) == 120);
    assert!(std::mem::offset_of!(evmc_vm, execute) == 32);
    assert!(std::mem::offset_of!(evmc_vm, set_option) == 48);
};
