//! Conversions between stack items and the outside: the Neo RPC JSON shape of results
//! (as neo-express and `invokefunction` print them), command-line arguments by manifest
//! parameter type, and the type checks Runtime.Notify makes.

use crate::types::{ParamType, UInt160};
use base64::Engine;
use serde_json::{json, Value};
use xvm_neovm::item::MapKey;
use xvm_neovm::{Int, StackItem};

/// Whether `item` fits a declared parameter type (Runtime.Notify's check).
pub fn item_matches(item: &StackItem, t: ParamType) -> bool {
    use ParamType as P;
    let len_is = |n: usize| match item {
        StackItem::Null => true,
        StackItem::ByteString(b) => b.len() == n,
        StackItem::Buffer(b) => b.borrow().len() == n,
        _ => false,
    };
    match t {
        P::Any => !matches!(item, StackItem::Pointer(_)),
        P::Boolean => matches!(item, StackItem::Boolean(_)),
        P::Integer => matches!(item, StackItem::Integer(_)),
        P::ByteArray => matches!(
            item,
            StackItem::Null | StackItem::ByteString(_) | StackItem::Buffer(_)
        ),
        P::String => match item {
            StackItem::ByteString(_) | StackItem::Buffer(_) => item
                .to_bytes()
                .is_ok_and(|b| std::str::from_utf8(&b).is_ok()),
            _ => false,
        },
        P::Hash160 => len_is(20),
        P::Hash256 => len_is(32),
        P::PublicKey => len_is(33),
        P::Signature => len_is(64),
        P::Array => matches!(
            item,
            StackItem::Null | StackItem::Array(_) | StackItem::Struct(_)
        ),
        P::Map => matches!(item, StackItem::Null | StackItem::Map(_)),
        P::InteropInterface => matches!(item, StackItem::Null | StackItem::Interop(_)),
        P::Void => false,
    }
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// A stack item as the Neo RPC prints it (`{"type": "Integer", "value": "5"}`, bytes as base64).
pub fn item_to_json(item: &StackItem) -> Value {
    item_json(item, 0)
}

fn item_json(item: &StackItem, depth: usize) -> Value {
    if depth > 32 {
        return json!({"type": item.class_name(), "value": "..."});
    }
    match item {
        StackItem::Null => json!({"type": "Any"}),
        StackItem::Boolean(b) => json!({"type": "Boolean", "value": b}),
        StackItem::Integer(i) => json!({"type": "Integer", "value": i.to_string()}),
        StackItem::ByteString(b) => json!({"type": "ByteString", "value": b64(b)}),
        StackItem::Buffer(b) => json!({"type": "Buffer", "value": b64(&b.borrow())}),
        StackItem::Array(a) | StackItem::Struct(a) => json!({
            "type": item.class_name(),
            "value": a.items().iter().map(|x| item_json(x, depth + 1)).collect::<Vec<_>>()
        }),
        StackItem::Map(m) => json!({
            "type": "Map",
            "value": m.entries().iter().map(|(k, v)| json!({"key": item_json(&k.to_item(), depth + 1), "value": item_json(v, depth + 1)})).collect::<Vec<_>>()
        }),
        StackItem::Pointer(p) => json!({"type": "Pointer", "value": p.position}),
        StackItem::Interop(_) => json!({"type": "InteropInterface"}),
    }
}

fn hex_arg(s: &str) -> Option<Vec<u8>> {
    hex::decode(s.strip_prefix("0x").unwrap_or(s)).ok()
}

/// Converts a command-line argument by its manifest type; the error is one line.
pub fn parse_arg(text: &str, t: ParamType) -> Result<StackItem, String> {
    use ParamType as P;
    let bad = |what: &str| format!("argument {text:?} is not a valid {what}");
    Ok(match t {
        P::Integer => StackItem::Integer(parse_int(text).ok_or_else(|| bad("Integer"))?),
        P::Boolean => match text {
            "true" | "True" | "1" => StackItem::Boolean(true),
            "false" | "False" | "0" => StackItem::Boolean(false),
            _ => return Err(bad("Boolean (true or false)")),
        },
        P::String => StackItem::bytes(text.as_bytes()),
        P::Hash160 => StackItem::bytes(
            &UInt160::parse(text)
                .ok_or_else(|| bad("Hash160 (0x + 40 hex digits or a Neo address)"))?
                .0,
        ),
        P::Hash256 => {
            let mut b = hex_arg(text)
                .filter(|b| b.len() == 32 && text.starts_with("0x"))
                .ok_or_else(|| bad("Hash256 (0x + 64 hex digits)"))?;
            b.reverse();
            StackItem::bytes(&b)
        }
        P::ByteArray => StackItem::bytes(
            &hex_arg(text)
                .filter(|_| text.starts_with("0x"))
                .ok_or_else(|| bad("ByteArray (0x-hex)"))?,
        ),
        P::PublicKey => StackItem::bytes(
            &hex_arg(text)
                .filter(|b| crate::crypto::is_valid_r1_point(b))
                .ok_or_else(|| bad("PublicKey (33-byte compressed hex)"))?,
        ),
        P::Signature => StackItem::bytes(
            &hex_arg(text)
                .filter(|b| b.len() == 64)
                .ok_or_else(|| bad("Signature (64-byte hex)"))?,
        ),
        P::Array => {
            let v: Value = serde_json::from_str(text).map_err(|_| bad("Array (JSON)"))?;
            if !v.is_array() {
                return Err(bad("Array (JSON array)"));
            }
            json_to_item(&v)?
        }
        P::Map => {
            let v: Value = serde_json::from_str(text).map_err(|_| bad("Map (JSON)"))?;
            if !v.is_object() {
                return Err(bad("Map (JSON object)"));
            }
            json_to_item(&v)?
        }
        P::Any => {
            if let Some(i) = parse_int(text) {
                StackItem::Integer(i)
            } else if text == "true" || text == "false" {
                StackItem::Boolean(text == "true")
            } else if text == "null" {
                StackItem::Null
            } else if let Some(b) = text.strip_prefix("0x").and_then(|h| hex::decode(h).ok()) {
                StackItem::bytes(&b)
            } else if text.starts_with('[') || text.starts_with('{') {
                json_to_item(&serde_json::from_str(text).map_err(|_| bad("JSON"))?)?
            } else {
                StackItem::bytes(text.as_bytes())
            }
        }
        P::InteropInterface | P::Void => {
            return Err(format!(
                "parameters of type {} cannot be given on the command line",
                t.name()
            ))
        }
    })
}

fn parse_int(s: &str) -> Option<Int> {
    let (neg, d) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s),
    };
    if d.is_empty() || !d.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v = Int::from_dec_str(d)?;
    if neg {
        v.checked_neg()
    } else {
        Some(v)
    }
}

/// A JSON value as an item: numbers Integer, strings ByteString (`0x` hex as bytes),
/// arrays Array, objects Map with ByteString keys.
pub fn json_to_item(v: &Value) -> Result<StackItem, String> {
    Ok(match v {
        Value::Null => StackItem::Null,
        Value::Bool(b) => StackItem::Boolean(*b),
        Value::Number(n) => StackItem::Integer(
            parse_int(&n.to_string()).ok_or_else(|| format!("{n} is not an integer"))?,
        ),
        Value::String(s) => match s.strip_prefix("0x").and_then(|h| hex::decode(h).ok()) {
            Some(b) => StackItem::bytes(&b),
            None => StackItem::bytes(s.as_bytes()),
        },
        Value::Array(a) => StackItem::array(a.iter().map(json_to_item).collect::<Result<_, _>>()?),
        Value::Object(o) => crate::binary::make_map(
            o.iter()
                .map(|(k, x)| Ok((MapKey::ByteString(k.as_bytes().into()), json_to_item(x)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}
