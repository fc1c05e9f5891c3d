//! `xvm evm run`: executes bytecode on an in-memory world with a default sender and recipient.

use crate::input::{parse_hex, read_hex_file};
use crate::usage_error;
use alloy_primitives::{address, Address, Bytes, B256, U256};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use xvm_ethereum::{Evm, PreAccount, PreState, State};
use xvm_evm::trace::eip3155_summary_line;
use xvm_evm::{
    CallKind, Eip3155Tracer, ExecResult, Host, Interpreter, Message, Revision, TxContext, Vm,
};

/// The default sender (`CALLER`, `ORIGIN`).
pub const SENDER: Address = address!("1000000000000000000000000000000000000001");
/// The default recipient, whose code runs (`ADDRESS`).
pub const RECIPIENT: Address = address!("2000000000000000000000000000000000000002");

/// Arguments of `xvm evm run`.
#[derive(Args)]
pub struct RunArgs {
    /// The bytecode, in hex.
    #[arg(
        long,
        conflicts_with = "code_file",
        required_unless_present = "code_file"
    )]
    code: Option<String>,
    /// A file holding the bytecode in hex.
    #[arg(long, value_name = "FILE")]
    code_file: Option<PathBuf>,
    /// Call data, in hex.
    #[arg(long, default_value = "")]
    input: String,
    /// Gas limit of the call.
    #[arg(long, default_value_t = 10_000_000)]
    gas: i64,
    /// Value sent with the call (wei, decimal or 0x-hex).
    #[arg(long, default_value = "0")]
    value: String,
    /// Fork, case-insensitive: frontier .. osaka.
    #[arg(long = "rev", visible_alias = "fork", default_value = "osaka")]
    rev: String,
    /// Print EIP-3155 trace lines to stderr.
    #[arg(long)]
    trace: bool,
    /// Execute through this EVMC VM (`path.so[,option=value...]`) instead of xvm's own
    /// interpreter; xvm's in-memory world is the host.
    #[arg(long, value_name = "PATH.so")]
    vm: Option<String>,
}

/// The block and transaction context `run` uses.
fn context(rev: Revision) -> TxContext {
    TxContext {
        gas_price: U256::from(1),
        origin: SENDER,
        coinbase: Address::ZERO,
        number: 1,
        timestamp: 1,
        gas_limit: 30_000_000,
        prev_randao: B256::ZERO,
        chain_id: U256::from(1),
        base_fee: if rev >= Revision::London {
            U256::from(1)
        } else {
            U256::ZERO
        },
        blob_base_fee: U256::from(1),
        blob_hashes: Vec::new(),
    }
}

/// Runs `xvm evm run`.
pub fn main(args: RunArgs) -> ExitCode {
    let rev: Revision = match args.rev.parse() {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    let code = match (&args.code, &args.code_file) {
        (Some(c), _) => parse_hex("--code", c),
        (None, Some(f)) => read_hex_file("--code-file", f),
        (None, None) => Err("one of --code or --code-file is required".to_string()),
    };
    let code = match code {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let input = match parse_hex("--input", &args.input) {
        Ok(i) => i,
        Err(e) => return usage_error(e),
    };
    let value = match xvm_ethereum::parse::parse_u256(&args.value) {
        Ok(v) => v,
        Err(e) => return usage_error(format!("--value: {e}")),
    };
    if args.gas < 0 {
        return usage_error("--gas must not be negative");
    }

    let msg = Message {
        kind: CallKind::Call,
        gas: args.gas,
        recipient: RECIPIENT,
        sender: SENDER,
        input: Bytes::from(input),
        value,
        code_address: RECIPIENT,
        ..Message::default()
    };
    let result = match &args.vm {
        None => execute(&Interpreter, rev, &code, &msg, args.trace),
        Some(config) => match evmc::LoadedVm::load_and_configure(config) {
            Ok(mut vm) => {
                // A C VM reports no steps to its host: with --trace it traces itself (libxvm:
                // EIP-3155 step lines and the summary line on stderr).
                if args.trace {
                    if let Err(e) = vm.set_option("trace", "1") {
                        return usage_error(format!("--trace with --vm: {e}"));
                    }
                }
                execute(&vm, rev, &code, &msg, false)
            }
            Err(e) => return usage_error(format!("--vm: {e}")),
        },
    };
    let gas_used = args.gas - result.gas_left;
    if args.trace && args.vm.is_none() {
        eprintln!("{}", eip3155_summary_line(&result, gas_used));
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "output: 0x{}", hex::encode(&result.output));
    let _ = writeln!(out, "status: {}", result.status);
    let _ = writeln!(out, "gas used: {gas_used}");
    if result.status.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Runs `msg` against `code` deployed at [`RECIPIENT`] in a fresh in-memory world, through `vm`.
/// With `trace`, EIP-3155 step lines go to stderr (the summary line is the caller's).
fn execute<V: Vm>(vm: &V, rev: Revision, code: &[u8], msg: &Message, trace: bool) -> ExecResult {
    let mut pre = PreState::new();
    pre.insert(
        SENDER,
        PreAccount::new(0, U256::MAX >> 1, &[], Default::default()),
    );
    pre.insert(
        RECIPIENT,
        PreAccount::new(1, U256::ZERO, code, Default::default()),
    );
    let mut evm = Evm::new(State::new(&pre), vm, rev, context(rev));
    if rev >= Revision::Berlin {
        evm.state.warm_account(&SENDER);
        evm.state.warm_account(&RECIPIENT);
        for p in xvm_evm_precompiles::addresses(rev) {
            evm.state.warm_account(&p);
        }
    }
    if trace {
        evm.tracer = Some(Box::new(Eip3155Tracer::new(std::io::BufWriter::new(
            std::io::stderr(),
        ))));
    }
    let result = evm.call(msg);
    evm.tracer = None; // flushes the trace
    result
}
