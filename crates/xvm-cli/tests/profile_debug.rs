//! Gas profiles and debuggers through the `xvm` binary: the example ERC20's transfer (EVM) and
//! the example NEP-17 token's transfer (Neo, compiled by neo3-boa through XVM_NEO_BOA as in
//! neo_examples.rs) are profiled, and the table's totals, the folded stacks and the flame
//! graph's root must all equal the gas the chain reports; each debugger is driven through
//! standard input (or a script file) and the state printed at each stop is checked.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use alloy_primitives::{keccak256, Address, U256};

const A0: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const A1: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const TOKEN: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

/// Runs xvm with `args` and `--state STATE`, feeding `stdin`; returns (status, stdout, stderr).
fn xvm(state: &Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xvm"))
        .args(args)
        .arg("--state")
        .arg(state)
        .env_remove("XVM_STATE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xvm runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn ok(state: &Path, args: &[&str]) -> String {
    let (code, out, err) = xvm(state, args, "");
    assert_eq!(code, 0, "xvm {args:?}\nstdout: {out}\nstderr: {err}");
    out
}

/// The number after `prefix` on the line that starts with it.
fn number_after(text: &str, prefix: &str) -> u64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{text}"));
    line[prefix.len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// What a profile run wrote: its table's totals, the folded stacks' sum, the SVG's root.
struct Written {
    gross: u64,
    refund: u64,
    used: u64,
    table: String,
}

/// Checks the three outputs of a profile agree, and returns the totals.
fn check_profile(table: &str, svg: &Path, folded: &Path, unit: &str) -> Written {
    let gross = number_after(table, "total ");
    let used = number_after(table, "used ");
    let refund = table
        .lines()
        .find_map(|l| l.strip_prefix("refund -"))
        .map(|r| r.split_whitespace().next().unwrap().parse::<u64>().unwrap())
        .unwrap_or(0);
    assert_eq!(gross - refund, used, "{table}");
    let header = format!("used {used} {unit} = gross {gross} - refund {refund}");
    assert!(table.contains(&header), "{table}");

    let folded = std::fs::read_to_string(folded).unwrap();
    let sum: u64 = folded
        .lines()
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap())
        .sum();
    assert_eq!(sum, gross, "folded stacks:\n{folded}");

    let svg = std::fs::read_to_string(svg).unwrap();
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&svg, opts).expect("the SVG is XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.is_element())
        .filter_map(|n| n.text())
        .collect();
    // The root frame's hover title is the gross total; the subtitle carries the identity.
    let root = texts
        .iter()
        .find_map(|t| t.strip_prefix("all ("))
        .expect("a root frame");
    let root_total: u64 = root
        .split_whitespace()
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap();
    assert_eq!(root_total, gross, "root frame {root}");
    assert!(texts.contains(&header.as_str()), "no subtitle {header:?}");
    Written {
        gross,
        refund,
        used,
        table: table.to_string(),
    }
}

/// transfer(A1, 100)'s intrinsic gas: 21000, 25 non-zero calldata bytes at 16, 43 zero at 4.
const INTRINSIC: u64 = 21_000 + 25 * 16 + 43 * 4;

/// The whitespace-separated fields of the table row starting with `name`.
fn row(table: &str, name: &str) -> Vec<String> {
    table
        .lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("no row {name:?}:\n{table}"))
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// The hash printed by `xvm evm call` (`transaction 0x...`).
fn tx_hash(out: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix("transaction "))
        .unwrap()
        .to_string()
}

fn receipt_gas(state: &Path, hash: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(&ok(state, &["evm", "receipt", hash])).unwrap();
    u64::from_str_radix(v["gasUsed"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

fn erc20_chain() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let artifact = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/evm/build/XvmToken.json"
    );
    ok(&state, &["evm", "deploy", artifact, "1000000", "2000000"]);
    let out = ok(&state, &["evm", "call", TOKEN, "transfer", A1, "100"]);
    (dir, state, tx_hash(&out))
}

#[test]
fn erc20_transfer_profile_adds_up_to_gas_used() {
    let (dir, state, hash) = erc20_chain();
    let (svg, folded) = (dir.path().join("t.svg"), dir.path().join("t.folded"));
    let table = ok(
        &state,
        &[
            "evm",
            "profile",
            &hash,
            "--svg",
            svg.to_str().unwrap(),
            "--folded",
            folded.to_str().unwrap(),
        ],
    );
    let w = check_profile(&table, &svg, &folded, "gas");
    assert_eq!(w.used, receipt_gas(&state, &hash));
    assert_eq!(w.refund, 0);
    // Intrinsic: 21000 + 16 per non-zero and 4 per zero calldata byte.
    assert_eq!(row(&w.table, "[intrinsic] ")[1], INTRINSIC.to_string());
    assert_eq!(
        row(&w.table, "XvmToken.transfer ")[1],
        (w.used - INTRINSIC).to_string()
    );
    // Two balance writes: the sender's non-zero to non-zero (2900), the recipient's zero to
    // non-zero (20000); both slots are warm by then (the SLOADs paid 2100 each).
    let sstore = row(&w.table, "SSTORE ");
    assert_eq!(sstore[1], (2_900 + 20_000).to_string(), "{}", w.table);
    assert_eq!(sstore[3], "2");
    let sload = row(&w.table, "SLOAD ");
    assert_eq!((sload[1].as_str(), sload[3].as_str()), ("4200", "2"));
    assert_eq!(w.gross, w.used);

    // With the artifact's source map, the same gas is also attributed to source lines.
    let artifact = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/evm/build/XvmToken.json"
    );
    let table = ok(
        &state,
        &[
            "evm",
            "profile",
            &hash,
            "--artifact",
            artifact,
            "--svg",
            svg.to_str().unwrap(),
            "--folded",
            folded.to_str().unwrap(),
        ],
    );
    let with_lines = check_profile(&table, &svg, &folded, "gas");
    assert_eq!(with_lines.used, w.used);
    assert!(table.contains("\nper source line "), "{table}");
    // The dispatcher is the contract's own line (the source is in the repository).
    assert!(table.contains("\nXvmToken.sol:8 "), "{table}");
    let oz = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/evm/node_modules/@openzeppelin"
    );
    if Path::new(oz).exists() {
        // `_balances[to] += value;` (OpenZeppelin ERC20._update): the 20000-gas SSTORE.
        let line: u64 = row(&table, "ERC20.sol:199 ")[1].parse().unwrap();
        assert!((20_000..23_000).contains(&line), "{table}");
        let folded_text = std::fs::read_to_string(&folded).unwrap();
        assert!(
            folded_text.contains("XvmToken;transfer;ERC20.sol:199;SSTORE 20000\n"),
            "{folded_text}"
        );
        // The debugger names lines too, and breaks on entering one.
        let (code, out, err) = xvm(
            &state,
            &["evm", "debug", &hash, "--artifact", artifact],
            "break ERC20.sol:199\ncontinue\n",
        );
        assert_eq!(code, 0, "{err}");
        let stop = out.lines().nth(5).unwrap();
        assert!(
            stop.starts_with("stopped (breakpoint 1) at step ")
                && stop.ends_with(" at ERC20.sol:199"),
            "{out}"
        );
    } else {
        // Without `npm ci` in examples/evm the imported sources are named by byte offset.
        assert!(table.contains("\nERC20.sol@"), "{table}");
    }

    // Sending the whole balance back clears a slot: a refund, shown apart.
    let out = ok(
        &state,
        &["evm", "call", TOKEN, "transfer", A0, "100", "--from", "1"],
    );
    let back = tx_hash(&out);
    let table = ok(
        &state,
        &[
            "evm",
            "profile",
            &back,
            "--svg",
            svg.to_str().unwrap(),
            "--folded",
            folded.to_str().unwrap(),
        ],
    );
    let w = check_profile(&table, &svg, &folded, "gas");
    assert_eq!(w.used, receipt_gas(&state, &back));
    assert_eq!(w.refund, 4_800, "{table}");

    // A reverted transaction (mined with an explicit gas limit) profiles too, with its reason.
    let (code, out, _) = xvm(
        &state,
        &[
            "evm", "call", TOKEN, "transfer", A1, "5000000", "--gas", "100000",
        ],
        "",
    );
    assert_eq!(code, 1, "{out}");
    let failed = tx_hash(&out);
    let table = ok(
        &state,
        &[
            "evm",
            "profile",
            &failed,
            "--svg",
            svg.to_str().unwrap(),
            "--folded",
            folded.to_str().unwrap(),
        ],
    );
    let w = check_profile(&table, &svg, &folded, "gas");
    assert_eq!(w.used, receipt_gas(&state, &failed));
    assert!(
        table.contains("the top frame failed: ERC20InsufficientBalance(sender: "),
        "{table}"
    );

    // A call (eth_call on the head state) profiles the same way, without a transaction.
    let table = ok(
        &state,
        &[
            "evm",
            "profile",
            TOKEN,
            "balanceOf",
            A1,
            "--svg",
            svg.to_str().unwrap(),
            "--folded",
            folded.to_str().unwrap(),
        ],
    );
    let w = check_profile(&table, &svg, &folded, "gas");
    assert!(w.table.contains("XvmToken.balanceOf "), "{table}");
    assert!(table.starts_with("gas profile: balanceOf(address) on XvmToken\n"));

    // The deployment: the constructor's run, then 200 gas per byte of code deposited.
    let block: serde_json::Value =
        serde_json::from_str(&ok(&state, &["evm", "block", "1"])).unwrap();
    let deploy = block["transactions"][0].as_str().unwrap();
    let table = ok(
        &state,
        &[
            "evm",
            "profile",
            deploy,
            "--svg",
            svg.to_str().unwrap(),
            "--folded",
            folded.to_str().unwrap(),
        ],
    );
    let w = check_profile(&table, &svg, &folded, "gas");
    assert_eq!(w.used, receipt_gas(&state, deploy));
    let code = ok(&state, &["evm", "code", TOKEN]);
    let code_len = (code.trim().len() as u64 - 2) / 2;
    assert_eq!(
        row(&table, "[code deposit] ")[2],
        (200 * code_len).to_string(),
        "{table}"
    );
    assert!(table.contains("\nXvmToken.constructor "), "{table}");

    // Bad input is refused with status 2.
    let (code, _, err) = xvm(&state, &["evm", "profile", "0x1234"], "");
    assert_eq!(code, 2);
    assert!(err.contains("neither a transaction hash"), "{err}");
}

/// B (runtime `PUSH1 1 PUSH1 0 SSTORE STOP`) and A, which CALLs B with 50000 gas, then
/// STATICCALLs the sha256 precompile on empty input with a 32-byte return area.
const CALLEE_INIT: &str = "6006600c60003960066000f3600160005500";
const CALLER_INIT: &str = "6034600c60003960346000f360006000600060006000735fbdb2315678afecb367f032d93f642f64180aa361c350f1506020600060006000600261fffffa5000";
const CALLER: &str = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";

#[test]
fn nested_calls_are_charged_to_their_own_frames() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    ok(&state, &["evm", "deploy", "--code", CALLEE_INIT]);
    ok(&state, &["evm", "deploy", "--code", CALLER_INIT]);
    let out = ok(&state, &["evm", "call", CALLER, "f()", "--gas", "100000"]);
    let hash = tx_hash(&out);
    let (svg, folded) = (dir.path().join("n.svg"), dir.path().join("n.folded"));
    let table = ok(
        &state,
        &[
            "evm",
            "profile",
            &hash,
            "--svg",
            svg.to_str().unwrap(),
            "--folded",
            folded.to_str().unwrap(),
        ],
    );
    let w = check_profile(&table, &svg, &folded, "gas");
    assert_eq!(w.used, receipt_gas(&state, &hash));
    let text = std::fs::read_to_string(&folded).unwrap();
    // The callee's cold SSTORE of a fresh slot (20000 + 2100) is its own; the CALL keeps only
    // its cold account access (2600); STATICCALL to a (warm) precompile pays 100 plus 3 for the
    // return area's memory, and sha256 of nothing (60) goes to the precompile's frame.
    for line in [
        "0xe7f1…0512;0x26121ff0;0x5fbd…0aa3;receive/fallback;SSTORE 22100\n",
        "0xe7f1…0512;0x26121ff0;CALL 2600\n",
        "0xe7f1…0512;0x26121ff0;precompile 0x02;receive/fallback;[no code] 60\n",
        "0xe7f1…0512;0x26121ff0;STATICCALL 103\n",
        "[intrinsic] 21064\n",
    ] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }
    assert_eq!(row(&table, "0x5fbd…0aa3 ")[1], "22106", "{table}");

    // The debugger steps out of the callee back to the instruction after the CALL.
    let (code, out, _) = xvm(
        &state,
        &["evm", "debug", &hash],
        "break SSTORE\ncontinue\nwhere\nout\nstack\nbreak 0x32\ncontinue\nmemory\n",
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("> where\nstep 11/22 depth 2 0x5fbd…0aa3.receive/fallback pc 0x4 SSTORE gas "),
        "{out}"
    );
    assert!(
        out.contains("\n  #2 0x5fbd…0aa3.receive/fallback\n  #1 0xe7f1…0512.0x26121ff0 pc 0x22\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "> out\nstopped (out) at step 13/22 depth 1 0xe7f1…0512.0x26121ff0 pc 0x23 POP "
        ),
        "{out}"
    );
    assert!(
        out.contains("> stack\nstack (1 items, top first):\n  0: 0x1\n"),
        "{out}"
    );
    // The precompile's output was written back into the caller's memory: sha256 of nothing.
    assert!(
        out.ends_with(
            "> memory\nmemory (32 bytes):\n  \
             0x0000: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        ),
        "{out}"
    );
}

#[test]
fn evm_debugger_over_stdin() {
    let (_dir, state, hash) = erc20_chain();
    let script = "step\nstep\nstack\nbreak SSTORE\ncontinue\nstack\nstorage\nmemory\nnext\n\
                  storage\nwhere\nslots\ncontinue\ncontinue\nstack\n";
    let (code, out, err) = xvm(&state, &["evm", "debug", &hash], script);
    assert_eq!(code, 0, "{err}");
    let gas_used = receipt_gas(&state, &hash);
    // The transaction's gas limit was the exact estimate, which is its gas used (no refund):
    // the first instruction starts with that minus the intrinsic gas.
    let exec_gas = gas_used - INTRINSIC;
    let lines: Vec<&str> = out.lines().collect();
    let steps: usize = lines[0]
        .rsplit_once(": ")
        .unwrap()
        .1
        .strip_suffix(" steps recorded")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        lines[1],
        format!(
            "at step 1/{steps} depth 1 XvmToken.transfer pc 0x0 PUSH1 0x80 gas {exec_gas} cost 3"
        )
    );
    assert_eq!(lines[2], "> step");
    assert_eq!(
        lines[3],
        format!("stopped (step) at step 2/{steps} depth 1 XvmToken.transfer pc 0x2 PUSH1 0x40 gas {} cost 3", exec_gas - 3)
    );
    assert!(lines[5].contains("pc 0x4 MSTORE"), "{out}");
    assert_eq!(
        &lines[6..10],
        [
            "> stack",
            "stack (2 items, top first):",
            "  0: 0x40",
            "  1: 0x80"
        ]
    );
    assert_eq!(
        lines[10..12],
        ["> break SSTORE", "breakpoint: 1 at opcode SSTORE"]
    );
    assert!(
        lines[13].starts_with("stopped (breakpoint 1) at step "),
        "{out}"
    );
    assert!(lines[13].contains(" SSTORE gas "), "{out}");

    // The sender's balance slot: keccak256(address . slot 0) of OpenZeppelin's _balances.
    let a0: Address = A0.parse().unwrap();
    let mut key = [0u8; 64];
    key[12..32].copy_from_slice(a0.as_slice());
    let slot = U256::from_be_bytes(keccak256(key).0);
    let after = out.split("> stack\n").nth(2).unwrap();
    assert!(
        after.starts_with(&format!(
            "stack (16 items, top first):\n  0: {slot:#x}\n  1: {:#x}\n",
            1_000_000 - 100
        )),
        "{after}"
    );
    assert!(out.contains(&format!("> storage\nstorage of {TOKEN} (slots this execution read or wrote so far):\n  {slot:#x} = {:#x} (read)\n", 1_000_000)), "{out}");
    // The mapping's key was hashed from memory: the sender's address at 0x00, slot 0 at 0x20.
    assert!(
        out.contains(&format!(
            "> memory\nmemory (96 bytes):\n  0x0000: {}{}\n  0x0020: {}\n  0x0040: {}80\n",
            "0".repeat(24),
            hex::encode(a0),
            "0".repeat(64),
            "0".repeat(62)
        )),
        "{out}"
    );
    assert!(out.contains("> next\nstopped (next) at step "), "{out}");
    assert!(
        out.contains(&format!("  {slot:#x} = {:#x} (written)\n", 1_000_000 - 100)),
        "{out}"
    );
    assert!(out.contains("> where\nstep "), "{out}");
    assert!(out.contains("\n  #1 XvmToken.transfer\n"), "{out}");
    assert!(
        out.contains("> slots\nerror: the EVM has no slots"),
        "{out}"
    );
    // The second SSTORE (the recipient's balance), then the end with the result.
    let tail: Vec<&str> = out.rsplit("> continue\n").take(2).collect();
    assert!(
        tail[1].starts_with("stopped (breakpoint 1) at step "),
        "{out}"
    );
    assert_eq!(
        tail[0],
        format!("ended: success gas used {gas_used} output 0x{}01\n> stack\nerror: the execution has ended\n", "0".repeat(62))
    );
}

// ---------------------------------------------------------------- Neo

fn boa() -> Option<PathBuf> {
    match std::env::var_os("XVM_NEO_BOA").map(PathBuf::from) {
        Some(p) if p.exists() => Some(p),
        other => {
            let msg = format!("neo3-boa not available (XVM_NEO_BOA={other:?})");
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{msg} (CI=true: these tests must run)");
            }
            eprintln!("skipping: {msg}");
            None
        }
    }
}

/// A state with the example NEP-17 token deployed, 1000 minted to `default`, and `bob`.
fn nep17_chain(boa: &Path, dir: &Path) -> (PathBuf, serde_json::Value) {
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/neo/token.py");
    let nef = dir.join("token.nef");
    let o = Command::new(boa)
        .args(["compile", src, "-o"])
        .arg(&nef)
        .output()
        .expect("neo3-boa runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let state = dir.join("state");
    ok(&state, &["neo", "deploy", nef.to_str().unwrap()]);
    ok(&state, &["neo", "accounts", "new", "bob"]);
    ok(
        &state,
        &["neo", "invoke", "token", "mint", "default", "1000"],
    );
    let manifest = std::fs::read_to_string(dir.join("token.manifest.json")).unwrap();
    (state, serde_json::from_str(&manifest).unwrap())
}

const TRANSFER: [&str; 6] = ["token", "transfer", "default", "bob", "300", "null"];

#[test]
fn nep17_transfer_profile_adds_up_to_gas_consumed() {
    let Some(boa) = boa() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (state, _) = nep17_chain(&boa, dir.path());
    let mut args = vec!["neo", "invoke"];
    args.extend(TRANSFER);
    args.push("--test");
    let inv: serde_json::Value = serde_json::from_str(&ok(&state, &args)).unwrap();
    let consumed: u64 = inv["gasconsumed"].as_str().unwrap().parse().unwrap();

    let (svg, folded) = (dir.path().join("n.svg"), dir.path().join("n.folded"));
    let mut args = vec!["neo", "profile"];
    args.extend(TRANSFER);
    args.extend([
        "--svg",
        svg.to_str().unwrap(),
        "--folded",
        folded.to_str().unwrap(),
    ]);
    let table = ok(&state, &args);
    let w = check_profile(&table, &svg, &folded, "datoshi");
    assert_eq!(w.used, consumed, "{table}");
    assert_eq!((w.gross, w.refund), (consumed, 0));
    assert!(
        table.contains(&format!("state HALT  gasconsumed {consumed} ")),
        "{table}"
    );
    // Two balances read: each System.Storage.Get costs 1 << 15 times ExecFeeFactor 30.
    let get = row(&table, "SYSCALL System.Storage.Get ");
    assert_eq!(get[2], (2 * (1 << 15) * 30).to_string(), "{table}");
    assert_eq!(get[4], "2");
    assert!(table.contains("\ntoken.transfer "), "{table}");
    // A contract calling another: the callee's stacks nest under the caller's method.
    let mut callee_hash = String::new();
    for name in ["callee", "caller"] {
        let src = format!(
            "{}/../../examples/neo/{name}.py",
            env!("CARGO_MANIFEST_DIR")
        );
        let nef = dir.path().join(format!("{name}.nef"));
        let o = Command::new(&boa)
            .args(["compile", &src, "-o"])
            .arg(&nef)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let d: serde_json::Value =
            serde_json::from_str(&ok(&state, &["neo", "deploy", nef.to_str().unwrap()])).unwrap();
        if name == "callee" {
            callee_hash = d["contract"].as_str().unwrap().to_string();
        }
    }
    let inv: serde_json::Value = serde_json::from_str(&ok(
        &state,
        &["neo", "invoke", "caller", "ask", &callee_hash, "--test"],
    ))
    .unwrap();
    let table = ok(
        &state,
        &[
            "neo",
            "profile",
            "caller",
            "ask",
            &callee_hash,
            "--svg",
            svg.to_str().unwrap(),
            "--folded",
            folded.to_str().unwrap(),
        ],
    );
    let w = check_profile(&table, &svg, &folded, "datoshi");
    assert_eq!(w.used.to_string(), inv["gasconsumed"].as_str().unwrap());
    let text = std::fs::read_to_string(&folded).unwrap();
    assert!(
        text.contains("[entry script];caller;ask;callee;who_calls;SYSCALL System.Storage.Put "),
        "{text}"
    );
    assert!(
        text.contains("[entry script];caller;ask;SYSCALL System.Contract.Call 983040\n"),
        "{text}"
    );

    // The committed state did not change: profiling runs as a test invocation.
    let bal = ok(
        &state,
        &["neo", "invoke", "token", "balanceOf", "bob", "--test"],
    );
    assert!(bal.contains("\"value\": \"0\""), "{bal}");
}

#[test]
fn neo_debugger_over_stdin_and_script() {
    let Some(boa) = boa() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (state, manifest) = nep17_chain(&boa, dir.path());
    let offset = manifest["abi"]["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "transfer")
        .unwrap()["offset"]
        .as_u64()
        .unwrap();
    let mut args = vec!["neo", "debug"];
    args.extend(TRANSFER);
    let script = "stack\nbreak transfer\ncontinue\nstep\nslots\nwhere\nbreak SYSCALL\ncontinue\n\
                  storage\nmemory\nquit\n";
    let (code, out, err) = xvm(&state, &args, script);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "debugging transfer on token (nothing is committed)"
    );
    assert_eq!(
        lines[1],
        "at depth 1 [entry script] offset 0 PUSHNULL gas 0"
    );
    assert_eq!(lines[2..4], ["> stack", "stack: empty"]);
    assert_eq!(
        lines[4..6],
        ["> break transfer", "breakpoint: 1 at method transfer"]
    );
    assert!(
        lines[7].starts_with(&format!(
            "stopped (breakpoint 1) at depth 2 token.transfer offset {offset} INITSLOT 0x0104 gas "
        )),
        "{out}"
    );
    assert!(
        lines[9].starts_with("stopped (step) at depth 2 token.transfer offset "),
        "{out}"
    );
    // After INITSLOT: 4 arguments (from, to, amount, data), arg0 first.
    let slots = out.split("> slots\n").nth(1).unwrap();
    assert!(
        slots.contains("arguments (4):\n  0: {\"type\":\"ByteString\""),
        "{slots}"
    );
    assert!(
        slots
            .contains("\n  2: {\"type\":\"Integer\",\"value\":\"300\"}\n  3: {\"type\":\"Any\"}\n"),
        "{slots}"
    );
    assert!(out.contains("\n  #2 token.transfer offset "), "{out}");
    assert!(out.contains("\n  #1 [entry script] offset "), "{out}");
    let stop = out.split("> continue\n").nth(2).unwrap();
    assert!(
        stop.starts_with("stopped (breakpoint 2) at depth 2 token.transfer offset "),
        "{stop}"
    );
    assert!(
        stop.lines().next().unwrap().contains(" SYSCALL System."),
        "{stop}"
    );
    // Storage: the owner, the supply (1000 = 0xe803) and default's balance.
    assert!(
        out.contains("> storage\nstorage of token (3 entries):\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!("  0x{}: ", hex::encode("owner"))),
        "{out}"
    );
    assert!(
        out.contains(&format!("  0x{}: 0xe803\n", hex::encode("supply"))),
        "{out}"
    );
    assert!(
        out.contains("> memory\nerror: NeoVM has no memory"),
        "{out}"
    );

    // From a script file, with no breakpoint: the engine's step_over, then run to the end.
    let file = dir.path().join("cmds.txt");
    std::fs::write(&file, "next\nnext\ncontinue\nstep\n").unwrap();
    let mut args2 = args.clone();
    args2.extend(["--script", file.to_str().unwrap()]);
    let (code, out, err) = xvm(&state, &args2, "");
    assert_eq!(code, 0, "{err}");
    let mut inv = vec!["neo", "invoke"];
    inv.extend(TRANSFER);
    inv.push("--test");
    let v: serde_json::Value = serde_json::from_str(&ok(&state, &inv)).unwrap();
    let consumed = v["gasconsumed"].as_str().unwrap();
    assert!(
        out.contains("> next\nstopped (next) at depth 1 [entry script] offset 1 "),
        "{out}"
    );
    assert!(
        out.contains(&format!("> continue\nended: HALT gasconsumed {consumed} stack [{{\"type\":\"Boolean\",\"value\":true}}]\n> step\nthe execution has ended: HALT")),
        "{out}"
    );
}
