//! EVMC ABI 12: xvm as an EVMC VM, and a loader of EVMC VMs.
