//! xvm's embedded persistent state.
//!
//! One [redb](https://www.redb.org) file, `DIR/state.redb`, holds every table of the local chains:
//! the EVM's accounts, code, storage, blocks and receipts and the Neo platform's contracts and
//! storage. This crate knows none of those types: it offers named tables of byte keys to byte
//! values ([`Table`]), consistent snapshots to read ([`ReadTxn`]) and all-or-nothing writes
//! ([`WriteTxn`]). Each user defines its own tables and encodings.
//!
//! Guarantees, inherited from redb and tested here:
//! - a [`WriteTxn`] is atomic and durable on [`WriteTxn::commit`]; dropping it discards it
//!   (a server may defer the disk flush of commits to group them: [`Durability::Deferred`]);
//! - a process killed at any point leaves the last committed state, which opens again;
//! - one process at a time: a second [`Store::open`] on the same folder waits for the first to
//!   close it (up to `XVM_LOCK_TIMEOUT` seconds, default 10) and then fails with
//!   [`StoreError::Locked`].

mod error;
mod store;
mod txn;

pub use error::StoreError;
pub use store::{lock_timeout, resolve_dir, Durability, Store, DEFAULT_DIR, FILE_NAME};
pub use txn::{ReadTxn, Reader, Rows, Table, WriteTxn};
