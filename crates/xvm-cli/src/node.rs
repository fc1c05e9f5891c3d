//! `xvm node`: the JSON-RPC development node on the embedded state.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use xvm_chain::GenesisOptions;
use xvm_evm::Revision;

use crate::usage_error;

/// Arguments of `xvm node`.
#[derive(Args)]
pub struct NodeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port (0 picks a free one; the chosen address is printed).
    #[arg(long, default_value_t = 8545)]
    port: u16,
    /// State folder (default: $XVM_STATE, else .xvm in the working folder).
    #[arg(long, value_name = "DIR")]
    state: Option<PathBuf>,
    /// Fork of a new state (fixed once created).
    #[arg(long)]
    fork: Option<String>,
    /// Mine a block every S seconds with the transactions received meanwhile (default: one block
    /// per transaction as it arrives).
    #[arg(long, value_name = "S")]
    block_time: Option<f64>,
    /// Flush mined blocks to disk together at most MS milliseconds apart (and when the node
    /// stops) instead of one disk flush per block; a killed node then loses at most that
    /// window of blocks and reopens consistent. 0: every block is on disk before it is answered.
    #[arg(long, value_name = "MS", default_value_t = 100)]
    sync_interval: u64,
}

/// Runs the node until Ctrl-C or SIGTERM.
pub fn main(a: NodeArgs) -> ExitCode {
    let mut genesis = GenesisOptions::default();
    if let Some(f) = &a.fork {
        match f.parse::<Revision>() {
            Ok(r) => genesis.revision = r,
            Err(e) => return usage_error(e),
        }
    }
    let block_time = match a.block_time {
        None => None,
        Some(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s)),
        Some(s) => {
            return usage_error(format!(
                "--block-time {s}: must be a positive number of seconds"
            ))
        }
    };
    let cfg = xvm_node::NodeConfig {
        addr: SocketAddr::new(a.host, a.port),
        state: xvm_store::resolve_dir(a.state.as_deref()),
        genesis,
        block_time,
        sync_interval: (a.sync_interval > 0).then(|| Duration::from_millis(a.sync_interval)),
    };
    // One runtime thread serves every connection: requests take the chain's lock anyway, and
    // a second worker only added thread hand-offs (about 1.4 context switches per request).
    // Long methods (traces, estimates, log searches, mining on an interval) and disk flushes
    // run on tokio's blocking pool.
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return usage_error(format!("cannot start the runtime: {e}")),
    };
    rt.block_on(async move {
        let state = cfg.state.clone();
        let handle = match xvm_node::start(cfg).await {
            Ok(h) => h,
            Err(e) => return usage_error(e),
        };
        println!(
            "xvm node listening on http://{0} and ws://{0} (state {1})",
            handle.addr,
            state.display()
        );
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => return usage_error(format!("cannot watch signals: {e}")),
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        let stopped = handle.stop().await;
        // Whoever started the node may have stopped reading its output.
        match stopped {
            Ok(()) => {
                let _ = writeln!(std::io::stdout(), "xvm node stopped");
                ExitCode::SUCCESS
            }
            Err(e) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "xvm node stopped, but the last blocks may not be on disk: {e}"
                );
                ExitCode::FAILURE
            }
        }
    })
}
