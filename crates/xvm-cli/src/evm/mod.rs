//! `xvm evm ...` subcommands.

mod statetest;

use clap::{Args, Subcommand};
use std::process::ExitCode;

/// Arguments of `xvm evm`.
#[derive(Args)]
pub struct EvmArgs {
    #[command(subcommand)]
    command: EvmCommand,
}

#[derive(Subcommand)]
enum EvmCommand {
    /// Run Ethereum state tests (files or folders).
    Statetest(statetest::StatetestArgs),
}

/// Runs `xvm evm ...`.
pub fn main(args: EvmArgs) -> ExitCode {
    match args.command {
        EvmCommand::Statetest(a) => statetest::main(a),
    }
}
