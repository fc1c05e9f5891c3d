//! `xvm evm ...` subcommands.

mod bench;
mod debug;
mod disasm;
pub mod local;
mod profile;
mod run;
mod statetest;
mod target;

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
    /// Time the EVM benchmark inputs (evmone's benchmark files; --synthetic loops).
    Bench(bench::BenchArgs),
    /// Run Ethereum state tests (files or folders).
    Statetest(statetest::StatetestArgs),
    /// Deploy a contract to the local chain (artifact or hex; constructor arguments by ABI).
    Deploy(local::DeployArgs),
    /// Call a contract on the local chain: a mined transaction, or --static for eth_call.
    Call(local::CallArgs),
    /// Send wei (and optional data) from a default account.
    Send(local::SendArgs),
    /// An account's balance in wei.
    Balance(local::AddrArgs),
    /// An account's code as hex.
    Code(local::AddrArgs),
    /// An account's nonce.
    Nonce(local::AddrArgs),
    /// A storage slot of an account.
    Storage(local::StorageArgs),
    /// A transaction's receipt as JSON, with decoded logs.
    Receipt(local::ReceiptArgs),
    /// A block as JSON (default: the newest).
    Block(local::BlockArgs),
    /// Gas profile of a mined transaction (TXHASH) or a call (ADDR METHOD [ARGS...]): a table
    /// per contract, function and opcode; --svg writes a flame graph, --folded folded stacks.
    Profile(profile::ProfileArgs),
    /// Step through a mined transaction (TXHASH) or a call (ADDR METHOD [ARGS...]): step,
    /// next, out, continue, break, stack, memory, storage; commands from the terminal, stdin
    /// or --script.
    Debug(debug::DebugArgs),
}

/// Runs `xvm evm ...`.
pub fn main(args: EvmArgs) -> ExitCode {
    match args.command {
        EvmCommand::Run(a) => run::main(a),
        EvmCommand::Disasm(a) => disasm::main(a),
        EvmCommand::Bench(a) => bench::main(a),
        EvmCommand::Statetest(a) => statetest::main(a),
        EvmCommand::Deploy(a) => local::deploy(a),
        EvmCommand::Call(a) => local::call(a),
        EvmCommand::Send(a) => local::send(a),
        EvmCommand::Balance(a) => local::account(a, local::AccountField::Balance),
        EvmCommand::Code(a) => local::account(a, local::AccountField::Code),
        EvmCommand::Nonce(a) => local::account(a, local::AccountField::Nonce),
        EvmCommand::Storage(a) => local::storage(a),
        EvmCommand::Receipt(a) => local::receipt(a),
        EvmCommand::Block(a) => local::block(a),
        EvmCommand::Profile(a) => profile::main(a),
        EvmCommand::Debug(a) => debug::main(a),
    }
}
