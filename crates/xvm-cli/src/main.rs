//! The `xvm` command.

mod debugger;
mod evm;
mod input;
mod neo;
mod neo_bench;
mod neo_debug;
mod neo_platform;
mod neo_profile;
mod neo_tools;
mod node;
mod profile_out;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// xvm: a smart-contract virtual machine toolkit (EVM and NeoVM).
#[derive(Parser)]
#[command(name = "xvm", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Ethereum Virtual Machine: run, trace, disassemble, state tests.
    Evm(evm::EvmArgs),
    /// Neo N3 virtual machine: run, test, assemble, disassemble.
    Neo(neo::NeoArgs),
    /// The local EVM chain's default accounts (funded, unlocked), with balances and keys.
    Accounts(evm::local::AccountsArgs),
    /// Ethereum JSON-RPC development node (HTTP and WebSocket) on the embedded state.
    Node(node::NodeArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if !matches!(cli.command, Command::Node(_)) {
        quiet_on_closed_pipe();
    }
    match cli.command {
        Command::Evm(args) => evm::main(args),
        Command::Neo(args) => neo::main(args),
        Command::Accounts(args) => evm::local::accounts(args),
        Command::Node(args) => node::main(args),
    }
}

/// A command whose output is piped into a reader that stops early (`xvm ... | head`) ends
/// quietly, as other command-line tools do, instead of panicking in `println!` on EPIPE: Rust
/// starts programs with SIGPIPE ignored, so restore the default action. Not for `xvm node`, whose
/// sockets must see EPIPE as an error rather than end the process.
fn quiet_on_closed_pipe() {
    // SAFETY: `signal` with SIG_DFL installs no handler code; it runs before any other thread
    // exists, and only changes what a write to a closed pipe does (tested in tests/cli_evm.rs).
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Prints a one-line error and returns exit status 2 (bad arguments or input).
pub fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}
