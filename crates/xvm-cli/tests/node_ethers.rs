//! `xvm node` driven by a real client: starts the node on a free loopback port with a fresh
//! state, runs the ethers v6 suite (`crates/xvm-node/tests/ethers`, node's test runner: deploy,
//! transfers, receipts, filters, WebSocket subscriptions, custom errors, snapshots, estimates,
//! signed EIP-1559 transactions, traces, errors) and the 16-client load test, then stops the node.
//! Needs Node.js and `npm ci` in that folder (`.ci/run` does it); elsewhere it skips with the
//! reason, under `CI=true` it fails.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let _ = self.0.wait();
    }
}

fn suite_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../xvm-node/tests/ethers")
}

fn missing(reason: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{reason}");
    }
    eprintln!("skipped: {reason}");
}

#[test]
fn ethers_v6_suite_against_xvm_node() {
    let dir = suite_dir();
    if !dir.join("node_modules/ethers").is_dir() {
        return missing(&format!(
            "ethers is not installed: run `npm ci` in {}",
            dir.display()
        ));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return missing("Node.js (`node`) is not on PATH");
    }
    let state = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_xvm"))
        .args(["node", "--port", "0", "--state"])
        .arg(state.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("xvm node starts");
    let stdout = child.stdout.take().unwrap();
    let node = Running(child);
    let mut first = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut first)
        .unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in: {first}"))
        .to_string();

    let out = Command::new("node")
        .args([
            "--test",
            "--test-reporter=spec",
            "node.test.mjs",
            "load.test.mjs",
        ])
        .current_dir(&dir)
        .env("XVM_RPC_URL", &url)
        .output()
        .expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "the ethers suite failed against {url}"
    );
    assert!(text.contains("fail 0"), "{text}");

    // Blocks are flushed to disk in groups (`--sync-interval`); a stopped node has put every
    // block it answered for on disk, and the state reopens at that head.
    let head = rpc_block_number(&url);
    assert!(head > 0);
    let mut node = node;
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(node.0.id().to_string())
        .status();
    let status = node.0.wait().unwrap();
    assert!(status.success(), "node exit: {status:?}");
    let out = Command::new(env!("CARGO_BIN_EXE_xvm"))
        .args(["evm", "block", "--state"])
        .arg(state.path())
        .output()
        .unwrap();
    let block: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(block["number"].as_u64(), Some(head), "reopened head");
}

/// `eth_blockNumber` over a plain HTTP/1.1 request.
fn rpc_block_number(url: &str) -> u64 {
    use std::io::{Read, Write};
    let hostport = url.trim_start_matches("http://").trim_end_matches('/');
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}"#;
    let mut s = std::net::TcpStream::connect(hostport).unwrap();
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: {hostport}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let json = &resp[resp.find("\r\n\r\n").expect("http response") + 4..];
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let hex = v["result"].as_str().expect("a block number");
    u64::from_str_radix(hex.trim_start_matches("0x"), 16).unwrap()
}
