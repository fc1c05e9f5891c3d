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
}
