//! The JSON-RPC request handling of `xvm node` (every method, through the same module the server
//! runs), on one node that every input starts from afresh.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once, OnceLock};

use alloy_primitives::{Address, B256, U64};
use serde_json::Value;
use xvm_chain::{Chain, GenesisOptions, Snapshot};
use xvm_node::{Node, Rpc};

/// The node every input runs against, and what it looked like before the first one.
struct Fixture {
    runtime: tokio::runtime::Runtime,
    node: Arc<Node>,
    rpc: Rpc,
    methods: Vec<&'static str>,
    base: Snapshot,
    head: B256,
    root: B256,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();
static PANICKED: AtomicBool = AtomicBool::new(false);

fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(|| {
        // A panic on a runtime thread becomes an error response: note it so that the input
        // still fails (under libFuzzer the panic aborts the process anyway).
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                PANICKED.store(true, Ordering::SeqCst);
                previous(info);
            }));
        });
        let dir = std::env::temp_dir().join(format!("xvm-fuzz-rpc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut chain = Chain::open(&dir, &GenesisOptions::default()).expect("open a chain");
        // Blocks reach the disk together once a second, as `xvm node` does (every 100 ms).
        chain
            .set_durability(xvm_store::Durability::Deferred(std::time::Duration::from_secs(1)))
            .expect("deferred durability");
        let node = Arc::new(Node::new(chain, false));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let rpc = Rpc::new(node.clone());
        // One block with a contract and logs, so that block, receipt, log and trace methods
        // have something to find.
        let deploy = r#"{"jsonrpc":"2.0","id":1,"method":"eth_sendTransaction","params":[{"from":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","data":"0x60ff600052602a60206000a1602a60005560206000f3"}]}"#;
        let answer = runtime.block_on(rpc.request(deploy)).expect("setup request");
        assert!(answer.contains("\"result\""), "setup failed: {answer}");
        let head = node.chain().head().number;
        assert_eq!(head, 1, "the setup block");
        let methods = rpc.methods();
        let (base, head, root) = {
            let chain = node.chain();
            (chain.snapshot(), chain.head().hash, chain.state_root())
        };
        Fixture {
            runtime,
            node,
            rpc,
            methods,
            base,
            head,
            root,
        }
    })
}

/// Methods that may change the chain when they succeed.
fn may_change_state(method: &str) -> bool {
    method.starts_with("eth_send")
        || method.starts_with("evm_")
        || method.starts_with("anvil_")
        || method.starts_with("hardhat_")
}

/// Input: `[selector][params...]`. A selector below 0xf0 picks a method (by index into the
/// sorted method list) and the rest is its `params` text; 0xf0 and above: the rest is the whole
/// request text. The response must be one JSON-RPC response object for the request's id; a
/// method that only reads, and any request answered with an error, must leave the chain as it
/// was; nothing may panic. After each input the node is put back to its first state.
pub fn json_rpc(data: &[u8]) {
    let f = fixture();
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let rest = String::from_utf8_lossy(rest);
    let (method, request) = if sel < 0xf0 {
        let method = f.methods[sel as usize % f.methods.len()];
        let req = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{method}","params":{rest}}}"#);
        (Some(method), req)
    } else {
        (None, rest.to_string())
    };
    let parsed: Value = serde_json::from_str(&request).unwrap_or(Value::Null);
    let name = match method {
        Some(m) => m.to_string(),
        None => parsed["method"].as_str().unwrap_or_default().to_string(),
    };
    let mines_many = name == "anvil_mine" || name == "hardhat_mine";
    if mines_many && block_count(&parsed["params"][0]) > MAX_MINED {
        // Mining and then reverting thousands of blocks is the same code a few blocks run,
        // thousands of times over: it would only slow the search.
        return;
    }
    PANICKED.store(false, Ordering::SeqCst);
    let response = f.runtime.block_on(f.rpc.request(&request));
    assert!(
        !PANICKED.load(Ordering::SeqCst),
        "a method panicked on {request}"
    );
    let Ok(response) = response else {
        // Not a request object: jsonrpsee refuses it before any method runs.
        check_unchanged(f, &request);
        return;
    };
    let v: Value = serde_json::from_str(&response)
        .unwrap_or_else(|e| panic!("response is not JSON ({e}): {response}"));
    assert_eq!(v["jsonrpc"], "2.0", "{response}");
    let failed = match (v.get("result"), v.get("error")) {
        (Some(_), None) => false,
        (None, Some(e)) => {
            assert!(e["code"].is_i64(), "error without a code: {response}");
            assert!(
                e["message"].is_string(),
                "error without a message: {response}"
            );
            true
        }
        _ => panic!("not exactly one of result and error: {response}"),
    };
    if failed || !may_change_state(&name) {
        check_unchanged(f, &request);
    }
    // Undo what the request did to the node beyond the chain.
    if name == "evm_snapshot" {
        if let Some(id) = v["result"]
            .as_str()
            .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        {
            let _ = f.node.revert(id);
        }
    }
    if name.ends_with("_impersonateAccount") && !failed {
        if let Some(a) = parsed["params"][0]
            .as_str()
            .and_then(|s| s.parse::<Address>().ok())
        {
            f.node.impersonate(a, false);
        }
    }
    f.node
        .filters
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clear();
    let mut chain = f.node.chain();
    if chain.head().hash != f.head || chain.state_root() != f.root {
        chain
            .revert(&f.base)
            .unwrap_or_else(|e| panic!("cannot return to the first state after {request}: {e}"));
    }
    assert_eq!(chain.head().hash, f.head, "after {request}");
}

/// The most blocks an `anvil_mine`/`hardhat_mine` input may ask for (the node allows 10,000).
const MAX_MINED: u64 = 64;

/// A block count as the mine methods read it: the same `U64` parameter type, so decimal strings
/// (`"000900000000000051"`) count as well as numbers and hex quantities; unreadable: 0 (the
/// request fails before mining).
fn block_count(v: &Value) -> u64 {
    serde_json::from_value::<U64>(v.clone())
        .map(|n| n.to::<u64>())
        .unwrap_or(0)
}

/// The chain is as it was before the input.
fn check_unchanged(f: &Fixture, request: &str) {
    let chain = f.node.chain();
    assert_eq!(chain.head().hash, f.head, "the head moved: {request}");
    assert_eq!(chain.state_root(), f.root, "the state changed: {request}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_count_reads_what_the_mine_methods_read() {
        assert_eq!(block_count(&serde_json::json!(12)), 12);
        assert_eq!(block_count(&serde_json::json!("0x40")), 64);
        assert_eq!(
            block_count(&serde_json::json!("000900000000000051")),
            900000000000051
        );
        assert_eq!(block_count(&serde_json::json!("not a count")), 0);
        assert_eq!(block_count(&Value::Null), 0);
    }
}
