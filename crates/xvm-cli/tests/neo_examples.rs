//! End to end: the Python contracts in examples/neo, compiled by neo3-boa 1.3.0 (found through
//! env XVM_NEO_BOA, the `neo3-boa` executable of a venv that .ci/run prepares), deployed and
//! invoked through the `xvm` binary on a fresh state folder. Results, notifications, storage
//! and GAS are asserted; GAS is computed here from Neo's price tables and the instruction
//! paths of the compiled methods, not read from xvm.
//!
//! Without XVM_NEO_BOA the tests print why and skip; under CI=true they fail instead.

use base64::Engine;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn boa() -> Option<PathBuf> {
    match std::env::var_os("XVM_NEO_BOA").map(PathBuf::from) {
        Some(p) if p.exists() => Some(p),
        other => {
            let msg = format!(
                "neo3-boa not available (XVM_NEO_BOA={:?}); .ci/run installs it into a venv",
                other
            );
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{msg} (CI=true: these tests must run)");
            }
            eprintln!("skipping: {msg}");
            None
        }
    }
}

fn examples() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/neo"))
}

/// A fresh work folder (compiled contracts and state) for one test.
fn workdir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("neo-examples-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Compiles examples/neo/NAME.py into DIR/NAME.nef (+ manifest).
fn compile(boa: &Path, dir: &Path, name: &str) -> PathBuf {
    let src = examples().join(format!("{name}.py"));
    let out = dir.join(format!("{name}.nef"));
    let o = Command::new(boa)
        .arg("compile")
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("neo3-boa runs");
    assert!(
        o.status.success(),
        "neo3-boa {name}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

struct Run {
    code: i32,
    json: Value,
    stdout: String,
    stderr: String,
}

fn xvm(state: &Path, args: &[&str]) -> Run {
    let o = Command::new(env!("CARGO_BIN_EXE_xvm"))
        .args(args)
        .arg("--state")
        .arg(state)
        .output()
        .expect("xvm runs");
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    Run {
        code: o.status.code().unwrap_or(-1),
        json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stdout,
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn ok(state: &Path, args: &[&str]) -> Value {
    let r = xvm(state, args);
    assert_eq!(r.code, 0, "xvm {args:?}: {}{}", r.stdout, r.stderr);
    assert_eq!(r.json["state"], "HALT", "{}", r.stdout);
    r.json
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn gas(v: &Value) -> i64 {
    v["gasconsumed"].as_str().unwrap().parse().unwrap()
}

fn int_result(v: &Value) -> i64 {
    assert_eq!(v["stack"][0]["type"], "Integer", "{v}");
    v["stack"][0]["value"].as_str().unwrap().parse().unwrap()
}

// ---------------------------------------------------------------- Neo's price tables

/// Opcode prices (Neo's OpCodePriceTable) of the instructions these paths use.
fn opcode_price(op: &str) -> i64 {
    match op {
        "PUSH0" | "PUSH1" | "PUSH2" | "PUSH5" | "PUSH15" | "PUSHT" | "PUSHF" | "PUSHNULL"
        | "PUSHM1" => 1,
        "PUSHDATA1" => 8,
        "PUSHDATA2" => 512,
        "JMP" | "JMPIF" | "JMPIFNOT" => 2,
        "RET" | "SYSCALL" => 0,
        "DUP" | "DROP" | "ISNULL" | "LDARG0" | "LDARG1" | "STLOC0" | "LDLOC0" => 2,
        "ADD" => 8,
        "INITSLOT" => 64,
        "NEWARRAY0" => 16,
        "PACK" => 2048,
        "CONVERT" => 8192,
        "CALLT" => 32768,
        other => panic!("no price for {other} in this test's table"),
    }
}

/// Syscall prices (neovm-syscalls.tsv).
fn syscall_price(name: &str) -> i64 {
    match name {
        "Contract.Call" | "Storage.Get" | "Storage.Put" | "Storage.Delete" | "Runtime.Notify" => {
            32768
        }
        "Storage.GetContext" => 16,
        other => panic!("no price for {other}"),
    }
}

const EXEC_FEE_FACTOR: i64 = 30;
const STORAGE_PRICE: i64 = 100_000;

/// GAS of a path: opcode prices and syscall prices times ExecFeeFactor, plus storage bytes.
fn path_gas(ops: &[&str], syscalls: &[&str], storage_bytes: i64) -> i64 {
    let cpu: i64 = ops.iter().map(|o| opcode_price(o)).sum::<i64>()
        + syscalls.iter().map(|s| syscall_price(s)).sum::<i64>();
    cpu * EXEC_FEE_FACTOR + storage_bytes * STORAGE_PRICE
}

/// The entry script `xvm neo invoke` builds (Neo's EmitDynamicCall): the argument pushes, PACK
/// (or NEWARRAY0), PUSH15 (CallFlags.All), PUSHDATA1 method, PUSHDATA1 hash, SYSCALL
/// System.Contract.Call, and the implicit RET at the end.
fn entry_ops(arg_pushes: &[&'static str]) -> Vec<&'static str> {
    let mut v: Vec<&str> = arg_pushes.iter().rev().copied().collect();
    if arg_pushes.is_empty() {
        v.push("NEWARRAY0");
    } else {
        v.push(match arg_pushes.len() {
            1 => "PUSH1",
            2 => "PUSH2",
            n => panic!("{n} args"),
        });
        v.push("PACK");
    }
    v.extend(["PUSH15", "PUSHDATA1", "PUSHDATA1", "SYSCALL", "RET"]);
    v
}

// ---------------------------------------------------------------- the tests

#[test]
fn counter_storage_notifications_and_gas() {
    let Some(boa) = boa() else { return };
    let dir = workdir("counter");
    let nef = compile(&boa, &dir, "counter");
    let state = dir.join("state");
    let d = ok(&state, &["neo", "deploy", nef.to_str().unwrap()]);
    let hash = d["contract"].as_str().unwrap().to_string();
    assert_eq!(d["notifications"][0]["eventname"], "Deploy");
    // Deploy GAS: the entry script (manifest and NEF pushes, PUSH2, PACK, PUSH15, PUSHDATA1
    // "deploy", PUSHDATA1 hash, SYSCALL Contract.Call, RET), the native's PUSH0, and the
    // deployment fee max(StoragePrice x (nef + manifest bytes), 10 GAS), not times the factor.
    let push = |len: u64| if len < 256 { "PUSHDATA1" } else { "PUSHDATA2" };
    let nef_len = std::fs::metadata(&nef).unwrap().len();
    let man_len = std::fs::metadata(nef.with_extension("manifest.json"))
        .unwrap()
        .len();
    let ops = [
        "PUSHDATA1",
        "PUSHDATA1",
        "PUSH2",
        "PACK",
        "PUSH15",
        "SYSCALL",
        "RET",
        "PUSH0",
    ];
    let mut ops: Vec<&str> = ops.to_vec();
    ops[0] = push(man_len);
    ops[1] = push(nef_len);
    ops.extend(["PUSHDATA1", "PUSHDATA1"]);
    let fee = (STORAGE_PRICE * (nef_len + man_len) as i64).max(10_00000000);
    assert_eq!(
        gas(&d),
        path_gas(&ops, &["Contract.Call"], 0) + fee,
        "deploy GAS"
    );

    // increment(5) on empty storage. Path of the compiled method (boa 1.3.0):
    // INITSLOT, PUSHDATA1 "count", GetContext, Get, DUP, ISNULL, JMPIFNOT (not taken: null),
    // DROP, PUSH0, JMP, LDARG0, ADD, STLOC0, LDLOC0, PUSHDATA1, GetContext, Put, LDLOC0,
    // LDARG0, PUSH2, PACK, PUSHDATA1 "Incremented", Notify, LDLOC0, RET.
    let method = [
        "INITSLOT",
        "PUSHDATA1",
        "SYSCALL",
        "SYSCALL",
        "DUP",
        "ISNULL",
        "JMPIFNOT",
        "DROP",
        "PUSH0",
        "JMP",
        "LDARG0",
        "ADD",
        "STLOC0",
        "LDLOC0",
        "PUSHDATA1",
        "SYSCALL",
        "SYSCALL",
        "LDLOC0",
        "LDARG0",
        "PUSH2",
        "PACK",
        "PUSHDATA1",
        "SYSCALL",
        "LDLOC0",
        "RET",
    ];
    let mut ops = entry_ops(&["PUSH5"]);
    ops.extend(method);
    let sys = [
        "Contract.Call",
        "Storage.GetContext",
        "Storage.Get",
        "Storage.GetContext",
        "Storage.Put",
        "Runtime.Notify",
    ];
    // New key: key (5 bytes "count") + value (1 byte: 5) at StoragePrice each.
    let want = path_gas(&ops, &sys, 5 + 1);

    let gas_before = ok(
        &state,
        &["neo", "invoke", "GAS", "balanceOf", "default", "--test"],
    );
    let r = ok(&state, &["neo", "invoke", &hash, "increment", "5"]);
    assert_eq!(int_result(&r), 5);
    assert_eq!(gas(&r), want, "GAS of increment(5)");
    let n = &r["notifications"][0];
    assert_eq!(n["contract"], hash.as_str());
    assert_eq!(n["eventname"], "Incremented");
    assert_eq!(n["state"]["value"][0]["value"], "5");
    assert_eq!(n["state"]["value"][1]["value"], "5");
    // The sender paid exactly the GAS consumed.
    let gas_after = ok(
        &state,
        &["neo", "invoke", "GAS", "balanceOf", "default", "--test"],
    );
    assert_eq!(int_result(&gas_before) - int_result(&gas_after), want);

    // Storage holds count = 5 (minimal little-endian integer).
    let s = xvm(&state, &["neo", "storage", &hash]);
    assert_eq!(s.stdout.trim(), "0x636f756e74: 0x05");

    // get() with the key present: the JMPIFNOT is taken to CONVERT.
    let mut ops = entry_ops(&[]);
    ops.extend([
        "PUSHDATA1",
        "SYSCALL",
        "SYSCALL",
        "DUP",
        "ISNULL",
        "JMPIFNOT",
        "CONVERT",
        "RET",
    ]);
    let want_get = path_gas(
        &ops,
        &["Contract.Call", "Storage.GetContext", "Storage.Get"],
        0,
    );
    let g = ok(&state, &["neo", "invoke", "counter", "get", "--test"]);
    assert_eq!(int_result(&g), 5);
    assert_eq!(gas(&g), want_get, "GAS of get()");
    assert_eq!(g["committed"], false);

    // A --test run changes nothing; a committed one does.
    ok(
        &state,
        &["neo", "invoke", "counter", "increment", "2", "--test"],
    );
    assert_eq!(
        xvm(&state, &["neo", "storage", &hash]).stdout.trim(),
        "0x636f756e74: 0x05"
    );
    let r = ok(&state, &["neo", "invoke", "counter", "increment", "250"]);
    assert_eq!(int_result(&r), 255);
    // 255 needs two bytes (ff00); rewriting a 1-byte value with 2 bytes costs
    // (old-1)/4+1 + (new-old) = 1 + 1 bytes.
    assert_eq!(
        xvm(&state, &["neo", "storage", &hash]).stdout.trim(),
        "0x636f756e74: 0xff00"
    );
}

#[test]
fn nep17_token_mint_transfer_balance_and_events() {
    let Some(boa) = boa() else { return };
    let dir = workdir("token");
    let nef = compile(&boa, &dir, "token");
    let state = dir.join("state");
    let d = ok(&state, &["neo", "deploy", nef.to_str().unwrap()]);
    let hash = d["contract"].as_str().unwrap().to_string();
    let bob = xvm(&state, &["neo", "accounts", "new", "bob"]);
    assert_eq!(bob.code, 0, "{}", bob.stderr);
    let bob_hash = bob.stdout.split_whitespace().nth(2).unwrap().to_string();

    assert_eq!(
        ok(&state, &["neo", "invoke", "token", "symbol", "--test"])["stack"][0]["value"],
        b64(b"XVMT")
    );
    // mint checks the owner's witness: with scope None it is missing and the ASSERT faults.
    let r = xvm(
        &state,
        &[
            "neo",
            "invoke",
            "token",
            "mint",
            "default",
            "1000",
            "--signer",
            "default:None",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.json["state"], "FAULT");
    assert_eq!(
        int_result(&ok(
            &state,
            &["neo", "invoke", "token", "totalSupply", "--test"]
        )),
        0
    );
    let m = ok(
        &state,
        &["neo", "invoke", "token", "mint", "default", "1000"],
    );
    let ev = &m["notifications"][0];
    assert_eq!(ev["eventname"], "Transfer");
    assert_eq!(ev["state"]["value"][0]["type"], "Any");
    assert_eq!(ev["state"]["value"][2]["value"], "1000");

    let t = ok(
        &state,
        &[
            "neo", "invoke", "token", "transfer", "default", "bob", "300", "null",
        ],
    );
    assert_eq!(t["stack"][0]["value"], true);
    let ev = &t["notifications"][0];
    assert_eq!(ev["contract"], hash.as_str());
    assert_eq!(ev["eventname"], "Transfer");
    assert_eq!(ev["state"]["value"][2]["value"], "300");
    assert_eq!(
        int_result(&ok(
            &state,
            &["neo", "invoke", "token", "balanceOf", "bob", "--test"]
        )),
        300
    );
    assert_eq!(
        int_result(&ok(
            &state,
            &["neo", "invoke", "token", "balanceOf", "default", "--test"]
        )),
        700
    );
    assert_eq!(
        int_result(&ok(
            &state,
            &["neo", "invoke", "token", "totalSupply", "--test"]
        )),
        1000
    );

    // Moving bob's tokens while only default signs: no witness, false, nothing changes.
    let t = ok(
        &state,
        &[
            "neo", "invoke", "token", "transfer", &bob_hash, "default", "1", "null",
        ],
    );
    assert_eq!(t["stack"][0]["value"], false);
    assert_eq!(
        int_result(&ok(
            &state,
            &["neo", "invoke", "token", "balanceOf", "bob", "--test"]
        )),
        300
    );
    // Bob has no GAS for fees yet: the invocation is refused, nothing written.
    let r = xvm(
        &state,
        &[
            "neo",
            "invoke",
            "token",
            "transfer",
            "bob",
            "default",
            "1",
            "null",
            "--account",
            "bob",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("insufficient GAS"), "{}", r.stderr);
    assert_eq!(
        int_result(&ok(
            &state,
            &["neo", "invoke", "token", "balanceOf", "bob", "--test"]
        )),
        300
    );
    // With GAS, and signed by bob, it works.
    let g = ok(&state, &["neo", "transfer", "GAS", "bob", "2.5"]);
    assert_eq!(g["notifications"][0]["eventname"], "Transfer");
    assert_eq!(
        g["notifications"][0]["state"]["value"][2]["value"],
        "250000000"
    );
    let t = ok(
        &state,
        &[
            "neo",
            "invoke",
            "token",
            "transfer",
            "bob",
            "default",
            "1",
            "null",
            "--account",
            "bob",
        ],
    );
    assert_eq!(t["stack"][0]["value"], true);
    assert_eq!(
        int_result(&ok(
            &state,
            &["neo", "invoke", "token", "balanceOf", "bob", "--test"]
        )),
        299
    );
    let paid = 250000000 - gas(&t);
    assert_eq!(
        int_result(&ok(
            &state,
            &["neo", "invoke", "GAS", "balanceOf", "bob", "--test"]
        )),
        paid
    );
}

#[test]
fn contract_calls_contract_and_sees_calling_hash() {
    let Some(boa) = boa() else { return };
    let dir = workdir("calls");
    let callee = compile(&boa, &dir, "callee");
    let caller = compile(&boa, &dir, "caller");
    let state = dir.join("state");
    let callee_hash = ok(&state, &["neo", "deploy", callee.to_str().unwrap()])["contract"]
        .as_str()
        .unwrap()
        .to_string();
    let caller_hash = ok(&state, &["neo", "deploy", caller.to_str().unwrap()])["contract"]
        .as_str()
        .unwrap()
        .to_string();
    let r = ok(&state, &["neo", "invoke", "caller", "ask", &callee_hash]);
    let le = |h: &str| {
        let mut b = hex::decode(h.trim_start_matches("0x")).unwrap();
        b.reverse();
        b64(&b)
    };
    assert_eq!(
        r["stack"][0]["value"][0]["value"],
        le(&caller_hash),
        "callee saw the caller"
    );
    assert_eq!(r["stack"][0]["value"][1]["value"], le(&caller_hash));
    assert_eq!(
        int_result(&ok(&state, &["neo", "invoke", "callee", "calls", "--test"])),
        1
    );
    // Called directly, the calling script hash is the entry script's.
    let direct = ok(&state, &["neo", "invoke", "callee", "who_calls", "--test"]);
    assert_ne!(direct["stack"][0]["value"], le(&caller_hash));
}

#[test]
fn stdlib_and_cryptolib_from_a_contract() {
    use p256::ecdsa::signature::Signer as _;
    let Some(boa) = boa() else { return };
    let dir = workdir("crypto");
    let nef = compile(&boa, &dir, "cryptodemo");
    let state = dir.join("state");
    ok(&state, &["neo", "deploy", nef.to_str().unwrap()]);
    let r = ok(
        &state,
        &[
            "neo",
            "invoke",
            "cryptodemo",
            "b64",
            "0x68656c6c6f",
            "--test",
        ],
    );
    assert_eq!(r["stack"][0]["value"], b64(b"aGVsbG8="));
    let r = ok(
        &state,
        &["neo", "invoke", "cryptodemo", "unb64", "aGVsbG8=", "--test"],
    );
    assert_eq!(r["stack"][0]["value"], b64(b"hello"));
    let r = ok(
        &state,
        &[
            "neo",
            "invoke",
            "cryptodemo",
            "digest",
            "0x68656c6c6f",
            "--test",
        ],
    );
    use sha2::Digest;
    assert_eq!(r["stack"][0]["value"], b64(&sha2::Sha256::digest(b"hello")));
    // GAS: entry script; digest = INITSLOT, LDARG0, CALLT (token 4: CryptoLib.sha256), RET; the
    // native's PUSH0 and sha256's CpuFee (1 << 15), all times ExecFeeFactor.
    let mut ops = entry_ops(&["PUSHDATA1"]);
    ops.extend(["INITSLOT", "LDARG0", "CALLT", "PUSH0", "RET"]);
    let want = path_gas(&ops, &["Contract.Call"], 0) + (1 << 15) * EXEC_FEE_FACTOR;
    assert_eq!(gas(&r), want, "GAS of digest (CALLT into CryptoLib)");
    let r = ok(
        &state,
        &[
            "neo",
            "invoke",
            "cryptodemo",
            "serialized",
            "[1,\"0x0102\",true]",
            "--test",
        ],
    );
    // Array(3): Integer 1, ByteString 0102, Boolean true (Neo's BinarySerializer).
    assert_eq!(
        r["stack"][0]["value"],
        b64(&hex::decode("4003210101280201022001").unwrap())
    );
    let r = ok(
        &state,
        &[
            "neo",
            "invoke",
            "cryptodemo",
            "roundtrip",
            "[1,\"0x0102\",true]",
            "--test",
        ],
    );
    assert_eq!(r["stack"][0]["value"][1]["value"], b64(&[1, 2]));

    // verifyWithECDsa with keys and signatures made here.
    let msg = b"xvm signs this";
    let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
    let pk = hex::encode(sk.verifying_key().to_encoded_point(true).as_bytes());
    let sig: p256::ecdsa::Signature = sk.sign(msg);
    let sig_hex = format!("0x{}", hex::encode(sig.to_bytes()));
    let msg_hex = format!("0x{}", hex::encode(msg));
    let r = ok(
        &state,
        &[
            "neo",
            "invoke",
            "cryptodemo",
            "verify_r1",
            &msg_hex,
            &pk,
            &sig_hex,
            "--test",
        ],
    );
    assert_eq!(r["stack"][0]["value"], true);
    let other = p256::ecdsa::SigningKey::from_slice(&[8u8; 32]).unwrap();
    let other_pk = hex::encode(other.verifying_key().to_encoded_point(true).as_bytes());
    let r = ok(
        &state,
        &[
            "neo",
            "invoke",
            "cryptodemo",
            "verify_r1",
            &msg_hex,
            &other_pk,
            &sig_hex,
            "--test",
        ],
    );
    assert_eq!(r["stack"][0]["value"], false, "wrong key");
    let mut bad = sig.to_bytes().to_vec();
    bad[10] ^= 1;
    let r = ok(
        &state,
        &[
            "neo",
            "invoke",
            "cryptodemo",
            "verify_r1",
            &msg_hex,
            &pk,
            &format!("0x{}", hex::encode(&bad)),
            "--test",
        ],
    );
    assert_eq!(r["stack"][0]["value"], false, "wrong signature");
    // secp256k1 with SHA-256.
    let kk = k256::ecdsa::SigningKey::from_slice(&[9u8; 32]).unwrap();
    let kpk = hex::encode(kk.verifying_key().to_encoded_point(true).as_bytes());
    let ksig: k256::ecdsa::Signature = k256::ecdsa::signature::Signer::sign(&kk, msg);
    let ksig_hex = format!("0x{}", hex::encode(ksig.to_bytes()));
    let kpk_hex = format!("0x{kpk}");
    let r = ok(
        &state,
        &[
            "neo",
            "invoke",
            "cryptodemo",
            "verify_k1",
            &msg_hex,
            &kpk_hex,
            &ksig_hex,
            "--test",
        ],
    );
    assert_eq!(r["stack"][0]["value"], true);
    let r = ok(
        &state,
        &[
            "neo",
            "invoke",
            "cryptodemo",
            "verify_k1",
            "0x00",
            &kpk_hex,
            &ksig_hex,
            "--test",
        ],
    );
    assert_eq!(r["stack"][0]["value"], false, "other message");
    // A malformed point faults (Neo since Gorgon), with a message naming the problem.
    let r = xvm(
        &state,
        &[
            "neo",
            "invoke",
            "cryptodemo",
            "verify_k1",
            &msg_hex,
            &format!("0x02{}", "ff".repeat(32)),
            &ksig_hex,
            "--test",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.json["state"], "FAULT");
    assert!(
        r.json["exception"]
            .as_str()
            .unwrap()
            .contains("invalid secp256k1 public key"),
        "{}",
        r.stdout
    );
}

#[test]
fn oracle_request_and_respond() {
    let Some(boa) = boa() else { return };
    let dir = workdir("oracle");
    let nef = compile(&boa, &dir, "oracleconsumer");
    let state = dir.join("state");
    let hash = ok(&state, &["neo", "deploy", nef.to_str().unwrap()])["contract"]
        .as_str()
        .unwrap()
        .to_string();
    let r = ok(
        &state,
        &[
            "neo",
            "invoke",
            "oracleconsumer",
            "fetch",
            "https://example.com/price",
        ],
    );
    let ev = &r["notifications"][0];
    assert_eq!(ev["eventname"], "OracleRequest");
    assert_eq!(ev["state"]["value"][0]["value"], "0");
    let list = xvm(&state, &["neo", "oracle", "requests"]);
    assert!(
        list.stdout.contains("https://example.com/price"),
        "{}",
        list.stdout
    );
    let body = dir.join("body.json");
    std::fs::write(&body, br#"{"price":42}"#).unwrap();
    let r = ok(
        &state,
        &[
            "neo",
            "oracle",
            "respond",
            "0",
            "--result",
            body.to_str().unwrap(),
        ],
    );
    let names: Vec<&str> = r["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["eventname"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["OracleResponse", "Response"]);
    assert_eq!(r["notifications"][1]["contract"], hash.as_str());
    let last = ok(
        &state,
        &["neo", "invoke", "oracleconsumer", "last", "--test"],
    );
    assert_eq!(last["stack"][0]["value"], b64(br#"{"price":42}"#));
    // The request is gone: answering again is bad input.
    let again = xvm(
        &state,
        &[
            "neo",
            "oracle",
            "respond",
            "0",
            "--result",
            body.to_str().unwrap(),
        ],
    );
    assert_eq!(again.code, 2, "{}", again.stderr);
}

fn file_bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_default()
}

#[test]
fn bad_input_is_one_line_exit_2_and_writes_nothing() {
    let Some(boa) = boa() else { return };
    let dir = workdir("bad");
    let nef = compile(&boa, &dir, "counter");
    let state = dir.join("state");
    ok(&state, &["neo", "deploy", nef.to_str().unwrap()]);
    let db = state.join("state.redb");
    let before = file_bytes(&db);
    let good = file_bytes(&nef);
    let manifest = std::fs::read_to_string(dir.join("counter.manifest.json")).unwrap();

    let mut cases: Vec<(String, Vec<String>)> = Vec::new();
    let write = |name: &str, nef: &[u8], man: &str| {
        let p = dir.join(format!("{name}.nef"));
        std::fs::write(&p, nef).unwrap();
        std::fs::write(dir.join(format!("{name}.manifest.json")), man).unwrap();
        p.to_str().unwrap().to_string()
    };
    let mut magic = good.clone();
    magic[0] = b'X';
    cases.push((
        "magic".into(),
        vec![
            "neo".into(),
            "deploy".into(),
            write("magic", &magic, &manifest),
        ],
    ));
    let mut sum = good.clone();
    let l = sum.len();
    sum[l - 1] ^= 0xff;
    cases.push((
        "checksum".into(),
        vec![
            "neo".into(),
            "deploy".into(),
            write("checksum", &sum, &manifest),
        ],
    ));
    cases.push((
        "manifest json".into(),
        vec!["neo".into(), "deploy".into(), write("badjson", &good, "{")],
    ));
    cases.push((
        "manifest features".into(),
        vec![
            "neo".into(),
            "deploy".into(),
            write(
                "feat",
                &good,
                &manifest.replace("\"features\": {}", "\"features\": {\"x\": 1}"),
            ),
        ],
    ));
    cases.push((
        "manifest offset".into(),
        vec![
            "neo".into(),
            "deploy".into(),
            write(
                "offset",
                &good,
                &manifest.replace("\"offset\": 75", "\"offset\": 76"),
            ),
        ],
    ));
    for (what, args) in [
        ("unknown method", vec!["neo", "invoke", "counter", "nope"]),
        ("wrong count", vec!["neo", "invoke", "counter", "increment"]),
        (
            "wrong type",
            vec!["neo", "invoke", "counter", "increment", "abc"],
        ),
        (
            "unknown contract",
            vec![
                "neo",
                "invoke",
                "0x00000000000000000000000000000000000000aa",
                "get",
            ],
        ),
        ("unknown name", vec!["neo", "invoke", "nosuch", "get"]),
    ] {
        cases.push((what.into(), args.into_iter().map(String::from).collect()));
    }
    for (what, args) in cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = xvm(&state, &a);
        assert_eq!(r.code, 2, "{what}: {}{}", r.stdout, r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{what}: {}", r.stderr);
        assert!(r.stderr.starts_with("error: "), "{what}: {}", r.stderr);
        assert_eq!(file_bytes(&db), before, "{what} changed the state");
    }
}
