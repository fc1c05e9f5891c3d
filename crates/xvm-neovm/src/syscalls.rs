//! Names of Neo N3 system calls (from specs/neovm-syscalls.tsv): the SYSCALL operand is the
//! little-endian u32 of the first four bytes of SHA-256 of the name. Used by the assembler and
//! disassembler to show and accept names; the calls themselves belong to the host.

/// `(id, name)` of every system call Neo N3 defines.
pub const SYSCALLS: &[(u32, &str)] = &[
    (0x525b7d62, "System.Contract.Call"),
    (0x677bf71a, "System.Contract.CallNative"),
    (0x813ada95, "System.Contract.GetCallFlags"),
    (0x028799cf, "System.Contract.CreateStandardAccount"),
    (0x09e9336a, "System.Contract.CreateMultisigAccount"),
    (0x93bcdb2e, "System.Contract.NativeOnPersist"),
    (0x165da144, "System.Contract.NativePostPersist"),
    (0x27b3e756, "System.Crypto.CheckSig"),
    (0x3adcd09e, "System.Crypto.CheckMultisig"),
    (0x9ced089c, "System.Iterator.Next"),
    (0x1dbf54f3, "System.Iterator.Value"),
    (0xf6fc79b2, "System.Runtime.Platform"),
    (0xe0a0fbc5, "System.Runtime.GetNetwork"),
    (0xdc92494c, "System.Runtime.GetAddressVersion"),
    (0xa0387de9, "System.Runtime.GetTrigger"),
    (0x0388c3b7, "System.Runtime.GetTime"),
    (0x3008512d, "System.Runtime.GetScriptContainer"),
    (0x74a8fedb, "System.Runtime.GetExecutingScriptHash"),
    (0x3c6e5339, "System.Runtime.GetCallingScriptHash"),
    (0x38e2b4f9, "System.Runtime.GetEntryScriptHash"),
    (0x8f800cb3, "System.Runtime.LoadScript"),
    (0x8cec27f8, "System.Runtime.CheckWitness"),
    (0x43112784, "System.Runtime.GetInvocationCounter"),
    (0x28a9de6b, "System.Runtime.GetRandom"),
    (0x9647e7cf, "System.Runtime.Log"),
    (0x616f0195, "System.Runtime.Notify"),
    (0xf1354327, "System.Runtime.GetNotifications"),
    (0xced88814, "System.Runtime.GasLeft"),
    (0xbc8c5ac3, "System.Runtime.BurnGas"),
    (0x8b18f1ac, "System.Runtime.CurrentSigners"),
    (0xce67f69b, "System.Storage.GetContext"),
    (0xe26bb4f6, "System.Storage.GetReadOnlyContext"),
    (0xe9bf4c76, "System.Storage.AsReadOnly"),
    (0x31e85d92, "System.Storage.Get"),
    (0x9ab830df, "System.Storage.Find"),
    (0x84183fe6, "System.Storage.Put"),
    (0xedc5582f, "System.Storage.Delete"),
    (0xe85e8dd5, "System.Storage.Local.Get"),
    (0xf3527607, "System.Storage.Local.Find"),
    (0x0ae30c39, "System.Storage.Local.Put"),
    (0x94f55475, "System.Storage.Local.Delete"),
];

/// The name of system call `id`, if it is a known one.
pub fn syscall_name(id: u32) -> Option<&'static str> {
    SYSCALLS.iter().find(|e| e.0 == id).map(|e| e.1)
}

/// The id of the system call named `name` (exact match), if known.
pub fn syscall_id(name: &str) -> Option<u32> {
    SYSCALLS.iter().find(|e| e.1 == name).map(|e| e.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(SYSCALLS.len(), 41);
        assert_eq!(syscall_name(0x525b7d62), Some("System.Contract.Call"));
        assert_eq!(syscall_id("System.Contract.Call"), Some(0x525b7d62));
        assert_eq!(syscall_name(0x77777777), None);
    }
}
