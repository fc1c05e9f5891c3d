//! The Ethereum state transition on top of xvm-evm.
