//! Tolerant parsing of the hex (and decimal) strings used by Ethereum test fixtures.

use alloy_primitives::{Address, Bytes, B256, U256};

/// Why a fixture value could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The value is not valid hex or decimal.
    #[error("invalid number or hex string '{0}'")]
    Invalid(String),
    /// The value does not fit the target type (e.g. `0x:bigint ...` values wider than 256 bits).
    #[error("value '{0}' does not fit {1}")]
    Overflow(String, &'static str),
}

/// `s` cut to at most 80 bytes (at a character boundary) for error messages.
fn short(s: &str) -> String {
    if s.len() > 80 {
        let mut end = 80;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &s[..end])
    } else {
        s.to_string()
    }
}

/// Strips an optional `0x`/`0X` prefix; returns whether it was present.
fn strip_hex(s: &str) -> (bool, &str) {
    let t = s.trim();
    if let Some(rest) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (true, rest)
    } else {
        (false, t)
    }
}

/// Parses a number: `0x`-prefixed hex (`"0x"` alone is zero) or decimal. Leading zeros are
/// accepted. `0x:bigint 0x...` values (wider than 256 bits in the fixtures) are parsed too and
/// give [`ParseError::Overflow`] when they do not fit.
pub fn parse_u256(s: &str) -> Result<U256, ParseError> {
    let t = s.trim();
    if let Some(rest) = t.strip_prefix("0x:bigint") {
        return parse_u256(rest);
    }
    let (hex, digits) = strip_hex(t);
    if hex {
        let digits = digits.trim_start_matches('0');
        if digits.len() > 64 {
            if digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ParseError::Overflow(short(s), "256 bits"));
            }
            return Err(ParseError::Invalid(short(s)));
        }
        if digits.is_empty() {
            return Ok(U256::ZERO);
        }
        U256::from_str_radix(digits, 16).map_err(|_| ParseError::Invalid(short(s)))
    } else {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::Invalid(short(s)));
        }
        U256::from_str_radix(digits, 10).map_err(|e| match e {
            alloy_primitives::ruint::ParseError::BaseConvertError(_) => {
                ParseError::Overflow(short(s), "256 bits")
            }
            _ => ParseError::Invalid(short(s)),
        })
    }
}

/// Parses a number that must fit 64 bits.
pub fn parse_u64(s: &str) -> Result<u64, ParseError> {
    let v = parse_u256(s)?;
    u64::try_from(v).map_err(|_| ParseError::Overflow(short(s), "64 bits"))
}

/// Parses hex bytes (`0x` prefix optional, `""` and `"0x"` are empty).
pub fn parse_bytes(s: &str) -> Result<Bytes, ParseError> {
    let (_, digits) = strip_hex(s);
    alloy_primitives::hex::decode(digits)
        .map(Bytes::from)
        .map_err(|_| ParseError::Invalid(short(s)))
}

/// Parses a 20-byte address (shorter hex is left-padded with zeros).
pub fn parse_address(s: &str) -> Result<Address, ParseError> {
    let b = parse_bytes(s)?;
    if b.len() > 20 {
        return Err(ParseError::Overflow(short(s), "an address"));
    }
    let mut out = [0u8; 20];
    out[20 - b.len()..].copy_from_slice(&b);
    Ok(Address::from(out))
}

/// Parses a 32-byte word (shorter hex is left-padded with zeros).
pub fn parse_b256(s: &str) -> Result<B256, ParseError> {
    let (_, digits) = strip_hex(s);
    let padded;
    let digits = if digits.len() % 2 == 1 {
        padded = format!("0{digits}");
        padded.as_str()
    } else {
        digits
    };
    let b = alloy_primitives::hex::decode(digits).map_err(|_| ParseError::Invalid(short(s)))?;
    if b.len() > 32 {
        return Err(ParseError::Overflow(short(s), "32 bytes"));
    }
    let mut out = [0u8; 32];
    out[32 - b.len()..].copy_from_slice(&b);
    Ok(B256::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `hex` fuzz target: an invalid value longer than 80 bytes with a multi-byte
    /// character across byte 80 panicked while the error message was being shortened.
    #[test]
    fn long_invalid_text_with_multibyte_characters_is_an_error() {
        let s = format!("{}{}", "E".repeat(79), "\u{a0}".repeat(10));
        for r in [
            parse_u256(&s).map(|_| ()),
            parse_bytes(&s).map(|_| ()),
            parse_address(&s).map(|_| ()),
        ] {
            match r {
                Err(ParseError::Invalid(m)) => assert!(m.ends_with("...") && m.len() <= 83, "{m}"),
                other => panic!("{other:?}"),
            }
        }
        let s = format!("0x{}{}1", "f".repeat(78), "\u{e9}".repeat(10));
        assert!(matches!(parse_u256(&s), Err(ParseError::Invalid(_))));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_u256("0x").unwrap(), U256::ZERO);
        assert_eq!(parse_u256("0x00").unwrap(), U256::ZERO);
        assert_eq!(parse_u256("0x0a").unwrap(), U256::from(10));
        assert_eq!(parse_u256("0X0A").unwrap(), U256::from(10));
        assert_eq!(parse_u256("1000").unwrap(), U256::from(1000));
        assert_eq!(
            parse_u256(&format!("0x{}", "f".repeat(64))).unwrap(),
            U256::MAX
        );
        assert_eq!(
            parse_u256(&format!("0x00{}", "f".repeat(64))).unwrap(),
            U256::MAX
        );
        assert!(matches!(
            parse_u256(
                "0x:bigint 0x10000000000000000000000000000000000000000000000000000000000000001"
            ),
            Err(ParseError::Overflow(..))
        ));
        assert_eq!(parse_u256("0x:bigint 0x05").unwrap(), U256::from(5));
        assert!(matches!(parse_u256("0xzz"), Err(ParseError::Invalid(_))));
        assert!(matches!(parse_u256("abc"), Err(ParseError::Invalid(_))));
        assert!(matches!(parse_u256(""), Err(ParseError::Invalid(_))));
        assert_eq!(parse_u64("0xffffffffffffffff").unwrap(), u64::MAX);
        assert!(matches!(
            parse_u64("0x10000000000000000"),
            Err(ParseError::Overflow(..))
        ));
    }

    #[test]
    fn bytes_and_words() {
        assert!(parse_bytes("0x").unwrap().is_empty());
        assert!(parse_bytes("").unwrap().is_empty());
        assert_eq!(parse_bytes("0x6001").unwrap().as_ref(), &[0x60, 0x01]);
        assert!(parse_bytes("0x601").is_err());
        assert_eq!(parse_address("0x01").unwrap(), Address::with_last_byte(1));
        assert_eq!(
            parse_address("0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b")
                .unwrap()
                .to_string(),
            "0xa94f5374Fce5edBC8E2a8697C15331677e6EbF0B"
        );
        assert_eq!(parse_b256("0x1").unwrap(), B256::with_last_byte(1));
        assert!(parse_b256(&format!("0x{}", "11".repeat(33))).is_err());
    }
}
