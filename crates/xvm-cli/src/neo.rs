//! `xvm neo ...` subcommands.

use clap::{Args, Subcommand};
use std::process::ExitCode;

/// Arguments of `xvm neo`.
#[derive(Args)]
pub struct NeoArgs {
    #[command(subcommand)]
    command: NeoCommand,
}

#[derive(Subcommand)]
enum NeoCommand {}

/// Runs `xvm neo ...`.
pub fn main(args: NeoArgs) -> ExitCode {
    match args.command {}
}
