//! `xvm evm ...` subcommands.

mod disasm;
mod run;
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
    /// Execute bytecode on an in-memory world (default sender and recipient).
    Run(run::RunArgs),
    /// Disassemble bytecode: one instruction per line.
    Disasm(disasm::DisasmArgs),
    /// Run Ethereum state tests (files or folders).
    Statetest(statetest::StatetestArgs),
}

/// Runs `xvm evm ...`.
pub fn main(args: EvmArgs) -> ExitCode {
    match args.command {
        EvmCommand::Run(a) => run::main(a),
        EvmCommand::Disasm(a) => disasm::main(a),
        EvmCommand::Statetest(a) => statetest::main(a),
    }
}
