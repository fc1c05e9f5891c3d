//! StdLib (id -2): serialization, JSON, integer text, base64/base58, memory and string helpers.

use super::{
    arg_bool, arg_bytes, arg_i64, arg_int, arg_string, NativeContract, NativeMethod, NativeResult,
};
use crate::binary::{deserialize, make_map, serialize};
use crate::types::{base58_check_decode, base58_check_encode, call_flags as cf, ParamType as T};
use base64::Engine;
use unicode_segmentation::UnicodeSegmentation;
use xvm_neovm::error::{fault, VmError};
use xvm_neovm::item::MapKey;
use xvm_neovm::{Int, StackItem};

/// StdLib's id.
pub const ID: i32 = -2;
const MAX_INPUT: usize = 1024;

fn limited(args: &[StackItem], i: usize) -> Result<Vec<u8>, VmError> {
    let b = arg_bytes(args, i)?;
    if b.len() > MAX_INPUT {
        return Err(fault(format!(
            "input of {} bytes exceeds the StdLib limit of 1024",
            b.len()
        )));
    }
    Ok(b)
}

fn limited_str(args: &[StackItem], i: usize) -> Result<String, VmError> {
    String::from_utf8(limited(args, i)?).map_err(|_| fault("invalid UTF-8 string argument"))
}

/// Integer to text: base 10, or base 16 as minimal two's complement lowercase (-1 "f", 255 "0ff").
pub fn itoa(v: Int, base: i64) -> Result<String, String> {
    match base {
        10 => Ok(v.to_string()),
        16 => {
            let raw = format!("{:064x}", v.to_raw());
            let b = raw.as_bytes();
            let mut i = 0;
            let neg = v.is_negative();
            while i + 1 < b.len() {
                let (c, next) = (b[i], b[i + 1]);
                let next_high = matches!(next, b'8'..=b'9' | b'a'..=b'f');
                if (neg && c == b'f' && next_high) || (!neg && c == b'0' && !next_high) {
                    i += 1;
                } else {
                    break;
                }
            }
            Ok(raw[i..].to_string())
        }
        _ => Err(format!("Invalid base: {base}")),
    }
}

/// Text to integer: base 10 (optional sign) or base 16 two's complement.
pub fn atoi(s: &str, base: i64) -> Result<Int, String> {
    let bad = || format!("Invalid number {s:?} for base {base}");
    match base {
        10 => {
            let t = s.strip_prefix('+').unwrap_or(s);
            if t.is_empty() || t.starts_with('+') {
                return Err(bad());
            }
            Int::from_dec_str(t).ok_or_else(bad)
        }
        16 => {
            if s.is_empty() || s.len() > 64 || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
                return Err(bad());
            }
            let padded = if s.len() % 2 == 1 {
                format!("0{s}")
            } else {
                s.to_string()
            };
            let mut be = hex::decode(&padded).map_err(|_| bad())?;
            let negative = u8::from_str_radix(&s[..1], 16).map_err(|_| bad())? >= 8;
            if s.len() % 2 == 1 && negative {
                be[0] |= 0xf0;
            }
            be.reverse();
            if !negative {
                be.push(0);
            }
            Int::from_le_bytes(&be).ok_or_else(bad)
        }
        _ => Err(format!("Invalid base: {base}")),
    }
}

const MAX_SAFE: i64 = (1 << 53) - 1;

fn json_of(item: &StackItem, depth: usize) -> Result<serde_json::Value, String> {
    use serde_json::Value as J;
    if depth > 64 {
        return Err("too deep".into());
    }
    Ok(match item {
        StackItem::Null => J::Null,
        StackItem::Boolean(b) => J::Bool(*b),
        StackItem::Integer(i) => {
            let v = i
                .to_i64()
                .filter(|v| (-MAX_SAFE..=MAX_SAFE).contains(v))
                .ok_or("integer out of JSON range")?;
            J::Number(v.into())
        }
        StackItem::ByteString(_) | StackItem::Buffer(_) => J::String(
            String::from_utf8(item.to_bytes().map_err(|e| e.to_string())?)
                .map_err(|_| "bytes are not UTF-8")?,
        ),
        StackItem::Array(a) | StackItem::Struct(a) => J::Array(
            a.items()
                .iter()
                .map(|x| json_of(x, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        StackItem::Map(m) => {
            let mut o = serde_json::Map::new();
            for (k, v) in m.entries().iter() {
                let MapKey::ByteString(kb) = k else {
                    return Err("map keys must be ByteString".into());
                };
                let ks = String::from_utf8(kb.to_vec()).map_err(|_| "key is not UTF-8")?;
                o.insert(ks, json_of(v, depth + 1)?);
            }
            J::Object(o)
        }
        other => return Err(format!("{} cannot be JSON serialized", other.class_name())),
    })
}

fn item_of_json(v: &serde_json::Value, depth: usize) -> Result<StackItem, String> {
    use serde_json::Value as J;
    if depth > 10 {
        return Err("JSON too deep".into());
    }
    Ok(match v {
        J::Null => StackItem::Null,
        J::Bool(b) => StackItem::Boolean(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => StackItem::int(i),
            None => return Err("JSON number is not an integer".into()),
        },
        J::String(s) => StackItem::bytes(s.as_bytes()),
        J::Array(a) => StackItem::array(
            a.iter()
                .map(|x| item_of_json(x, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        J::Object(o) => {
            let mut pairs = Vec::new();
            for (k, x) in o {
                pairs.push((
                    MapKey::ByteString(k.as_bytes().into()),
                    item_of_json(x, depth + 1)?,
                ));
            }
            make_map(pairs)
        }
    })
}

fn memory_search(mem: &[u8], value: &[u8], start: i64, backward: bool) -> Result<i64, VmError> {
    if start < 0 || start as usize > mem.len() {
        return Err(fault("memorySearch: start out of range"));
    }
    let s = start as usize;
    let found = if backward {
        let hay = &mem[..s];
        (0..=hay.len().saturating_sub(value.len()))
            .rev()
            .find(|&i| hay.len() >= value.len() && &hay[i..i + value.len()] == value)
    } else {
        let hay = &mem[s..];
        (0..=hay.len().saturating_sub(value.len()))
            .find(|&i| hay.len() >= value.len() && &hay[i..i + value.len()] == value)
            .map(|i| i + s)
    };
    Ok(found.map_or(-1, |i| i as i64))
}

fn bytes_result(b: impl AsRef<[u8]>) -> Result<NativeResult, VmError> {
    NativeResult::value(StackItem::bytes(b.as_ref()))
}

/// The native.
pub fn contract() -> NativeContract {
    let n = cf::NONE;
    let itoa_h = |a: Vec<StackItem>| {
        let base = if a.len() > 1 { arg_i64(&a, 1)? } else { 10 };
        let s = itoa(arg_int(&a, 0)?, base).map_err(fault)?;
        bytes_result(s)
    };
    let atoi_h = |a: Vec<StackItem>| {
        let base = if a.len() > 1 { arg_i64(&a, 1)? } else { 10 };
        NativeResult::value(StackItem::Integer(
            atoi(&limited_str(&a, 0)?, base).map_err(fault)?,
        ))
    };
    let search = |a: Vec<StackItem>| {
        let mem = limited(&a, 0)?;
        let value = arg_bytes(&a, 1)?;
        let start = if a.len() > 2 { arg_i64(&a, 2)? } else { 0 };
        let backward = if a.len() > 3 { arg_bool(&a, 3)? } else { false };
        let start = if a.len() > 2 || !backward {
            start
        } else {
            mem.len() as i64
        };
        NativeResult::value(StackItem::int(memory_search(
            &mem, &value, start, backward,
        )?))
    };
    let split = |a: Vec<StackItem>| {
        let s = limited_str(&a, 0)?;
        let sep = arg_string(&a, 1)?;
        let remove_empty = a.len() > 2 && arg_bool(&a, 2)?;
        let parts: Vec<StackItem> = if sep.is_empty() {
            vec![StackItem::bytes(s.as_bytes())]
        } else {
            s.split(sep.as_str())
                .filter(|p| !remove_empty || !p.is_empty())
                .map(|p| StackItem::bytes(p.as_bytes()))
                .collect()
        };
        NativeResult::value(StackItem::array(parts))
    };
    NativeContract::new(
        "StdLib",
        ID,
        vec![
            NativeMethod::new(
                "serialize",
                &[("item", T::Any)],
                T::ByteArray,
                1 << 12,
                n,
                |_, _, _, a| bytes_result(serialize(&a[0]).map_err(fault)?),
            ),
            NativeMethod::new(
                "deserialize",
                &[("data", T::ByteArray)],
                T::Any,
                1 << 14,
                n,
                |_, _, _, a| NativeResult::value(deserialize(&arg_bytes(&a, 0)?).map_err(fault)?),
            ),
            NativeMethod::new(
                "jsonSerialize",
                &[("item", T::Any)],
                T::ByteArray,
                1 << 12,
                n,
                |_, _, _, a| {
                    let j = json_of(&a[0], 0).map_err(|e| fault(format!("jsonSerialize: {e}")))?;
                    bytes_result(j.to_string())
                },
            ),
            NativeMethod::new(
                "jsonDeserialize",
                &[("json", T::ByteArray)],
                T::Any,
                1 << 14,
                n,
                |_, _, _, a| {
                    let v: serde_json::Value = serde_json::from_slice(&arg_bytes(&a, 0)?)
                        .map_err(|e| fault(format!("jsonDeserialize: {e}")))?;
                    NativeResult::value(item_of_json(&v, 0).map_err(fault)?)
                },
            ),
            NativeMethod::new(
                "itoa",
                &[("value", T::Integer)],
                T::String,
                1 << 12,
                n,
                move |_, _, _, a| itoa_h(a),
            ),
            NativeMethod::new(
                "itoa",
                &[("value", T::Integer), ("base", T::Integer)],
                T::String,
                1 << 12,
                n,
                move |_, _, _, a| itoa_h(a),
            ),
            NativeMethod::new(
                "atoi",
                &[("value", T::String)],
                T::Integer,
                1 << 6,
                n,
                move |_, _, _, a| atoi_h(a),
            ),
            NativeMethod::new(
                "atoi",
                &[("value", T::String), ("base", T::Integer)],
                T::Integer,
                1 << 6,
                n,
                move |_, _, _, a| atoi_h(a),
            ),
            NativeMethod::new(
                "base64Encode",
                &[("data", T::ByteArray)],
                T::String,
                1 << 5,
                n,
                move |_, _, _, a| {
                    bytes_result(base64::engine::general_purpose::STANDARD.encode(limited(&a, 0)?))
                },
            ),
            NativeMethod::new(
                "base64Decode",
                &[("s", T::String)],
                T::ByteArray,
                1 << 5,
                n,
                move |_, _, _, a| {
                    bytes_result(
                        base64::engine::general_purpose::STANDARD
                            .decode(limited(&a, 0)?)
                            .map_err(|e| fault(format!("base64Decode: {e}")))?,
                    )
                },
            ),
            NativeMethod::new(
                "base64UrlEncode",
                &[("data", T::String)],
                T::String,
                1 << 5,
                n,
                move |_, _, _, a| {
                    bytes_result(
                        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(limited(&a, 0)?),
                    )
                },
            ),
            NativeMethod::new(
                "base64UrlDecode",
                &[("s", T::String)],
                T::String,
                1 << 5,
                n,
                move |_, _, _, a| {
                    bytes_result(
                        base64::engine::general_purpose::URL_SAFE_NO_PAD
                            .decode(limited(&a, 0)?)
                            .map_err(|e| fault(format!("base64UrlDecode: {e}")))?,
                    )
                },
            ),
            NativeMethod::new(
                "base58Encode",
                &[("data", T::ByteArray)],
                T::String,
                1 << 13,
                n,
                |_, _, _, a| bytes_result(bs58::encode(limited(&a, 0)?).into_string()),
            ),
            NativeMethod::new(
                "base58Decode",
                &[("s", T::String)],
                T::ByteArray,
                1 << 10,
                n,
                |_, _, _, a| {
                    bytes_result(
                        bs58::decode(limited(&a, 0)?)
                            .into_vec()
                            .map_err(|e| fault(format!("base58Decode: {e}")))?,
                    )
                },
            ),
            NativeMethod::new(
                "base58CheckEncode",
                &[("data", T::ByteArray)],
                T::String,
                1 << 16,
                n,
                |_, _, _, a| bytes_result(base58_check_encode(&limited(&a, 0)?)),
            ),
            NativeMethod::new(
                "base58CheckDecode",
                &[("s", T::String)],
                T::ByteArray,
                1 << 16,
                n,
                |_, _, _, a| {
                    bytes_result(
                        base58_check_decode(&limited_str(&a, 0)?)
                            .ok_or_else(|| fault("base58CheckDecode: invalid input or checksum"))?,
                    )
                },
            ),
            NativeMethod::new(
                "hexEncode",
                &[("bytes", T::ByteArray)],
                T::String,
                1 << 5,
                n,
                |_, _, _, a| bytes_result(hex::encode(limited(&a, 0)?)),
            ),
            NativeMethod::new(
                "hexDecode",
                &[("str", T::String)],
                T::ByteArray,
                1 << 5,
                n,
                |_, _, _, a| {
                    bytes_result(
                        hex::decode(limited_str(&a, 0)?)
                            .map_err(|e| fault(format!("hexDecode: {e}")))?,
                    )
                },
            ),
            NativeMethod::new(
                "memoryCompare",
                &[("str1", T::ByteArray), ("str2", T::ByteArray)],
                T::Integer,
                1 << 5,
                n,
                |_, _, _, a| {
                    let (x, y) = (limited(&a, 0)?, limited(&a, 1)?);
                    NativeResult::value(StackItem::int(x.cmp(&y) as i64))
                },
            ),
            NativeMethod::new(
                "memorySearch",
                &[("mem", T::ByteArray), ("value", T::ByteArray)],
                T::Integer,
                1 << 6,
                n,
                move |_, _, _, a| search(a),
            ),
            NativeMethod::new(
                "memorySearch",
                &[
                    ("mem", T::ByteArray),
                    ("value", T::ByteArray),
                    ("start", T::Integer),
                ],
                T::Integer,
                1 << 6,
                n,
                move |_, _, _, a| search(a),
            ),
            NativeMethod::new(
                "memorySearch",
                &[
                    ("mem", T::ByteArray),
                    ("value", T::ByteArray),
                    ("start", T::Integer),
                    ("backward", T::Boolean),
                ],
                T::Integer,
                1 << 6,
                n,
                move |_, _, _, a| search(a),
            ),
            NativeMethod::new(
                "stringSplit",
                &[("str", T::String), ("separator", T::String)],
                T::Array,
                1 << 8,
                n,
                move |_, _, _, a| split(a),
            ),
            NativeMethod::new(
                "stringSplit",
                &[
                    ("str", T::String),
                    ("separator", T::String),
                    ("removeEmptyEntries", T::Boolean),
                ],
                T::Array,
                1 << 8,
                n,
                move |_, _, _, a| split(a),
            ),
            NativeMethod::new(
                "strLen",
                &[("str", T::String)],
                T::Integer,
                1 << 8,
                n,
                |_, _, _, a| {
                    let s = limited_str(&a, 0)?;
                    NativeResult::value(StackItem::int(s.graphemes(true).count() as i64))
                },
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn itoa_atoi() {
        let i = |v: i64| Int::from(v);
        assert_eq!(itoa(i(-1), 16).unwrap(), "f");
        assert_eq!(itoa(i(255), 16).unwrap(), "0ff");
        assert_eq!(itoa(i(0), 16).unwrap(), "0");
        assert_eq!(itoa(i(-128), 16).unwrap(), "80");
        assert_eq!(itoa(i(-129), 16).unwrap(), "f7f");
        assert_eq!(itoa(i(127), 16).unwrap(), "7f");
        assert_eq!(itoa(i(-42), 10).unwrap(), "-42");
        assert!(itoa(i(1), 2).is_err());
        assert_eq!(atoi("ff", 16).unwrap(), i(-1));
        assert_eq!(atoi("0ff", 16).unwrap(), i(255));
        assert_eq!(atoi("F7F", 16).unwrap(), i(-129));
        assert_eq!(atoi("-42", 10).unwrap(), i(-42));
        assert!(atoi("0x1", 16).is_err());
        assert!(atoi("", 10).is_err());
    }

    #[test]
    fn search() {
        assert_eq!(memory_search(b"abcabc", b"c", 0, false).unwrap(), 2);
        assert_eq!(memory_search(b"abcabc", b"c", 3, false).unwrap(), 5);
        assert_eq!(memory_search(b"abcabc", b"c", 5, true).unwrap(), 2);
        assert_eq!(memory_search(b"abc", b"x", 0, false).unwrap(), -1);
        assert!(memory_search(b"abc", b"x", 4, false).is_err());
    }
}
