//! `xvm evm ...` subcommands.

use clap::{Args, Subcommand};
use std::process::ExitCode;

/// Arguments of `xvm evm`.
#[derive(Args)]
pub struct EvmArgs {
    #[command(subcommand)]
    command: EvmCommand,
}

#[derive(Subcommand)]
enum EvmCommand {}

/// Runs `xvm evm ...`.
pub fn main(args: EvmArgs) -> ExitCode {
    match args.command {}
}
