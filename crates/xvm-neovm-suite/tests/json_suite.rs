//! Runs the official neo-vm JSON suite (`$XVM_FIXTURES/neovm`, default `../shared/fixtures/neovm`)
//! and fails if any test fails. Prints per-folder counts and `N passed, M failed, K skipped`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use xvm_neovm::asm::{assemble, disassemble};
use xvm_neovm_suite::suite::{parse_file, run_file_text};

fn fixtures_dir() -> Option<PathBuf> {
    let base = match std::env::var_os("XVM_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures"
        )),
    };
    let dir = base.join("neovm");
    if dir.is_dir() {
        return Some(dir);
    }
    let msg = format!("NeoVM fixtures not found at {}", dir.display());
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg} (CI=true: the suite must run)");
    }
    eprintln!("skipping: {msg}");
    None
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

#[test]
fn official_json_suite() {
    let Some(dir) = fixtures_dir() else { return };
    let mut files = Vec::new();
    json_files(&dir, &mut files);
    assert!(!files.is_empty(), "no JSON files under {}", dir.display());
    let mut groups: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut passed, mut failed) = (0, 0);
    let mut steps = 0;
    for f in &files {
        let rel = f.strip_prefix(&dir).unwrap_or(f);
        let group = rel
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let g = groups.entry(group).or_default();
        match run_file_text(&text) {
            Ok(report) => {
                for o in &report.outcomes {
                    if o.failures.is_empty() {
                        passed += 1;
                        g.0 += 1;
                    } else {
                        failed += 1;
                        g.1 += 1;
                        println!("FAIL {} :: {}", rel.display(), o.name);
                        for m in &o.failures {
                            println!("    {m}");
                        }
                    }
                }
                steps += parse_file(&text)
                    .map(|p| p.tests.iter().map(|t| t.steps.len()).sum::<usize>())
                    .unwrap_or(0);
            }
            Err(e) => {
                failed += 1;
                g.1 += 1;
                println!("FAIL {}: {e}", rel.display());
            }
        }
    }
    // The summary goes straight to stdout (not through the test harness's capture) so that
    // `cargo test` shows it even when the test passes.
    let mut summary = String::new();
    for (g, (p, f)) in &groups {
        summary.push_str(&format!("neovm {g:<26} {p:>4} passed, {f:>3} failed\n"));
    }
    summary.push_str(&format!(
        "neovm JSON suite: {} files, {steps} steps\n",
        files.len()
    ));
    summary.push_str(&format!("{passed} passed, {failed} failed, 0 skipped\n"));
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(summary.as_bytes());
    let _ = out.flush();
    assert_eq!(failed, 0, "{failed} JSON suite tests failed");
}

#[test]
fn disassembly_round_trips_every_suite_script() {
    let Some(dir) = fixtures_dir() else { return };
    let mut files = Vec::new();
    json_files(&dir, &mut files);
    let mut n = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let file = parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for t in &file.tests {
            let asm = disassemble(&t.script);
            let back =
                assemble(&asm).unwrap_or_else(|e| panic!("{} {}: {e}\n{asm}", f.display(), t.name));
            assert_eq!(back, t.script, "{} {}:\n{asm}", f.display(), t.name);
            n += 1;
        }
    }
    println!("{n} scripts round-tripped");
    assert!(n > 700);
}

/// Corrupted suite files and assembly text give errors or failures, never panics.
#[test]
fn malformed_inputs_never_panic() {
    let sample = r#"{ "category": "C", "name": "n", "tests": [ { "name": "t",
        "script": ["PUSH1", "0x0c02abcd", "PACK", "DUP", "NEWMAP", "0xff"],
        "steps": [ { "actions": ["stepInto", "execute"], "result": { "state": "FAULT",
          "invocationStack": [ { "instructionPointer": 1, "nextInstruction": "PUSH2",
            "evaluationStack": [ { "type": "Map", "value": { "0x01": { "type": "Integer", "value": "12" } } },
              { "type": "Struct", "value": [ { "type": "Buffer", "value": "0xab" } ] } ] } ],
          "resultStack": [ { "type": "Pointer", "value": 3 }, { "type": "String", "value": "x" } ],
          "refs": 4 } } ] } ] }"#;
    let mut seed = 0x1234_5678_9abc_def1u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = b"{}[]\":,0123456789abcdefx-. \\tnulrsPUSHFAILT";
    for _ in 0..3000 {
        let mut bytes = sample.as_bytes().to_vec();
        for _ in 0..(next() % 6 + 1) {
            let at = (next() as usize) % bytes.len();
            match next() % 3 {
                0 => bytes[at] = alphabet[(next() as usize) % alphabet.len()],
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, alphabet[(next() as usize) % alphabet.len()]),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = run_file_text(&text);
        let _ = assemble(&text);
    }
}
