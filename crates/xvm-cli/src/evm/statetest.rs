//! `xvm evm statetest`: runs Ethereum state tests.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `xvm evm statetest`.
#[derive(Args)]
pub struct StatetestArgs {
    /// Test files or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// Runs `xvm evm statetest`.
pub fn main(args: StatetestArgs) -> ExitCode {
    eprintln!("error: state tests are not implemented yet ({} paths)", args.paths.len());
    ExitCode::from(2)
}
