//! Contract artifacts as compilers and frameworks write them: raw hex, solc `--combined-json`,
//! solc standard-JSON output, foundry and hardhat artifacts, vyper `-f combined_json`.

use alloy_primitives::Bytes;
use serde_json::Value;

/// A contract ready to deploy.
#[derive(Clone, Debug, PartialEq)]
pub struct Artifact {
    /// Its name (`None` for raw hex).
    pub name: Option<String>,
    /// Init code.
    pub bytecode: Bytes,
    /// Its JSON ABI, when the artifact has one.
    pub abi: Option<Value>,
}

/// Reads `text` (a file's contents) as an artifact, picking `contract` by name when the file
/// holds several (`Name` or `path:Name`).
pub fn parse(text: &str, contract: Option<&str>) -> Result<Artifact, String> {
    let trimmed = text.trim();
    if !trimmed.starts_with('{') {
        let bytecode = parse_hex_code(trimmed).map_err(|e| format!("not JSON, and {e}"))?;
        return Ok(Artifact {
            name: None,
            bytecode,
            abi: None,
        });
    }
    let v: Value =
        serde_json::from_str(trimmed).map_err(|e| format!("malformed JSON artifact: {e}"))?;
    let candidates = candidates(&v)?;
    if candidates.is_empty() {
        return Err("no contract with bytecode in this artifact".into());
    }
    let chosen: Vec<&Candidate> = match contract {
        Some(want) => candidates
            .iter()
            .filter(|c| c.name == want || c.full_name == want)
            .collect(),
        None => candidates.iter().collect(),
    };
    let names = || {
        candidates
            .iter()
            .map(|c| c.full_name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let c = match chosen.as_slice() {
        [one] => *one,
        [] => {
            return Err(format!(
                "no contract named {} in this artifact (it has: {})",
                contract.unwrap_or(""),
                names()
            ))
        }
        _ => {
            // Without --contract, prefer the only one that is deployable (has code).
            let deployable: Vec<&&Candidate> =
                chosen.iter().filter(|c| !c.bytecode.is_empty()).collect();
            match deployable.as_slice() {
                [one] if contract.is_none() => **one,
                _ => {
                    return Err(format!(
                        "this artifact holds several contracts; pick one with --contract ({})",
                        names()
                    ))
                }
            }
        }
    };
    let bytecode = parse_hex_code(&c.bytecode).map_err(|e| format!("{}: {e}", c.full_name))?;
    if bytecode.is_empty() {
        return Err(format!(
            "{} has no bytecode (an interface or abstract contract?)",
            c.full_name
        ));
    }
    Ok(Artifact {
        name: Some(c.name.clone()),
        bytecode,
        abi: c.abi.clone(),
    })
}

struct Candidate {
    name: String,
    full_name: String,
    bytecode: String,
    abi: Option<Value>,
}

fn abi_of(v: Option<&Value>) -> Result<Option<Value>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        // Older solc writes the ABI as a JSON string inside the JSON.
        Some(Value::String(s)) => serde_json::from_str(s)
            .map(Some)
            .map_err(|e| format!("ABI is not JSON: {e}")),
        Some(a @ Value::Array(_)) => Ok(Some(a.clone())),
        Some(_) => Err("ABI is neither a list nor a JSON string".into()),
    }
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

fn short_name(full: &str) -> String {
    full.rsplit(':').next().unwrap_or(full).to_string()
}

fn candidates(v: &Value) -> Result<Vec<Candidate>, String> {
    let mut out = Vec::new();
    let Some(obj) = v.as_object() else {
        return Err("artifact is not a JSON object".into());
    };
    // foundry ({"bytecode": {"object": ..}}) or hardhat ({"bytecode": "0x.."}) artifacts.
    if obj.contains_key("bytecode") && obj.contains_key("abi") {
        let code = str_at(v, &["bytecode", "object"])
            .or_else(|| str_at(v, &["bytecode"]))
            .ok_or("artifact's bytecode is neither a string nor {object}")?;
        let name = obj
            .get("contractName")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| {
                str_at(v, &["metadata", "settings", "compilationTarget"]).map(str::to_string)
            })
            .unwrap_or_else(|| "Contract".to_string());
        out.push(Candidate {
            full_name: name.clone(),
            name,
            bytecode: code.to_string(),
            abi: abi_of(obj.get("abi"))?,
        });
        return Ok(out);
    }
    match obj.get("contracts") {
        Some(Value::Object(contracts)) => {
            for (key, entry) in contracts {
                // solc --combined-json: {"path:Name": {"abi", "bin"}}
                if entry.get("bin").is_some() {
                    out.push(Candidate {
                        name: short_name(key),
                        full_name: key.clone(),
                        bytecode: entry["bin"].as_str().unwrap_or_default().to_string(),
                        abi: abi_of(entry.get("abi"))?,
                    });
                    continue;
                }
                // solc standard JSON: {"file.sol": {"Name": {"abi", "evm": {"bytecode": {"object"}}}}}
                if let Some(per_file) = entry.as_object() {
                    for (name, c) in per_file {
                        let code = str_at(c, &["evm", "bytecode", "object"]);
                        let Some(code) = code else { continue };
                        out.push(Candidate {
                            name: name.clone(),
                            full_name: format!("{key}:{name}"),
                            bytecode: code.to_string(),
                            abi: abi_of(c.get("abi"))?,
                        });
                    }
                }
            }
            Ok(out)
        }
        Some(_) => Err("\"contracts\" is not an object".into()),
        None => {
            // vyper -f combined_json: {"path.vy": {"abi", "bytecode", ...}, "version": ..}
            for (key, entry) in obj {
                if let Some(code) = entry.get("bytecode").and_then(Value::as_str) {
                    let stem = key.rsplit('/').next().unwrap_or(key);
                    let name = stem.strip_suffix(".vy").unwrap_or(stem).to_string();
                    out.push(Candidate {
                        name,
                        full_name: key.clone(),
                        bytecode: code.to_string(),
                        abi: abi_of(entry.get("abi"))?,
                    });
                }
            }
            if out.is_empty() {
                return Err("unknown artifact format (expected raw hex, solc combined or standard JSON, a foundry or hardhat artifact, or vyper combined_json)".into());
            }
            Ok(out)
        }
    }
}

/// Hex code, with or without `0x`; unlinked library placeholders are refused by name.
pub fn parse_hex_code(s: &str) -> Result<Bytes, String> {
    let s = s.trim();
    let s = s.strip_prefix("0x").unwrap_or(s);
    let placeholder_text = |c: char| c.is_ascii_alphanumeric() || "_$:./-".contains(c);
    if let Some(pos) = s.find("__").filter(|_| s.chars().all(placeholder_text)) {
        let end = (pos + 40).min(s.len());
        return Err(format!(
            "bytecode has an unlinked library placeholder ({})",
            &s[pos..end]
        ));
    }
    hex::decode(s)
        .map(Bytes::from)
        .map_err(|e| format!("bytecode is not hex: {e}"))
}

/// A contract's runtime source map and the source files its indexes name.
#[derive(Clone, Debug, PartialEq)]
pub struct RuntimeSources {
    /// The runtime code's source map (`s:l:f:j:m;...`).
    pub map: String,
    /// Source file index and path, as the compiler saw it.
    pub sources: Vec<(i64, String)>,
}

/// The runtime source map of the contract [`parse`] picks from `text`, when the artifact has
/// one: solc standard-JSON output with `evm.deployedBytecode.sourceMap` (file indexes from
/// `sources`), or `--combined-json` with `srcmap-runtime` (indexes into `sourceList`).
pub fn runtime_source_map(
    text: &str,
    contract: Option<&str>,
) -> Result<Option<RuntimeSources>, String> {
    let art = parse(text, contract)?;
    let Some(name) = art.name else {
        return Ok(None);
    };
    let v: Value =
        serde_json::from_str(text.trim()).map_err(|e| format!("malformed JSON artifact: {e}"))?;
    let Some(contracts) = v.get("contracts").and_then(Value::as_object) else {
        return Ok(None);
    };
    for (key, entry) in contracts {
        if let Some(map) = entry.get("srcmap-runtime").and_then(Value::as_str) {
            if short_name(key) != name {
                continue;
            }
            let sources = v
                .get("sourceList")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .enumerate()
                        .filter_map(|(i, p)| Some((i as i64, p.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            return Ok(Some(RuntimeSources {
                map: map.to_string(),
                sources,
            }));
        }
        if let Some(c) = entry.get(&name) {
            let Some(map) = str_at(c, &["evm", "deployedBytecode", "sourceMap"]) else {
                continue;
            };
            let sources = v
                .get("sources")
                .and_then(Value::as_object)
                .map(|o| {
                    o.iter()
                        .filter_map(|(p, s)| Some((s.get("id")?.as_i64()?, p.clone())))
                        .collect()
                })
                .unwrap_or_default();
            return Ok(Some(RuntimeSources {
                map: map.to_string(),
                sources,
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format() {
        let raw = parse("0x6001600155\n", None).unwrap();
        assert_eq!(raw.bytecode.as_ref(), &[0x60, 1, 0x60, 1, 0x55]);
        assert!(raw.abi.is_none());

        let combined = r#"{"contracts":{"a.sol:A":{"abi":"[]","bin":"6001"},"a.sol:I":{"abi":[],"bin":""}},"version":"0.8"}"#;
        let a = parse(combined, None).unwrap();
        assert_eq!(a.name.as_deref(), Some("A"));
        assert_eq!(a.abi, Some(serde_json::json!([])));
        assert!(parse(combined, Some("I"))
            .unwrap_err()
            .contains("no bytecode"));
        assert!(parse(combined, Some("Z")).unwrap_err().contains("a.sol:A"));

        let standard = r#"{"contracts":{"a.sol":{"A":{"abi":[],"evm":{"bytecode":{"object":"6002"}}},"B":{"abi":[],"evm":{"bytecode":{"object":"6003"}}}}}}"#;
        assert!(parse(standard, None).unwrap_err().contains("--contract"));
        assert_eq!(
            parse(standard, Some("B")).unwrap().bytecode.as_ref(),
            &[0x60, 3]
        );
        assert_eq!(
            parse(standard, Some("a.sol:A")).unwrap().bytecode.as_ref(),
            &[0x60, 2]
        );

        let foundry =
            r#"{"abi":[],"bytecode":{"object":"0x6004"},"deployedBytecode":{"object":"0x"}}"#;
        assert_eq!(parse(foundry, None).unwrap().bytecode.as_ref(), &[0x60, 4]);
        let hardhat =
            r#"{"_format":"hh-sol-artifact-1","contractName":"T","abi":[],"bytecode":"0x6005"}"#;
        let h = parse(hardhat, None).unwrap();
        assert_eq!(
            (h.name.as_deref(), h.bytecode.as_ref()),
            (Some("T"), &[0x60, 5][..])
        );
        let vyper = r#"{"c/Box.vy":{"abi":[],"bytecode":"0x6006","bytecode_runtime":"0x"},"version":"0.4.3"}"#;
        let v = parse(vyper, None).unwrap();
        assert_eq!(
            (v.name.as_deref(), v.bytecode.as_ref()),
            (Some("Box"), &[0x60, 6][..])
        );
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(parse("zz", None).unwrap_err().contains("not hex"));
        assert!(parse("{", None).unwrap_err().contains("malformed JSON"));
        assert!(parse("{}", None)
            .unwrap_err()
            .contains("unknown artifact format"));
        assert!(parse(r#"{"abi":[],"bytecode":"0x"}"#, None)
            .unwrap_err()
            .contains("no bytecode"));
        assert!(parse("6001__$abc$__", None)
            .unwrap_err()
            .contains("unlinked"));
    }

    #[test]
    fn runtime_source_maps() {
        let standard = r#"{"contracts":{"a.sol":{"A":{"abi":[],"evm":{"bytecode":{"object":"6002"},"deployedBytecode":{"sourceMap":"1:2:0:-"}}}}},"sources":{"a.sol":{"id":0},"b.sol":{"id":1}}}"#;
        let s = runtime_source_map(standard, None).unwrap().unwrap();
        assert_eq!(s.map, "1:2:0:-");
        assert!(s.sources.contains(&(0, "a.sol".to_string())));
        assert!(s.sources.contains(&(1, "b.sol".to_string())));
        let combined = r#"{"contracts":{"a.sol:A":{"abi":[],"bin":"6001","srcmap-runtime":"3:4:1"}},"sourceList":["x.sol","a.sol"]}"#;
        let c = runtime_source_map(combined, None).unwrap().unwrap();
        assert_eq!(c.map, "3:4:1");
        assert_eq!(c.sources, vec![(0, "x.sol".into()), (1, "a.sol".into())]);
        assert_eq!(runtime_source_map("0x6001", None).unwrap(), None);
        let no_map =
            r#"{"contracts":{"a.sol":{"A":{"abi":[],"evm":{"bytecode":{"object":"6002"}}}}}}"#;
        assert_eq!(runtime_source_map(no_map, None).unwrap(), None);
    }
}
