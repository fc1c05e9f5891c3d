//! The official neo-vm JSON test-suite runner (`VMJsonTestBase` semantics) and the suite's JSON
//! shapes of stack items, on top of the `xvm-neovm` engine (which knows nothing of either).
//!
//! [`json`] is a small ordered JSON reader and writer; [`suite`] parses suite files, runs them
//! against the engine and renders stack items as the suite shows them ([`suite::item_to_json`]).
//! Both work on strings, not files.

#![warn(missing_docs)]

pub mod json;
pub mod suite;
