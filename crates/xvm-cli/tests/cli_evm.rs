//! End-to-end tests of `xvm evm run` and `xvm evm disasm`: output, exit status, errors.

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

#[test]
fn run_the_issue_example() {
    let o = xvm(&["evm", "run", "--code", "600160020160005260206000f3"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("output: 0x0000000000000000000000000000000000000000000000000000000000000003")
    );
    assert!(out.contains("gas used: 24"));
    assert!(out.contains("status: success"));
}

#[test]
fn run_from_file_and_example() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/add.hex");
    let o = xvm(&["evm", "run", "--code-file", path]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("gas used: 24"));
}

#[test]
fn revert_and_failure_exit_1() {
    let o = xvm(&["evm", "run", "--code", "60006000fd"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("status: revert"));
    let o = xvm(&["evm", "run", "--code", "fe"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("status: invalid instruction"));
    let o = xvm(&["evm", "run", "--code", "5b600056", "--gas", "1000"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("out of gas"));
}

#[test]
fn bad_arguments_exit_2_with_one_line() {
    for args in [
        vec!["evm", "run", "--code", "6001f"],
        vec!["evm", "run", "--code", "zz"],
        vec!["evm", "run", "--code", "00", "--rev", "nofork"],
        vec!["evm", "run", "--code", "00", "--input", "abc"],
        vec!["evm", "run", "--code-file", "/nonexistent/file.hex"],
        vec!["evm", "disasm", "0x123"],
    ] {
        let o = xvm(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(
            stderr(&o).trim().lines().count(),
            1,
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(stderr(&o).starts_with("error: "), "{args:?}");
    }
}

#[test]
fn fork_names_are_case_insensitive_and_matter() {
    // PUSH0 is undefined before Shanghai.
    let o = xvm(&["evm", "run", "--code", "5f", "--rev", "LONDON"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("undefined instruction"));
    let o = xvm(&["evm", "run", "--code", "5f", "--rev", "Shanghai"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn trace_writes_eip3155_lines() {
    let o = xvm(&[
        "evm",
        "run",
        "--code",
        "600160020160005260206000f3",
        "--trace",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 9, "{err}");
    for l in &lines {
        let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
        assert!(v.is_object());
    }
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(first["opName"], "PUSH1");
    assert_eq!(first["gas"], "0x989680");
    assert_eq!(first["depth"], 1);
    let last: serde_json::Value = serde_json::from_str(lines[8]).unwrap();
    assert_eq!(last["gasUsed"], "0x18");
    assert_eq!(last["pass"], true);
}

#[test]
fn call_data_and_value() {
    // CALLDATALOAD 0 + CALLVALUE, returned
    let o = xvm(&[
        "evm",
        "run",
        "--code",
        "60003534016000526020 6000f3".replace(' ', "").as_str(),
        "--input",
        "0x05",
        "--value",
        "3",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("0500000000000000000000000000000000000000000000000000000000000003"));
}

#[test]
fn disasm_lines() {
    let o = xvm(&["evm", "disasm", "6080604052fe0c61ff"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "000000  PUSH1 0x80\n000002  PUSH1 0x40\n000004  MSTORE\n000005  INVALID\n000006  UNDEFINED(0x0c)\n000007  PUSH2 0xff  (truncated: 1 of 2 bytes)\n"
    );
}

/// xvm-evmc's cdylib: `target/<profile>/deps/libxvm.so` (built by `cargo test --workspace`
/// for xvm-evmc's own integration tests) or `target/<profile>/libxvm.so` (`cargo build -p
/// xvm-evmc`). Missing: fails under `CI=true`, else the caller skips with a printed reason.
fn libxvm() -> Option<String> {
    let exe = std::path::PathBuf::from(env!("CARGO_BIN_EXE_xvm"));
    let so = exe.with_file_name("libxvm.so");
    let in_deps = exe.with_file_name("deps").join("libxvm.so");
    for candidate in [&in_deps, &so] {
        if candidate.exists() {
            return Some(candidate.to_string_lossy().into_owned());
        }
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{} is missing: run the tests with --workspace so that xvm-evmc's cdylib is built",
        so.display()
    );
    eprintln!(
        "skipped: {} not built (cargo build -p xvm-evmc)",
        so.display()
    );
    None
}

#[test]
fn run_through_an_evmc_vm() {
    let Some(so) = libxvm() else { return };
    let o = xvm(&[
        "evm",
        "run",
        "--code",
        "600160020160005260206000f3",
        "--vm",
        &so,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("gas used: 24"));
    // Options pass through set_option; the VM's own trace goes to stderr.
    let with_trace = format!("{so},trace=1");
    let o = xvm(&["evm", "run", "--code", "6001600201", "--vm", &with_trace]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("\"opName\":\"ADD\""));
    let bad = format!("{so},nosuchoption=1");
    let o = xvm(&["evm", "run", "--code", "00", "--vm", &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown option"));
}

#[test]
fn unloadable_vm_is_a_usage_error() {
    let o = xvm(&[
        "evm",
        "run",
        "--code",
        "00",
        "--vm",
        "/nonexistent/libnothing.so",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("error: --vm: "));
}

/// The user's report (issue 13): with INT64_MAX gas, `PUSH1 0 PUSH5 0x0fffffffff MSTORE` asked
/// for 64 GiB and the process aborted. Memory is capped at 2^32 bytes: it is out of gas, every
/// gas unit used, and xvm exits as for any failed execution.
#[test]
fn a_64_gib_mstore_with_int64_max_gas_is_out_of_gas() {
    for code in ["6000640fffffffff52", "60016401000000005360206000f3"] {
        let o = xvm(&["evm", "run", "--gas", "9223372036854775807", "--code", code]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains("status: out of gas"), "{out}");
        assert!(out.contains("gas used: 9223372036854775807"), "{out}");
    }
}

/// Output piped into a reader that stops early (`xvm evm disasm ... | head -1`) ends the command
/// quietly by SIGPIPE, as with other command-line tools, never with a panic message.
#[test]
fn closed_output_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("code.hex");
    std::fs::write(&file, "01".repeat(500_000)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_xvm"))
        .args(["evm", "disasm", "--file"])
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("ADD"), "{first}");
    // The reader is gone: the next writes hit a closed pipe.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        out.status.signal(),
        Some(libc_sigpipe()),
        "{:?}",
        out.status
    );
}

fn libc_sigpipe() -> i32 {
    13
}

#[test]
fn bench_synthetic_json_lines() {
    let o = xvm(&[
        "evm",
        "bench",
        "--synthetic-only",
        "--filter",
        "synthetic/JUMPDEST",
        "--runs",
        "2",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["input"], "synthetic/JUMPDEST");
    assert_eq!(lines[0]["status"], "success");
    assert_eq!(lines[0]["runs"], 2);
    // 200 iterations of 500 JUMPDESTs (1 gas each) plus the loop's own instructions.
    let gas = lines[0]["gas_used"].as_i64().unwrap();
    assert!(gas > 100_000 && gas < 110_000, "{gas}");
}

#[test]
fn bench_fixture_file_and_errors() {
    let dir = std::env::temp_dir().join(format!("xvm-cli-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("add.json");
    // The contract returns calldata[0] + 1 as a word; two inputs.
    std::fs::write(
        &file,
        r#"{"add": {"_info": {"labels": {"0": "zero", "1": "one"}},
            "pre": {"0x00000000000000000000000000000000000000aa": {"code": "0x60003560010160005260206000f3"}},
            "transaction": {"to": "0x00000000000000000000000000000000000000aa",
                            "data": ["0x", "0x0000000000000000000000000000000000000000000000000000000000000001"]}}}"#,
    )
    .unwrap();
    let o = xvm(&["evm", "bench", file.to_str().unwrap(), "--runs", "3"]);
    let missing = xvm(&["evm", "bench", dir.join("none.json").to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("add/zero"), "{out}");
    assert!(out.contains("add/one"), "{out}");
    assert_eq!(missing.status.code(), Some(2));
}
