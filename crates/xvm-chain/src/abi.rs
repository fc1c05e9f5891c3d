//! ABI coding for the command line: methods by signature or by name, arguments parsed per type,
//! results, events and revert reasons decoded. The coding itself is alloy's (dyn-abi/json-abi).

use alloy_dyn_abi::{DynSolType, DynSolValue, EventExt, FunctionExt, JsonAbiExt, Specifier};
use alloy_json_abi::{Function, JsonAbi, Param};
use alloy_primitives::{hex, Bytes, B256, U256};
use serde_json::Value;

/// Parses a stored or loaded JSON ABI.
pub fn parse_abi(v: &Value) -> Result<JsonAbi, String> {
    serde_json::from_value(v.clone()).map_err(|e| format!("malformed ABI: {e}"))
}

/// The method to call: a signature with optional return types (`balanceOf(address)(uint256)`,
/// `function f(uint) returns (bool)`) or a method name looked up in `abi`, overloads resolved by
/// argument count.
pub fn resolve_function(
    abi: Option<&JsonAbi>,
    method: &str,
    nargs: usize,
) -> Result<Function, String> {
    if method.contains('(') {
        return Function::parse(method).map_err(|e| format!("bad signature '{method}': {e}"));
    }
    let Some(abi) = abi else {
        return Err(format!(
            "no ABI is stored for this contract: give a signature such as '{method}(uint256)'"
        ));
    };
    let all: Vec<&Function> = abi.functions().filter(|f| f.name == method).collect();
    if all.is_empty() {
        let mut names: Vec<&str> = abi.functions().map(|f| f.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        return Err(format!(
            "no method '{method}' in the contract's ABI (it has: {})",
            names.join(", ")
        ));
    }
    let fit: Vec<&&Function> = all.iter().filter(|f| f.inputs.len() == nargs).collect();
    match fit.as_slice() {
        [one] => Ok((**one).clone()),
        [] if all.len() == 1 => Err(format!(
            "{} takes {} argument(s), {nargs} given",
            all[0].signature(),
            all[0].inputs.len()
        )),
        _ => Err(format!(
            "'{method}' is ambiguous with {nargs} argument(s); give the signature, one of: {}",
            all.iter()
                .map(|f| f.signature())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Parses command-line arguments for `params`: numbers (decimal, hex, with units such as
/// `1ether` or `5gwei`), addresses, booleans, hex bytes, strings, and arrays and tuples as JSON
/// (`[1,2]`, `["0xab..", 5]`).
pub fn parse_args(params: &[Param], args: &[String]) -> Result<Vec<DynSolValue>, String> {
    if params.len() != args.len() {
        return Err(format!(
            "expected {} argument(s) ({}), got {}",
            params.len(),
            params
                .iter()
                .map(|p| p.selector_type().into_owned())
                .collect::<Vec<_>>()
                .join(", "),
            args.len()
        ));
    }
    params
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (p, a))| {
            let ty = p
                .resolve()
                .map_err(|e| format!("argument {}: bad type: {e}", i + 1))?;
            parse_value(&ty, a).map_err(|e| {
                let name = if p.name.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", p.name)
                };
                format!("argument {}{name}: {e}", i + 1)
            })
        })
        .collect()
}

/// Parses one value of type `ty`.
pub fn parse_value(ty: &DynSolType, text: &str) -> Result<DynSolValue, String> {
    let t = text.trim();
    let composite = matches!(
        ty,
        DynSolType::Array(_) | DynSolType::FixedArray(..) | DynSolType::Tuple(_)
    );
    if composite && t.starts_with('[') {
        let v: Value = serde_json::from_str(t).map_err(|e| format!("'{t}' is not JSON: {e}"))?;
        return from_json(ty, &v);
    }
    coerce(ty, t)
}

fn coerce(ty: &DynSolType, t: &str) -> Result<DynSolValue, String> {
    ty.coerce_str(t).map_err(|e| {
        // The parser's own text is a multi-line excerpt with a caret; the type says enough.
        let detail = e.to_string();
        if detail.starts_with("parser error") {
            format!("'{t}' is not a valid {ty}")
        } else {
            format!(
                "'{t}' is not a valid {ty}: {}",
                detail.lines().next().unwrap_or("")
            )
        }
    })
}

fn from_json(ty: &DynSolType, v: &Value) -> Result<DynSolValue, String> {
    match (ty, v) {
        (DynSolType::Array(inner), Value::Array(items)) => Ok(DynSolValue::Array(
            items
                .iter()
                .map(|x| from_json(inner, x))
                .collect::<Result<_, _>>()?,
        )),
        (DynSolType::FixedArray(inner, n), Value::Array(items)) => {
            if items.len() != *n {
                return Err(format!("expected {n} elements, got {}", items.len()));
            }
            Ok(DynSolValue::FixedArray(
                items
                    .iter()
                    .map(|x| from_json(inner, x))
                    .collect::<Result<_, _>>()?,
            ))
        }
        (DynSolType::Tuple(types), Value::Array(items)) => {
            if items.len() != types.len() {
                return Err(format!(
                    "expected a tuple of {}, got {}",
                    types.len(),
                    items.len()
                ));
            }
            Ok(DynSolValue::Tuple(
                types
                    .iter()
                    .zip(items)
                    .map(|(t, x)| from_json(t, x))
                    .collect::<Result<_, _>>()?,
            ))
        }
        (_, Value::String(s)) => coerce(ty, s),
        (_, Value::Number(n)) => coerce(ty, &n.to_string()),
        (_, Value::Bool(b)) => coerce(ty, if *b { "true" } else { "false" }),
        (t, other) => Err(format!("{other} is not a valid {t}")),
    }
}

/// Call data for `f` with `values`.
pub fn encode_call(f: &Function, values: &[DynSolValue]) -> Result<Bytes, String> {
    f.abi_encode_input(values)
        .map(Bytes::from)
        .map_err(|e| format!("encoding {}: {e}", f.signature()))
}

/// Init code followed by the ABI-encoded constructor arguments parsed from `args`.
pub fn constructor_data(
    abi: Option<&JsonAbi>,
    code: &[u8],
    args: &[String],
) -> Result<Bytes, String> {
    let params: &[Param] = abi
        .and_then(|a| a.constructor.as_ref())
        .map(|c| c.inputs.as_slice())
        .unwrap_or(&[]);
    if abi.is_none() && !args.is_empty() {
        return Err("constructor arguments need an artifact with an ABI".into());
    }
    let values = parse_args(params, args).map_err(|e| format!("constructor: {e}"))?;
    let mut data = code.to_vec();
    if !values.is_empty() {
        data.extend_from_slice(&DynSolValue::Tuple(values).abi_encode_params());
    }
    Ok(data.into())
}

/// Decodes return data as `f`'s outputs.
pub fn decode_output(f: &Function, data: &[u8]) -> Result<Vec<DynSolValue>, String> {
    f.abi_decode_output(data)
        .map_err(|e| format!("return data does not decode as ({}): {e}", outputs_of(f)))
}

fn outputs_of(f: &Function) -> String {
    f.outputs
        .iter()
        .map(|p| p.selector_type().into_owned())
        .collect::<Vec<_>>()
        .join(",")
}

/// A value as people read it: decimal numbers, checksummed addresses, hex bytes, quoted strings.
pub fn format_value(v: &DynSolValue) -> String {
    match v {
        DynSolValue::Bool(b) => b.to_string(),
        DynSolValue::Int(i, _) => i.to_string(),
        DynSolValue::Uint(u, _) => u.to_string(),
        DynSolValue::FixedBytes(w, n) => hex::encode_prefixed(&w[..*n]),
        DynSolValue::Address(a) => a.to_checksum(None),
        DynSolValue::Function(f) => hex::encode_prefixed(f.as_slice()),
        DynSolValue::Bytes(b) => hex::encode_prefixed(b),
        DynSolValue::String(s) => format!("{s:?}"),
        DynSolValue::Array(xs) | DynSolValue::FixedArray(xs) => {
            format!(
                "[{}]",
                xs.iter().map(format_value).collect::<Vec<_>>().join(", ")
            )
        }
        DynSolValue::Tuple(xs) => {
            format!(
                "({})",
                xs.iter().map(format_value).collect::<Vec<_>>().join(", ")
            )
        }
        #[allow(unreachable_patterns)]
        other => format!("{other:?}"),
    }
}

/// A decoded event: `Transfer(from: 0x.., to: 0x.., value: 5)`.
pub fn decode_log(abi: &JsonAbi, topics: &[B256], data: &[u8]) -> Option<String> {
    let topic0 = topics.first()?;
    for ev in abi.events() {
        if ev.anonymous || ev.selector() != *topic0 {
            continue;
        }
        let Ok(decoded) = ev.decode_log_parts(topics.iter().copied(), data) else {
            continue;
        };
        let (mut idx, mut body) = (decoded.indexed.into_iter(), decoded.body.into_iter());
        let parts: Vec<String> = ev
            .inputs
            .iter()
            .map(|p| {
                let v = if p.indexed { idx.next() } else { body.next() };
                let v = v.map(|v| format_value(&v)).unwrap_or_default();
                if p.name.is_empty() {
                    v
                } else {
                    format!("{}: {v}", p.name)
                }
            })
            .collect();
        return Some(format!("{}({})", ev.name, parts.join(", ")));
    }
    None
}

/// What Solidity's `Panic(uint256)` codes mean.
pub fn panic_meaning(code: U256) -> &'static str {
    // Revert data is the contract's to choose: a code wider than 64 bits is just unknown.
    match u64::try_from(code).unwrap_or(u64::MAX) {
        0x00 => "generic compiler panic",
        0x01 => "assertion failed",
        0x11 => "arithmetic overflow or underflow",
        0x12 => "division or modulo by zero",
        0x21 => "invalid enum value",
        0x22 => "invalid storage byte array encoding",
        0x31 => "pop() on an empty array",
        0x32 => "array index out of bounds",
        0x41 => "out of memory (too large allocation)",
        0x51 => "call to an uninitialised internal function",
        _ => "unknown panic code",
    }
}

/// Revert data as a reason: `Error(string)`, `Panic(uint256)` with its meaning, a custom error
/// of `abi` by name with its arguments, else the raw hex.
pub fn decode_revert(abi: Option<&JsonAbi>, data: &[u8]) -> String {
    if data.is_empty() {
        return "reverted without a reason".into();
    }
    if data.len() >= 4 {
        let (sel, rest) = data.split_at(4);
        if sel == [0x08, 0xc3, 0x79, 0xa0] {
            if let Ok(DynSolValue::String(s)) = DynSolType::String.abi_decode(rest) {
                return format!("Error({s:?})");
            }
        }
        if sel == [0x4e, 0x48, 0x7b, 0x71] {
            if let Ok(DynSolValue::Uint(code, _)) = DynSolType::Uint(256).abi_decode(rest) {
                return format!("Panic(0x{code:x}): {}", panic_meaning(code));
            }
        }
        if let Some(abi) = abi {
            for err in abi.errors() {
                if err.selector().as_slice() != sel {
                    continue;
                }
                if let Ok(values) = err.abi_decode_input(rest) {
                    let parts: Vec<String> = err
                        .inputs
                        .iter()
                        .zip(values.iter())
                        .map(|(p, v)| {
                            if p.name.is_empty() {
                                format_value(v)
                            } else {
                                format!("{}: {}", p.name, format_value(v))
                            }
                        })
                        .collect();
                    return format!("{}({})", err.name, parts.join(", "));
                }
            }
        }
    }
    format!("reverted with data {}", hex::encode_prefixed(data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::Address;

    fn abi() -> JsonAbi {
        JsonAbi::parse([
            "function transfer(address to, uint256 amount) returns (bool)",
            "function f(uint256 a)",
            "function f(uint256 a, uint256 b)",
            "event Transfer(address indexed from, address indexed to, uint256 value)",
            "error Insufficient(address who, uint256 have, uint256 want)",
        ])
        .unwrap()
    }

    #[test]
    fn methods_by_name_signature_and_overload() {
        let abi = abi();
        assert_eq!(
            resolve_function(Some(&abi), "transfer", 2)
                .unwrap()
                .signature(),
            "transfer(address,uint256)"
        );
        assert_eq!(
            resolve_function(Some(&abi), "f", 2).unwrap().signature(),
            "f(uint256,uint256)"
        );
        assert!(resolve_function(Some(&abi), "f", 3)
            .unwrap_err()
            .contains("f(uint256)"));
        assert!(resolve_function(Some(&abi), "transfer", 1)
            .unwrap_err()
            .contains("takes 2"));
        assert!(resolve_function(Some(&abi), "nope", 0)
            .unwrap_err()
            .contains("transfer"));
        let f = resolve_function(None, "balanceOf(address)(uint256)", 1).unwrap();
        assert_eq!(f.outputs.len(), 1);
        assert!(resolve_function(None, "balanceOf", 1).is_err());
    }

    #[test]
    fn arguments_with_units_json_and_errors() {
        let f = Function::parse("g(uint256,address,uint8[],(bool,string))").unwrap();
        let args: Vec<String> = [
            "1ether",
            "0x000000000000000000000000000000000000dEaD",
            "[1,2,3]",
            "[true,\"hi\"]",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let v = parse_args(&f.inputs, &args).unwrap();
        assert_eq!(
            v[0],
            DynSolValue::Uint(U256::from(10u64).pow(U256::from(18u64)), 256)
        );
        assert_eq!(format_value(&v[2]), "[1, 2, 3]");
        assert_eq!(format_value(&v[3]), "(true, \"hi\")");
        assert!(parse_args(&f.inputs, &args[..2])
            .unwrap_err()
            .contains("expected 4"));
        let mut bad = args.clone();
        bad[1] = "0x1234".into();
        assert!(parse_args(&f.inputs, &bad)
            .unwrap_err()
            .starts_with("argument 2"));
        let data = encode_call(&f, &v).unwrap();
        assert_eq!(&data[..4], f.selector().as_slice());
    }

    #[test]
    fn events_and_reverts_decode() {
        let abi = abi();
        let ev = abi.events().next().unwrap();
        let a = Address::repeat_byte(0x11);
        let b = Address::repeat_byte(0x22);
        let topics = [ev.selector(), a.into_word(), b.into_word()];
        let data = U256::from(5u64).to_be_bytes::<32>();
        let text = decode_log(&abi, &topics, &data).unwrap();
        assert!(text.starts_with("Transfer(from: 0x1111"), "{text}");
        assert!(text.ends_with("value: 5)"), "{text}");

        let err = abi.errors().next().unwrap();
        let mut rev = err.selector().to_vec();
        rev.extend(
            DynSolValue::Tuple(vec![
                a.into(),
                U256::from(1u64).into(),
                U256::from(2u64).into(),
            ])
            .abi_encode_params(),
        );
        assert!(decode_revert(Some(&abi), &rev).starts_with("Insufficient(who: 0x1111"));
        let mut panic = vec![0x4e, 0x48, 0x7b, 0x71];
        panic.extend(U256::from(0x11u64).to_be_bytes::<32>());
        assert_eq!(
            decode_revert(None, &panic),
            "Panic(0x11): arithmetic overflow or underflow"
        );
        let mut msg = vec![0x08, 0xc3, 0x79, 0xa0];
        msg.extend(DynSolValue::String("nope".into()).abi_encode_params());
        assert_eq!(decode_revert(None, &msg), "Error(\"nope\")");
        assert_eq!(decode_revert(None, &[1, 2]), "reverted with data 0x0102");
    }

    /// Found by the `abi_args` fuzz target: `Panic(uint256)` revert data with a code wider than
    /// 64 bits (a contract can revert with anything) panicked instead of naming an unknown code.
    #[test]
    fn panic_revert_with_a_huge_code_is_unknown() {
        let mut panic = vec![0x4e, 0x48, 0x7b, 0x71];
        panic.extend(U256::MAX.to_be_bytes::<32>());
        assert_eq!(
            decode_revert(None, &panic),
            format!("Panic({:#x}): unknown panic code", U256::MAX)
        );
        assert_eq!(panic_meaning(U256::from(1u64) << 64), "unknown panic code");
    }
}
