//! NEF3 files (Neo's `NefFile` and `MethodToken`): parsing with every check Neo makes, the
//! checksum, and serialization.

use crate::binary::{write_var_bytes, write_var_int, Reader};
use crate::crypto::hash256;
use crate::types::UInt160;

/// `"NEF3"` as a little-endian u32.
pub const MAGIC: u32 = 0x3346_454E;
/// Largest script and whole file Neo accepts.
pub const MAX_SCRIPT: usize = 131070;

/// A CALLT target: a method of another contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodToken {
    /// The target contract.
    pub hash: UInt160,
    /// The method name.
    pub method: String,
    /// Arguments the call takes from the stack.
    pub parameters_count: u16,
    /// Whether the method returns a value.
    pub has_return_value: bool,
    /// Call flags granted.
    pub call_flags: u8,
}

/// A parsed NEF file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nef {
    /// Compiler name and version (up to 64 bytes).
    pub compiler: String,
    /// Source URL (up to 256 bytes).
    pub source: String,
    /// Method tokens for CALLT.
    pub tokens: Vec<MethodToken>,
    /// The script.
    pub script: Vec<u8>,
    /// The checksum stored in the file.
    pub checksum: u32,
}

impl Nef {
    /// Parses and checks a NEF file (magic, fields, reserved bytes, checksum, no trailing bytes).
    pub fn parse(data: &[u8]) -> Result<Nef, String> {
        if data.len() > MAX_SCRIPT + 1024 {
            return Err("NEF file too large".into());
        }
        let mut r = Reader::new(data);
        let magic = r.u32().map_err(|_| "NEF file too short".to_string())?;
        if magic != MAGIC {
            return Err(format!("wrong NEF magic 0x{magic:08x} (expected NEF3)"));
        }
        let comp = r.bytes(64)?;
        let end = comp.iter().position(|&b| b == 0).unwrap_or(64);
        if comp[end..].iter().any(|&b| b != 0) {
            return Err("NEF compiler field has bytes after its terminating zero".into());
        }
        let compiler = String::from_utf8(comp[..end].to_vec())
            .map_err(|_| "NEF compiler field is not UTF-8".to_string())?;
        let source = r.var_string(256)?;
        if r.u8()? != 0 {
            return Err("NEF reserved byte is not zero".into());
        }
        let n = r.var_int(128)? as usize;
        let mut tokens = Vec::with_capacity(n);
        for _ in 0..n {
            let hash = UInt160::from_slice(r.bytes(20)?).unwrap_or_default();
            let method = r.var_string(32)?;
            if method.starts_with('_') {
                return Err(format!("NEF method token {method:?} starts with '_'"));
            }
            let parameters_count = r.u16()?;
            let has_return_value = match r.u8()? {
                0 => false,
                1 => true,
                _ => return Err("NEF method token hasReturnValue is not 0 or 1".into()),
            };
            let call_flags = r.u8()?;
            if call_flags & !0x0f != 0 {
                return Err("NEF method token has invalid call flags".into());
            }
            tokens.push(MethodToken {
                hash,
                method,
                parameters_count,
                has_return_value,
                call_flags,
            });
        }
        if r.u16()? != 0 {
            return Err("NEF reserved bytes are not zero".into());
        }
        let script = r.var_bytes(MAX_SCRIPT)?.to_vec();
        if script.is_empty() {
            return Err("NEF script is empty".into());
        }
        let body_len = r.position();
        let checksum = r.u32()?;
        if !r.at_end() {
            return Err("trailing bytes after the NEF checksum".into());
        }
        let want = compute_checksum(&data[..body_len]);
        if checksum != want {
            return Err(format!(
                "wrong NEF checksum {checksum} (the content gives {want})"
            ));
        }
        Ok(Nef {
            compiler,
            source,
            tokens,
            script,
            checksum,
        })
    }

    /// The file bytes (with the stored checksum).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.body();
        out.extend_from_slice(&self.checksum.to_le_bytes());
        out
    }

    fn body(&self) -> Vec<u8> {
        let mut out = MAGIC.to_le_bytes().to_vec();
        let mut comp = [0u8; 64];
        let c = self.compiler.as_bytes();
        comp[..c.len().min(64)].copy_from_slice(&c[..c.len().min(64)]);
        out.extend_from_slice(&comp);
        write_var_bytes(&mut out, self.source.as_bytes());
        out.push(0);
        write_var_int(&mut out, self.tokens.len() as u64);
        for t in &self.tokens {
            out.extend_from_slice(&t.hash.0);
            write_var_bytes(&mut out, t.method.as_bytes());
            out.extend_from_slice(&t.parameters_count.to_le_bytes());
            out.push(t.has_return_value as u8);
            out.push(t.call_flags);
        }
        out.extend_from_slice(&[0, 0]);
        write_var_bytes(&mut out, &self.script);
        out
    }

    /// A NEF of `script` with the given compiler and tokens, checksum computed.
    pub fn new(compiler: &str, script: Vec<u8>, tokens: Vec<MethodToken>) -> Nef {
        let mut n = Nef {
            compiler: compiler.into(),
            source: String::new(),
            tokens,
            script,
            checksum: 0,
        };
        n.checksum = compute_checksum(&n.body());
        n
    }
}

/// NEF checksum: the first 4 bytes of double SHA-256 of the body, as a little-endian u32.
pub fn compute_checksum(body: &[u8]) -> u32 {
    let h = hash256(body);
    u32::from_le_bytes([h[0], h[1], h[2], h[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neo_vector() {
        let script = hex::decode("10411af77b674010411af77b674010411af77b6740").unwrap();
        let n = Nef::new("neo-core-v3.0", script, vec![]);
        assert_eq!(n.checksum, 1592866325);
        let bytes = n.to_bytes();
        assert_eq!(Nef::parse(&bytes).unwrap(), n);
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert!(Nef::parse(&bad).unwrap_err().contains("magic"));
        let mut bad = bytes.clone();
        let l = bad.len();
        bad[l - 1] ^= 1;
        assert!(Nef::parse(&bad).unwrap_err().contains("checksum"));
        assert!(Nef::parse(&bytes[..10]).is_err());
    }
}
