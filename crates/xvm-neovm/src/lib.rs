//! The Neo N3 virtual machine engine.
