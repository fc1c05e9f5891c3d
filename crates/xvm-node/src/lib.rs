//! `xvm node`: an Ethereum JSON-RPC development node over xvm's local chain.
//!
//! HTTP and WebSocket on one port (jsonrpsee), batch requests included; the `eth_` methods that
//! ethers and viem use, `eth_subscribe` (newHeads, logs), filters, the development methods of
//! anvil and hardhat (`evm_*`, `anvil_*`/`hardhat_*`), and `debug_traceTransaction` /
//! `debug_traceCall` with geth's struct logger and `callTracer`. The state is the same embedded
//! store the `xvm` command uses: the node holds it open while it runs.

#![deny(missing_docs)]

mod errors;
mod inproc;
mod json;
mod node;
mod rpc;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use inproc::Rpc;
pub use node::Node;
use xvm_chain::{Chain, GenesisOptions};

/// How to start a node.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// Where to listen (port 0 picks a free one).
    pub addr: SocketAddr,
    /// The state folder.
    pub state: PathBuf,
    /// How a new state is created.
    pub genesis: GenesisOptions,
    /// `None`: one block per transaction as it arrives (automine); else a block every interval
    /// with the transactions received meanwhile.
    pub block_time: Option<Duration>,
    /// `None`: every block is on disk before its transaction is answered. `Some(d)`: blocks are
    /// flushed to disk together at most `d` apart (and when the node stops), so a killed node
    /// loses at most that window of blocks; the state always reopens consistent.
    pub sync_interval: Option<Duration>,
}

/// A running node.
pub struct NodeHandle {
    /// The address it listens on.
    pub addr: SocketAddr,
    server: jsonrpsee::server::ServerHandle,
    miner: Option<tokio::task::JoinHandle<()>>,
    syncer: Option<tokio::task::JoinHandle<()>>,
    node: Arc<Node>,
}

impl NodeHandle {
    /// Stops serving, waits for the server to finish and puts every block on disk.
    pub async fn stop(self) -> Result<(), xvm_chain::ChainError> {
        for task in [self.miner, self.syncer].into_iter().flatten() {
            task.abort();
        }
        let _ = self.server.stop();
        self.server.stopped().await;
        let node = self.node;
        tokio::task::spawn_blocking(move || node.chain().sync())
            .await
            .unwrap_or(Ok(()))
    }
}

/// Why a node could not start.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The state could not be opened.
    #[error(transparent)]
    Chain(#[from] xvm_chain::ChainError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Opens the state and starts serving (within a tokio runtime).
pub async fn start(cfg: NodeConfig) -> Result<NodeHandle, NodeError> {
    let mut chain = Chain::open(&cfg.state, &cfg.genesis)?;
    if let Some(every) = cfg.sync_interval {
        chain.set_durability(xvm_store::Durability::Deferred(every))?;
    }
    let store = chain.shared_store();
    let node = Arc::new(Node::new(chain, cfg.block_time.is_some()));
    let module = rpc::module(node.clone());
    let limits = jsonrpsee::server::ServerConfig::builder()
        .max_request_body_size(32 * 1024 * 1024)
        .max_response_body_size(256 * 1024 * 1024)
        .max_connections(1024)
        .build();
    let server = jsonrpsee::server::Server::builder()
        .set_config(limits)
        .build(cfg.addr)
        .await
        .map_err(|source| NodeError::Listen {
            addr: cfg.addr,
            source,
        })?;
    let addr = server.local_addr().map_err(|source| NodeError::Listen {
        addr: cfg.addr,
        source,
    })?;
    let server = server.start(module);
    let miner = cfg.block_time.map(|every| {
        let node = node.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let n = node.clone();
                let _ = tokio::task::spawn_blocking(move || n.mine_pending()).await;
            }
        })
    });
    // Deferred blocks reach the disk here, on the blocking pool and without the chain's lock:
    // requests go on (their commits land in memory) while a flush writes. Ticking at half the
    // interval keeps the oldest waiting block younger than the interval, so that a commit on
    // the request path rarely has to flush itself.
    let syncer = cfg.sync_interval.map(|every| {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval((every / 2).max(Duration::from_millis(1)));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let s = store.clone();
                let _ = tokio::task::spawn_blocking(move || s.sync()).await;
            }
        })
    });
    Ok(NodeHandle {
        addr,
        server,
        miner,
        syncer,
        node,
    })
}
