//! The Neo N3 virtual machine engine.
//!
//! An exact re-implementation of the C# reference (neo-project/neo-vm) as the official JSON test
//! suite checks it: lazy instruction decoding, the execution engine and its debugger stepping,
//! stack items with C# `BigInteger` semantics on a fixed-width 256-bit integer, the light
//! reference counter, TRY/CATCH/FINALLY and every limit. The engine does no I/O; SYSCALL and
//! CALLT go to an [`Interop`] implementation supplied by the host.
//!
//! Also here: a text assembler/disassembler ([`asm`]). The JSON test-suite runner and the JSON
//! shapes of stack items live in the `xvm-neovm-suite` crate, on top of this one.

#![warn(missing_docs)]

pub mod asm;
pub mod buffer;
pub mod cycles;
pub mod engine;
pub mod error;
pub mod int;
pub mod item;
pub mod limits;
pub mod opcode;
pub mod script;
pub mod syscalls;

pub use engine::{
    ExecutionContext, ExecutionEngine, Interop, NoInterop, TryFrame, TryState, VmState,
};
pub use error::VmError;
pub use int::Int;
pub use item::{ItemType, StackItem};
pub use limits::Limits;
pub use opcode::OpCode;
pub use script::{BadScript, Instruction, Script};
