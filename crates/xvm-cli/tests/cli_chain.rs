//! The local chain through the `xvm` binary, each command a separate process on one state
//! folder: the example ERC20 (OpenZeppelin, solc) and Vyper counter deployed and called, events
//! and custom errors decoded, bad input refused with exit status 2 and the state untouched,
//! and a second process on a held state waiting and then failing clearly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const A0: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const A1: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const A2: &str = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const TOKEN: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

fn artifact(name: &str) -> String {
    format!(
        "{}/../../examples/evm/build/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

struct Local {
    _dir: tempfile::TempDir,
    state: PathBuf,
}

impl Local {
    fn new() -> Local {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        Local { _dir: dir, state }
    }

    fn xvm(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_xvm"))
            .args(args)
            .arg("--state")
            .arg(&self.state)
            .env_remove("XVM_STATE")
            .output()
            .expect("xvm runs")
    }

    /// Runs and expects exit status `code`; returns stdout and stderr.
    fn ok(&self, code: i32, args: &[&str]) -> (String, String) {
        let o = self.xvm(args);
        let (out, err) = (
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        );
        assert_eq!(
            o.status.code(),
            Some(code),
            "xvm {args:?}\nstdout: {out}\nstderr: {err}"
        );
        (out, err)
    }

    fn file(&self) -> Vec<u8> {
        std::fs::read(self.state.join("state.redb")).unwrap()
    }

    fn head(&self) -> String {
        let (out, _) = self.ok(0, &["evm", "block"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["hash"].as_str().unwrap().to_string()
    }
}

fn ether(n: u64) -> String {
    format!("{n}000000000000000000")
}

#[test]
fn erc20_deploy_transfer_approve_transfer_from_across_processes() {
    let l = Local::new();
    let (out, _) = l.ok(
        0,
        &[
            "evm",
            "deploy",
            &artifact("XvmToken.json"),
            "1000ether",
            "2000ether",
        ],
    );
    assert!(
        out.contains(&format!("contract XvmToken deployed at {TOKEN}")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "Transfer(from: 0x0000000000000000000000000000000000000000, to: {A0}, value: {})",
            ether(1000)
        )),
        "{out}"
    );

    let (out, _) = l.ok(0, &["evm", "call", TOKEN, "transfer", A1, "5ether"]);
    assert!(out.contains("status success"), "{out}");
    assert!(out.lines().any(|l| l == "true"), "{out}");
    assert!(
        out.contains(&format!(
            "Transfer(from: {A0}, to: {A1}, value: {})",
            ether(5)
        )),
        "{out}"
    );
    let tx = out
        .lines()
        .find_map(|l| l.strip_prefix("transaction "))
        .unwrap()
        .to_string();

    let (out, _) = l.ok(
        0,
        &["evm", "call", TOKEN, "approve", A2, "2ether", "--from", "1"],
    );
    assert!(
        out.contains(&format!(
            "Approval(owner: {A1}, spender: {A2}, value: {})",
            ether(2)
        )),
        "{out}"
    );
    let (out, _) = l.ok(
        0,
        &[
            "evm",
            "call",
            TOKEN,
            "transferFrom",
            A1,
            A2,
            "2ether",
            "--from",
            A2,
        ],
    );
    assert!(
        out.contains(&format!(
            "Transfer(from: {A1}, to: {A2}, value: {})",
            ether(2)
        )),
        "{out}"
    );

    // Reads: by method name with the stored ABI, and by signature with return types.
    let (out, _) = l.ok(0, &["evm", "call", TOKEN, "balanceOf", A1, "--static"]);
    assert_eq!(out.trim(), ether(3));
    let (out, _) = l.ok(
        0,
        &[
            "evm",
            "call",
            TOKEN,
            "balanceOf(address)(uint256)",
            A2,
            "--static",
        ],
    );
    assert_eq!(out.trim(), ether(2));
    let (out, _) = l.ok(0, &["evm", "call", TOKEN, "symbol", "--static"]);
    assert_eq!(out.trim(), "\"XVM\"");

    // A failing transfer reports the custom error by name, exit 1, nothing mined.
    let head = l.head();
    let (_, err) = l.ok(
        1,
        &[
            "evm", "call", TOKEN, "transfer", A0, "4ether", "--from", "1",
        ],
    );
    assert!(
        err.contains(&format!(
            "ERC20InsufficientBalance(sender: {A1}, balance: {}, needed: {})",
            ether(3),
            ether(4)
        )),
        "{err}"
    );
    assert_eq!(l.head(), head);
    // The contract's own custom error and Ownable's.
    let (_, err) = l.ok(1, &["evm", "call", TOKEN, "mint", A1, "1500ether"]);
    assert!(
        err.contains(&format!(
            "MintCapExceeded(requested: {}, remaining: {})",
            ether(1500),
            ether(1000)
        )),
        "{err}"
    );
    let (_, err) = l.ok(
        1,
        &["evm", "call", TOKEN, "mint", A1, "1ether", "--from", "1"],
    );
    assert!(
        err.contains(&format!("OwnableUnauthorizedAccount(account: {A1})")),
        "{err}"
    );
    // With an explicit gas limit the failing transaction is mined, status failed.
    let (out, err) = l.ok(
        1,
        &[
            "evm", "call", TOKEN, "transfer", A0, "4ether", "--from", "1", "--gas", "100000",
        ],
    );
    assert!(
        out.contains("status failed") && err.contains("ERC20InsufficientBalance"),
        "{out}{err}"
    );

    // The receipt and the chain's accounts.
    let (out, _) = l.ok(0, &["evm", "receipt", &tx]);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["status"], "0x1");
    assert_eq!(r["blockNumber"], "0x2");
    assert_eq!(
        r["logs"][0]["decoded"],
        format!("Transfer(from: {A0}, to: {A1}, value: {})", ether(5))
    );
    let (out, _) = l.ok(0, &["evm", "nonce", A1]);
    assert_eq!(out.trim(), "2");
    let (out, _) = l.ok(0, &["accounts"]);
    assert!(out.contains(A0) && out.contains("fork Prague"), "{out}");
    let (out, _) = l.ok(0, &["evm", "code", TOKEN]);
    assert!(out.trim().len() > 1000);
}

#[test]
fn vyper_counter_with_revert_reasons() {
    let l = Local::new();
    let (out, _) = l.ok(0, &["evm", "deploy", &artifact("Counter.json"), "7"]);
    let addr = out
        .lines()
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    assert!(out.starts_with("contract Counter deployed at 0x"), "{out}");
    let (out, _) = l.ok(0, &["evm", "call", &addr, "increment", "3"]);
    assert!(out.lines().any(|l| l == "10"), "{out}");
    assert!(
        out.contains(&format!("Incremented(by: {A0}, value: 10)")),
        "{out}"
    );
    let (_, err) = l.ok(1, &["evm", "call", &addr, "increment", "0"]);
    assert!(err.contains("Error(\"step must be positive\")"), "{err}");
    let (_, err) = l.ok(1, &["evm", "call", &addr, "reset", "--from", "2"]);
    assert!(err.contains("Error(\"only the owner resets\")"), "{err}");
    let (out, _) = l.ok(0, &["evm", "call", &addr, "count", "--static"]);
    assert_eq!(out.trim(), "10");
    // count sits in slot 0.
    let (out, _) = l.ok(0, &["evm", "storage", &addr, "0"]);
    assert_eq!(out.trim(), format!("0x{:064x}", 10));
    l.ok(0, &["evm", "call", &addr, "reset"]);
    let (out, _) = l.ok(0, &["evm", "call", &addr, "count", "--static"]);
    assert_eq!(out.trim(), "0");
}

#[test]
fn bad_input_exits_2_and_leaves_state_untouched() {
    let l = Local::new();
    l.ok(
        0,
        &[
            "evm",
            "deploy",
            &artifact("XvmToken.json"),
            "1000ether",
            "2000ether",
        ],
    );
    let before = l.file();
    let (token, vy) = (
        artifact("XvmToken.json"),
        artifact("../contracts/Counter.vy"),
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["evm", "deploy", "/no/such/file.json"], "cannot read"),
        (vec!["evm", "deploy", &vy], "not hex"),
        (vec!["evm", "deploy", &token], "expected 2 argument(s)"),
        (vec!["evm", "deploy", &token, "1", "x"], "argument 2"),
        (vec!["evm", "deploy", "--code", "60zz"], "not hex"),
        (
            vec!["evm", "call", TOKEN, "transfer", A1],
            "takes 2 argument(s), 1 given",
        ),
        (
            vec!["evm", "call", TOKEN, "transfer", "0x1234", "1"],
            "not a valid address",
        ),
        (
            vec!["evm", "call", TOKEN, "transfer", A1, "lots"],
            "not a valid uint256",
        ),
        (
            vec!["evm", "call", TOKEN, "frobnicate"],
            "no method 'frobnicate'",
        ),
        (
            vec!["evm", "call", "0xnot-an-address", "x"],
            "not an address",
        ),
        (
            vec!["evm", "call", A1, "transfer", A1, "1"],
            "no contract at",
        ),
        (
            vec!["evm", "send", A1, "--value", "1000000ether"],
            "insufficient funds",
        ),
        (
            vec!["evm", "call", TOKEN, "transfer", A1, "1", "--from", "99"],
            "default accounts",
        ),
        (vec!["evm", "receipt", "0x1234"], "32-byte"),
        (vec!["evm", "block", "999"], "no block 999"),
        (vec!["evm", "balance", "0x12"], "not an address"),
    ];
    for (args, want) in cases {
        let (_, err) = l.ok(2, &args);
        assert!(
            err.contains(want),
            "xvm {args:?}: wanted '{want}' in: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
    assert_eq!(l.file(), before, "a refused command changed the state file");
    // A different fork for an existing state is refused too.
    let (_, err) = l.ok(2, &["evm", "block", "--fork", "cancun"]);
    assert!(err.contains("runs Prague"), "{err}");
}

#[test]
fn a_second_process_waits_then_fails_clearly() {
    let l = Local::new();
    l.ok(0, &["accounts"]);
    let held = xvm_store::Store::open(&l.state).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_xvm"))
        .args(["evm", "balance", A0, "--state"])
        .arg(&l.state)
        .env("XVM_LOCK_TIMEOUT", "0.3")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("in use by another process"), "{err}");
    drop(held);
    l.ok(0, &["evm", "balance", A0]);
    assert!(Path::new(&l.state).join("state.redb").exists());
}
