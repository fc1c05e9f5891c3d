//! The benchmark fixture files (`ethereum/benchmarks/{main,micro}/*.json`, state-test format):
//! the contract at `pre[transaction.to].code`, one [`Case`] per `transaction.data[i]`, labelled by
//! `_info.labels[i]`.

use crate::Case;
use std::path::{Path, PathBuf};

/// The benchmark folder inside the shared fixtures: `$XVM_FIXTURES/ethereum/benchmarks`, else
/// `../shared/fixtures/ethereum/benchmarks` relative to the repository root.
pub fn default_root() -> PathBuf {
    let fixtures = match std::env::var_os("XVM_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures"
        )),
    };
    fixtures.join("ethereum").join("benchmarks")
}

/// The `.json` files under `path` (a file is taken as is; a folder is searched recursively),
/// sorted by path.
pub fn files(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let p = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads one fixture file: one case per data entry. The group is `parent-folder/test-name`.
pub fn load(path: &Path) -> Result<Vec<Case>, String> {
    let err = |m: &str| format!("{}: {m}", path.display());
    let text = std::fs::read(path).map_err(|e| err(&e.to_string()))?;
    let json: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| err(&format!("not JSON: {e}")))?;
    let (name, test) = json
        .as_object()
        .and_then(|o| o.iter().next())
        .ok_or_else(|| err("no test in the file"))?;
    let to = test["transaction"]["to"]
        .as_str()
        .ok_or_else(|| err("no transaction.to"))?;
    let account = test["pre"]
        .as_object()
        .and_then(|pre| {
            pre.iter()
                .find(|(a, _)| a.eq_ignore_ascii_case(to))
                .map(|(_, acc)| acc)
        })
        .ok_or_else(|| err("transaction.to has no pre-state account"))?;
    let code = hex_field(account["code"].as_str()).map_err(|e| err(&format!("code: {e}")))?;
    let data = test["transaction"]["data"]
        .as_array()
        .ok_or_else(|| err("no transaction.data"))?;
    let folder = path
        .parent()
        .and_then(|p| p.file_name())
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let group = if folder.is_empty() {
        name.clone()
    } else {
        format!("{folder}/{name}")
    };
    let labels = &test["_info"]["labels"];
    data.iter()
        .enumerate()
        .map(|(i, d)| {
            let input = hex_field(d.as_str()).map_err(|e| err(&format!("data[{i}]: {e}")))?;
            let label = labels[i.to_string()]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| i.to_string());
            Ok(Case {
                group: group.clone(),
                label,
                code: code.clone(),
                input,
            })
        })
        .collect()
}

/// Every case of the files under `paths` (default: the `main` and `micro` folders of
/// [`default_root`]).
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Case>, String> {
    let defaults = [default_root().join("main"), default_root().join("micro")];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    let mut cases = Vec::new();
    for p in paths {
        for f in files(p)? {
            cases.extend(load(&f)?);
        }
    }
    Ok(cases)
}

fn hex_field(s: Option<&str>) -> Result<Vec<u8>, String> {
    let s = s.ok_or("not a string")?;
    let s = s.strip_prefix("0x").unwrap_or(s);
    hex::decode(s).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_fixture_file() {
        let dir = std::env::temp_dir().join(format!("xvm-bench-fixture-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("micro")).unwrap();
        let file = dir.join("micro").join("t.json");
        std::fs::write(
            &file,
            r#"{"t": {"_info": {"labels": {"0": "zero", "1": "one"}},
                "pre": {"0xAA00000000000000000000000000000000000000": {"code": "0x6001"}},
                "transaction": {"to": "0xaa00000000000000000000000000000000000000",
                                "data": ["0x", "0x01ff"]}}}"#,
        )
        .unwrap();
        let cases = load_all(std::slice::from_ref(&dir)).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].name(), "micro/t/zero");
        assert_eq!(cases[1].name(), "micro/t/one");
        assert_eq!(cases[0].code, vec![0x60, 0x01]);
        assert_eq!(cases[1].input, vec![0x01, 0xff]);
    }

    #[test]
    fn bad_files_are_errors() {
        let dir = std::env::temp_dir().join(format!("xvm-bench-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bad.json");
        std::fs::write(&file, r#"{"t": {"transaction": {"to": "0x01"}}}"#).unwrap();
        let e = load(&file).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(e.contains("pre-state"), "{e}");
    }
}
