//! End-to-end tests of `xvm neo run|test|disasm|asm`: output, exit status, errors.

use std::path::PathBuf;
use std::process::{Command, Output};

fn xvm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xvm"))
        .args(args)
        .output()
        .expect("xvm runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xvm-cli-neo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

#[test]
fn run_halts_with_result_stack() {
    // PUSH1 PUSH2 ADD RET
    let o = xvm(&["neo", "run", "--script", "0x11129e40"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("state: HALT"), "{out}");
    assert!(out.contains("\"type\": \"Integer\""), "{out}");
    assert!(out.contains("\"value\": \"3\""), "{out}");
}

#[test]
fn run_fault_and_gas() {
    let o = xvm(&["neo", "run", "--script", "38"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("state: FAULT"));
    assert!(stdout(&o).contains("fault: ABORT is executed."));
    // JMP 0 forever: stopped by the gas limit.
    let o = xvm(&["neo", "run", "--script", "2200", "--gas", "1000"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("fault: Insufficient GAS."),
        "{}",
        stdout(&o)
    );
}

#[test]
fn run_charges_exact_opcode_fees() {
    // The issue-12 counting loop: INITSLOT 1 0, PUSHINT32 200000, STLOC0, then 200,000 x
    // (LDLOC0 DEC DUP STLOC0 JMPIF) and RET. Fees (price x 30): INITSLOT 64, PUSHINT32 1,
    // STLOC0 2, per iteration LDLOC0 2 + DEC 4 + DUP 2 + STLOC0 2 + JMPIF 2, RET 0:
    // (67 + 200,000 x 12) x 30 = 72,002,010.
    let script = "57010002400d030070689d4a7024fc40";
    let o = xvm(&["neo", "run", "--script", script]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("gas: 72002010"), "{}", stdout(&o));
    // Exactly enough GAS halts; one unit less faults on the last JMPIF.
    let o = xvm(&["neo", "run", "--script", script, "--gas", "72002010"]);
    assert!(stdout(&o).contains("state: HALT"), "{}", stdout(&o));
    let o = xvm(&["neo", "run", "--script", script, "--gas", "72002009"]);
    assert!(
        stdout(&o).contains("fault: Insufficient GAS."),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("gas: 72002010"), "{}", stdout(&o));
}

#[test]
fn run_trace_prints_one_line_per_instruction() {
    let o = xvm(&["neo", "run", "--script", "11129e40", "--trace"]);
    assert_eq!(o.status.code(), Some(0));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 4, "{err}");
    assert!(
        lines[2].contains("ADD") && lines[2].contains("\"value\":\"2\""),
        "{err}"
    );
}

#[test]
fn run_from_asm_and_hex_files() {
    let asm = temp_file("p.asm", "PUSH5\nloop: DEC\nDUP\nJMPIF loop\n");
    let o = xvm(&["neo", "run", "--file", asm.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("\"value\": \"0\""));
    let hex = temp_file("p.hex", "0x1511\n");
    let o = xvm(&["neo", "run", "--file", hex.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("\"value\": \"5\""));
}

#[test]
fn bad_arguments_exit_2() {
    for args in [
        vec!["neo", "run", "--script", "zz"],
        vec!["neo", "run", "--script", "123"],
        vec!["neo", "run"],
        vec!["neo", "run", "--file", "/nonexistent/x.hex"],
        vec!["neo", "test", "/nonexistent/dir"],
        vec!["neo", "asm", "/nonexistent/x.asm"],
        vec!["neo", "disasm", "0xf"],
        vec!["neo", "run", "--strict", "--script", "220140"],
    ] {
        let o = xvm(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
        assert!(
            stderr(&o).starts_with("error: "),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    let bad = temp_file("bad.asm", "PUSH1\nNOSUCHOP\n");
    let o = xvm(&["neo", "asm", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("line 2"), "{}", stderr(&o));
}

#[test]
fn asm_and_disasm_round_trip() {
    let src = temp_file("r.asm", "start: PUSHINT16 -300\nPUSHDATA1 0xcafe\nTRY c, 0\nc: JMPIFNOT start\nSYSCALL 0x77777777\n");
    let o = xvm(&["neo", "asm", src.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let hex = stdout(&o).trim().to_string();
    assert!(hex.starts_with("0x01d4fe0c02cafe3b03"), "{hex}");
    let o = xvm(&["neo", "disasm", &hex]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(
        text.contains("PUSHINT16 -300") && text.contains("SYSCALL 0x77777777"),
        "{text}"
    );
    let again = temp_file("r2.asm", &text);
    let o = xvm(&["neo", "asm", again.to_str().unwrap()]);
    assert_eq!(stdout(&o).trim(), hex);
}

#[test]
fn test_command_reports_failures_and_counts() {
    let suite = r#"{ "category": "Demo", "name": "demo", "tests": [
      { "name": "passes", "script": ["PUSH1", "PUSH2", "ADD"],
        "steps": [ { "actions": ["execute"], "result": { "state": "HALT",
            "resultStack": [ { "type": "Integer", "value": 3 } ], "refs": 1 } } ] },
      { "name": "fails", "script": ["PUSH1"],
        "steps": [ { "actions": ["stepInto"], "result": { "state": "BREAK",
            "invocationStack": [ { "instructionPointer": 1, "nextInstruction": "RET",
              "evaluationStack": [ { "type": "Integer", "value": 2 } ] } ] } } ] } ] }"#;
    let f = temp_file("demo.json", suite);
    let o = xvm(&["neo", "test", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert_eq!(
        out.lines().last(),
        Some("1 passed, 1 failed, 0 skipped"),
        "{out}"
    );
    assert!(out.contains("FAIL") && out.contains(":: fails"), "{out}");
    assert!(
        out.contains("expected [{\"type\":\"Integer\",\"value\":\"2\"}]"),
        "{out}"
    );
    assert!(
        out.contains("actual   [{\"type\":\"Integer\",\"value\":\"1\"}]"),
        "{out}"
    );

    let broken = temp_file("broken.json", "{ \"tests\": [ ");
    let o = xvm(&["neo", "test", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o).lines().last(),
        Some("0 passed, 1 failed, 0 skipped")
    );
}

#[test]
fn test_command_runs_the_official_suite() {
    let base = match std::env::var_os("XVM_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures"
        )),
    };
    let dir = base.join("neovm");
    if !dir.is_dir() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "fixtures missing at {}",
            dir.display()
        );
        eprintln!("skipping: {} not found", dir.display());
        return;
    }
    let o = xvm(&["neo", "test", dir.to_str().unwrap()]);
    assert_eq!(
        stdout(&o).lines().last(),
        Some("782 passed, 0 failed, 0 skipped")
    );
    assert_eq!(o.status.code(), Some(0));
}
