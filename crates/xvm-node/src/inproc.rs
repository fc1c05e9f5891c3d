//! The node's JSON-RPC methods in process, without a server: for embedding xvm's node in another
//! program's tests, and for fuzzing the request handling.

use std::sync::Arc;

use jsonrpsee::RpcModule;

use crate::{rpc, Node};

/// Every JSON-RPC method of a node, called directly with request text.
pub struct Rpc {
    module: RpcModule<Arc<Node>>,
}

impl Rpc {
    /// The methods over `node` (the same ones `xvm node` serves).
    pub fn new(node: Arc<Node>) -> Rpc {
        Rpc {
            module: rpc::module(node),
        }
    }

    /// Every method name, sorted.
    pub fn methods(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = self.module.method_names().collect();
        v.sort_unstable();
        v
    }

    /// Answers one JSON-RPC request object as the server would (batches are split by the
    /// server), returning the response text. Text that is not a JSON-RPC request object is an
    /// error. Needs a tokio runtime: long methods run on its blocking pool. A subscription's
    /// notifications are dropped; its id is returned.
    pub async fn request(&self, request: &str) -> Result<String, serde_json::Error> {
        let (response, _notifications) = self.module.raw_json_request(request, 16).await?;
        Ok(response.get().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xvm_chain::{Chain, GenesisOptions};

    #[tokio::test]
    async fn answers_requests_in_process() {
        let dir = tempfile::tempdir().unwrap();
        let chain = Chain::open(dir.path(), &GenesisOptions::default()).unwrap();
        let rpc = Rpc::new(Arc::new(Node::new(chain, false)));
        assert!(rpc.methods().contains(&"eth_blockNumber"));
        assert!(rpc.methods().windows(2).all(|w| w[0] < w[1]));
        let r = rpc
            .request(r#"{"jsonrpc":"2.0","id":7,"method":"eth_blockNumber"}"#)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&r).unwrap();
        assert_eq!(v["id"], 7);
        assert_eq!(v["result"], "0x0");
        let r = rpc
            .request(r#"{"jsonrpc":"2.0","id":1,"method":"eth_nope"}"#)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&r).unwrap();
        assert_eq!(v["error"]["code"], -32601);
        assert!(rpc.request("{").await.is_err());
    }

    #[tokio::test]
    async fn automine_answers_after_the_block_only_with_immediate_durability() {
        const SEND: &str = r#"{"jsonrpc":"2.0","id":1,"method":"eth_sendTransaction","params":[{"from":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","to":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","value":"0x1"}]}"#;
        for deferred in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let mut chain = Chain::open(dir.path(), &GenesisOptions::default()).unwrap();
            if deferred {
                chain
                    .set_durability(xvm_store::Durability::Deferred(
                        std::time::Duration::from_secs(60),
                    ))
                    .unwrap();
            }
            let node = Arc::new(Node::new(chain, false));
            let rpc = Rpc::new(node.clone());
            let r = rpc.request(SEND).await.unwrap();
            assert!(r.contains("\"result\""), "{r}");
            // Deferred: answered first, mined next (by the spawned task or the next reader).
            // Immediate: the block is on disk before the answer.
            assert_eq!(node.has_unmined(), deferred);
            if !deferred {
                assert_eq!(node.chain().stored_head().unwrap(), 1);
            }
            assert_eq!(node.chain().head().number, 1);
            assert!(!node.has_unmined());
        }
    }
}
