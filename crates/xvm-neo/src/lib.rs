//! Neo N3 contract platform on top of the `xvm-neovm` engine: an ApplicationEngine-like host
//! ([`host::Host`]) implementing the engine's `Interop` trait with every syscall of
//! `neovm-syscalls.tsv` ([`syscalls`]), GAS accounting, storage contexts over a state trait with
//! a DataCache-like overlay ([`state`]), NEF and manifest parsing and validation ([`nef`],
//! [`manifest`], [`contract`]), the native contracts compiled contracts call ([`native`]),
//! custom syscalls and natives registered from Rust ([`native::Platform`]), and a local chain
//! persisted in `xvm-store` ([`chain`]).

#![warn(missing_docs)]

pub mod binary;
pub mod bls;
pub mod chain;
pub mod contract;
pub mod convert;
pub mod crypto;
pub mod host;
pub mod manifest;
pub mod native;
pub mod nef;
pub mod state;
pub mod syscalls;
pub mod tx;
pub mod types;

pub use host::{Host, Notification, Outcome, Settings};
pub use native::Platform;
pub use types::UInt160;
