//! Basic Neo types: script hashes (UInt160), call flags, triggers, parameter types, addresses.

use crate::crypto::{hash256, sha256};
use std::fmt;

/// A 20-byte script hash, stored in Neo's little-endian byte order (as scripts push it).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct UInt160(pub [u8; 20]);

/// Neo N3 address version byte (53, addresses start with `N`).
pub const ADDRESS_VERSION: u8 = 0x35;

impl UInt160 {
    /// The zero hash.
    pub const ZERO: UInt160 = UInt160([0; 20]);

    /// From 20 little-endian bytes.
    pub fn from_slice(b: &[u8]) -> Option<UInt160> {
        Some(UInt160(b.try_into().ok()?))
    }

    /// Parses `0x` + 40 hex digits (big-endian text, as Neo prints hashes).
    pub fn parse_hex(s: &str) -> Option<UInt160> {
        let h = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
        let mut b: [u8; 20] = hex::decode(h).ok()?.try_into().ok()?;
        b.reverse();
        Some(UInt160(b))
    }

    /// Parses a Neo address (Base58Check, version 0x35).
    pub fn from_address(s: &str) -> Option<UInt160> {
        let data = base58_check_decode(s)?;
        if data.len() != 21 || data[0] != ADDRESS_VERSION {
            return None;
        }
        UInt160::from_slice(&data[1..])
    }

    /// Either form: `0x` hex or an address.
    pub fn parse(s: &str) -> Option<UInt160> {
        if s.starts_with("0x") || s.starts_with("0X") {
            UInt160::parse_hex(s)
        } else {
            UInt160::from_address(s)
        }
    }

    /// The Neo address of this script hash.
    pub fn to_address(&self) -> String {
        let mut data = vec![ADDRESS_VERSION];
        data.extend_from_slice(&self.0);
        base58_check_encode(&data)
    }
}

impl fmt::Display for UInt160 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut b = self.0;
        b.reverse();
        write!(f, "0x{}", hex::encode(b))
    }
}

impl fmt::Debug for UInt160 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Base58Check encoding: data followed by the first 4 bytes of its double SHA-256.
pub fn base58_check_encode(data: &[u8]) -> String {
    let mut v = data.to_vec();
    v.extend_from_slice(&hash256(data)[..4]);
    bs58::encode(v).into_string()
}

/// Base58Check decoding; `None` on bad characters, short input or a wrong checksum.
pub fn base58_check_decode(s: &str) -> Option<Vec<u8>> {
    let v = bs58::decode(s).into_vec().ok()?;
    if v.len() < 4 {
        return None;
    }
    let (data, check) = v.split_at(v.len() - 4);
    (hash256(data)[..4] == *check).then(|| data.to_vec())
}

/// A 32-byte hash (UInt256), little-endian bytes.
pub fn uint256_text(le: &[u8; 32]) -> String {
    let mut b = *le;
    b.reverse();
    format!("0x{}", hex::encode(b))
}

/// Call flags of an execution context (C# `CallFlags`).
pub mod call_flags {
    /// No rights.
    pub const NONE: u8 = 0;
    /// May read contract state.
    pub const READ_STATES: u8 = 0x01;
    /// May write contract state.
    pub const WRITE_STATES: u8 = 0x02;
    /// May call other contracts.
    pub const ALLOW_CALL: u8 = 0x04;
    /// May emit notifications and logs.
    pub const ALLOW_NOTIFY: u8 = 0x08;
    /// Read and write.
    pub const STATES: u8 = READ_STATES | WRITE_STATES;
    /// Read and call.
    pub const READ_ONLY: u8 = READ_STATES | ALLOW_CALL;
    /// Everything.
    pub const ALL: u8 = STATES | ALLOW_CALL | ALLOW_NOTIFY;

    /// The C# text of a flag set (`"ReadStates, AllowCall"`), for messages.
    pub fn name(flags: u8) -> String {
        match flags {
            0 => return "None".into(),
            ALL => return "All".into(),
            STATES => return "States".into(),
            READ_ONLY => return "ReadOnly".into(),
            _ => {}
        }
        let mut parts = Vec::new();
        for (bit, n) in [
            (READ_STATES, "ReadStates"),
            (WRITE_STATES, "WriteStates"),
            (ALLOW_CALL, "AllowCall"),
            (ALLOW_NOTIFY, "AllowNotify"),
        ] {
            if flags & bit != 0 {
                parts.push(n);
            }
        }
        parts.join(", ")
    }
}

/// Trigger types (C# `TriggerType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Trigger {
    /// Block persisting, before transactions.
    OnPersist = 0x01,
    /// Block persisting, after transactions.
    PostPersist = 0x02,
    /// Witness verification.
    Verification = 0x20,
    /// Transaction execution.
    Application = 0x40,
}

/// Contract parameter types (manifest ABI).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ParamType {
    /// Any.
    Any = 0x00,
    /// Boolean.
    Boolean = 0x10,
    /// Integer.
    Integer = 0x11,
    /// Byte array.
    ByteArray = 0x12,
    /// UTF-8 string.
    String = 0x13,
    /// 20-byte hash.
    Hash160 = 0x14,
    /// 32-byte hash.
    Hash256 = 0x15,
    /// 33-byte compressed secp256r1 key.
    PublicKey = 0x16,
    /// 64-byte signature.
    Signature = 0x17,
    /// Array.
    Array = 0x20,
    /// Map.
    Map = 0x22,
    /// Interop interface.
    InteropInterface = 0x30,
    /// No value (return type only).
    Void = 0xff,
}

impl ParamType {
    /// Parses the manifest name.
    pub fn from_name(s: &str) -> Option<ParamType> {
        use ParamType::*;
        Some(match s {
            "Any" => Any,
            "Boolean" => Boolean,
            "Integer" => Integer,
            "ByteArray" => ByteArray,
            "String" => String,
            "Hash160" => Hash160,
            "Hash256" => Hash256,
            "PublicKey" => PublicKey,
            "Signature" => Signature,
            "Array" => Array,
            "Map" => Map,
            "InteropInterface" => InteropInterface,
            "Void" => Void,
            _ => return None,
        })
    }
    /// The manifest name.
    pub fn name(self) -> &'static str {
        use ParamType::*;
        match self {
            Any => "Any",
            Boolean => "Boolean",
            Integer => "Integer",
            ByteArray => "ByteArray",
            String => "String",
            Hash160 => "Hash160",
            Hash256 => "Hash256",
            PublicKey => "PublicKey",
            Signature => "Signature",
            Array => "Array",
            Map => "Map",
            InteropInterface => "InteropInterface",
            Void => "Void",
        }
    }
}

/// The SYSCALL id of a name: little-endian u32 of the first 4 bytes of SHA-256(name).
pub fn syscall_hash(name: &str) -> u32 {
    let h = sha256(name.as_bytes());
    u32::from_le_bytes([h[0], h[1], h[2], h[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            UInt160::ZERO.to_address(),
            "NKuyBkoGdZZSLyPbJEetheRhMjeznFZszf"
        );
        let neo = UInt160::parse_hex("0xef4073a0f2b305a38ec4050e4d3d28bc40ea63f5").unwrap();
        assert_eq!(neo.to_address(), "NiHURyS83nX2mpxtA7xq84cGxVbHojj5Wc");
        assert_eq!(
            UInt160::parse("NiHURyS83nX2mpxtA7xq84cGxVbHojj5Wc"),
            Some(neo)
        );
        assert_eq!(
            neo.to_string(),
            "0xef4073a0f2b305a38ec4050e4d3d28bc40ea63f5"
        );
        assert!(UInt160::parse("NiHURyS83nX2mpxtA7xq84cGxVbHojj5Wd").is_none());
    }

    #[test]
    fn syscall_hashes_match_table() {
        assert_eq!(syscall_hash("System.Contract.Call"), 0x525b7d62);
        assert_eq!(syscall_hash("System.Storage.Local.Delete"), 0x94f55475);
    }
}
