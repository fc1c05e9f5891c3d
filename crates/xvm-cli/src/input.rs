//! Reading user input: hex strings and files, with one-line errors.

use std::path::Path;

/// Decodes a hex string (optional `0x` prefix, surrounding white space ignored).
pub fn parse_hex(what: &str, s: &str) -> Result<Vec<u8>, String> {
    let t = s.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if t.len() % 2 == 1 {
        return Err(format!("{what}: odd number of hex digits ({})", t.len()));
    }
    hex::decode(t).map_err(|e| format!("{what}: invalid hex: {e}"))
}

/// Reads a file holding hex text.
pub fn read_hex_file(what: &str, path: &Path) -> Result<Vec<u8>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{what}: cannot read {}: {e}", path.display()))?;
    let joined: String = text.split_whitespace().collect();
    parse_hex(&format!("{what} ({})", path.display()), &joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_parsing() {
        assert_eq!(parse_hex("x", "0x0102").unwrap(), vec![1, 2]);
        assert_eq!(parse_hex("x", " 0A0b\n").unwrap(), vec![10, 11]);
        assert_eq!(parse_hex("x", "").unwrap(), Vec::<u8>::new());
        assert!(parse_hex("x", "123").unwrap_err().contains("odd"));
        assert!(parse_hex("x", "zz").unwrap_err().contains("invalid hex"));
    }
}
