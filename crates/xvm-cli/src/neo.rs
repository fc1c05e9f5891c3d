//! `xvm neo ...` subcommands: run, test, asm, disasm (the contract platform commands are in
//! `neo_platform.rs`).

use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xvm_neovm::asm::parse_hex;
use xvm_neovm::asm::{assemble, disassemble};
use xvm_neovm::engine::{ExecutionEngine, Interop, VmState};
use xvm_neovm::error::{fault, VmError};
use xvm_neovm::opcode::OpCode;
use xvm_neovm::script::{Instruction, Script};
use xvm_neovm::Limits;
use xvm_neovm_suite::json::Json;
use xvm_neovm_suite::suite::{item_to_json, run_file_text};

/// Arguments of `xvm neo`.
#[derive(Args)]
pub struct NeoArgs {
    #[command(subcommand)]
    command: NeoCommand,
}

#[derive(Subcommand)]
enum NeoCommand {
    /// Run a script and print the final state, result stack (JSON) and fault message.
    Run(RunArgs),
    /// Run neo-vm JSON test files or folders; the last line is `N passed, M failed, K skipped`.
    Test(TestArgs),
    /// Disassemble a script into text, one instruction per line.
    Disasm(DisasmArgs),
    /// Assemble text (as `disasm` prints it) into a script, printed as hex.
    Asm(AsmArgs),
    /// Benchmark the engine on a fixed NeoVM script set; reports ns per VM instruction.
    Bench(crate::neo_bench::BenchArgs),
    /// Deploy a contract (.nef + manifest) to the local state; prints its hash, GAS and notifications.
    Deploy(crate::neo_platform::DeployArgs),
    /// Invoke a contract method; prints state, stack (Neo RPC JSON), notifications, logs, GAS.
    Invoke(crate::neo_platform::InvokeArgs),
    /// Show a contract's storage.
    Storage(crate::neo_platform::StorageArgs),
    /// List native and deployed contracts.
    Contracts(crate::neo_platform::ContractsArgs),
    /// List wallet accounts with balances, or create one (`accounts new NAME`).
    Accounts(crate::neo_platform::AccountsArgs),
    /// Transfer NEO or GAS from an account.
    Transfer(crate::neo_platform::TransferArgs),
    /// Oracle requests: list them, or respond to one and run its callback.
    Oracle(crate::neo_platform::OracleArgs),
    /// Gas profile of an invocation (run as `invoke --test`): a table per contract, method
    /// and opcode; --svg writes a flame graph, --folded folded stacks.
    Profile(crate::neo_profile::ProfileArgs),
    /// Step through an invocation (run as `invoke --test`): step, next, out, continue,
    /// break, stack, slots, storage; commands from the terminal, stdin or --script.
    Debug(crate::neo_debug::DebugArgs),
}

/// Where a script comes from.
#[derive(Args)]
struct ScriptSource {
    /// The script as hex (an optional 0x prefix is allowed).
    #[arg(long, conflicts_with = "file")]
    script: Option<String>,
    /// A file holding the script: raw bytes, hex text, or assembly text when it ends in `.asm`.
    #[arg(long)]
    file: Option<PathBuf>,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    source: ScriptSource,
    /// Print one line per instruction to stderr: ip, opcode, evaluation stack (top first).
    #[arg(long)]
    trace: bool,
    /// Gas limit in datoshi; each instruction costs its opcode price times the default
    /// execution fee factor (30). Running out faults with "Insufficient GAS.".
    #[arg(long)]
    gas: Option<u64>,
    /// Validate the script strictly first (as Neo does for deployed contracts): every jump,
    /// call and TRY target on an instruction boundary, type operands defined.
    #[arg(long)]
    strict: bool,
}

#[derive(Args)]
struct TestArgs {
    /// JSON test files or folders (searched recursively for *.json).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Args)]
struct DisasmArgs {
    #[command(flatten)]
    source: ScriptSource,
    /// The script as hex, instead of --script or --file.
    #[arg(conflicts_with_all = ["script", "file"])]
    hex: Option<String>,
}

#[derive(Args)]
struct AsmArgs {
    /// The assembly file (`-` for standard input).
    input: PathBuf,
    /// Write the raw script bytes to this file instead of printing hex.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// Runs `xvm neo ...`.
pub fn main(args: NeoArgs) -> ExitCode {
    match args.command {
        NeoCommand::Run(a) => run(a),
        NeoCommand::Test(a) => test(a),
        NeoCommand::Disasm(a) => disasm(a),
        NeoCommand::Asm(a) => asm(a),
        NeoCommand::Bench(a) => crate::neo_bench::bench(a),
        NeoCommand::Deploy(a) => crate::neo_platform::deploy(a),
        NeoCommand::Invoke(a) => crate::neo_platform::invoke(a),
        NeoCommand::Storage(a) => crate::neo_platform::storage(a),
        NeoCommand::Contracts(a) => crate::neo_platform::contracts(a),
        NeoCommand::Accounts(a) => crate::neo_platform::accounts(a),
        NeoCommand::Transfer(a) => crate::neo_platform::transfer(a),
        NeoCommand::Oracle(a) => crate::neo_platform::oracle_cmd(a),
        NeoCommand::Profile(a) => crate::neo_profile::main(a),
        NeoCommand::Debug(a) => crate::neo_debug::main(a),
    }
}

fn decode_hex(text: &str) -> Result<Vec<u8>, String> {
    let t: String = text.split_whitespace().collect();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(&t);
    parse_hex(t).ok_or_else(|| "invalid hex: expected an even number of hex digits".to_string())
}

fn load_source(src: &ScriptSource, positional_hex: Option<&str>) -> Result<Vec<u8>, String> {
    if let Some(h) = src.script.as_deref().or(positional_hex) {
        return decode_hex(h);
    }
    let Some(path) = &src.file else {
        return Err("give the script with --script HEX or --file FILE".into());
    };
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if path.extension().is_some_and(|e| e == "asm") {
        let text =
            String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 text", path.display()))?;
        return assemble(&text).map_err(|e| format!("{}: {e}", path.display()));
    }
    // Hex text if it looks like hex, raw bytes otherwise.
    if let Ok(text) = std::str::from_utf8(&bytes) {
        let t = text.trim();
        let body = t.strip_prefix("0x").unwrap_or(t);
        if !body.is_empty()
            && body
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c.is_whitespace())
        {
            return decode_hex(t);
        }
    }
    Ok(bytes)
}

/// The command-line host: no system calls yet (the interop layer lives in `xvm-neo`), optional
/// gas metering and tracing.
struct CliHost {
    trace: bool,
    /// The limit (`u64::MAX` without `--gas`: never reached, since the sum of fees cannot
    /// get there).
    gas_limit: u64,
    gas_used: u64,
    /// Each opcode's fee (its price times the fee factor), looked up once per instruction.
    fees: [u64; 256],
}

const EXEC_FEE_FACTOR: u64 = 30;

impl CliHost {
    fn new(trace: bool, gas_limit: Option<u64>) -> CliHost {
        CliHost {
            trace,
            gas_limit: gas_limit.unwrap_or(u64::MAX),
            gas_used: 0,
            fees: std::array::from_fn(|op| OpCode(op as u8).price() as u64 * EXEC_FEE_FACTOR),
        }
    }
}

impl Interop for CliHost {
    fn syscall(&mut self, _engine: &mut ExecutionEngine, id: u32) -> Result<(), VmError> {
        Err(fault(format!(
            "Syscall 0x{id:08x} is not available in `xvm neo run` (no interop layer)"
        )))
    }

    #[inline]
    fn pre_execute(
        &mut self,
        engine: &ExecutionEngine,
        ins: &Instruction<'_>,
    ) -> Result<(), VmError> {
        if self.trace {
            trace_line(engine, ins.opcode);
        }
        self.gas_used += self.fees[ins.opcode.0 as usize];
        if self.gas_used > self.gas_limit {
            return Err(fault("Insufficient GAS."));
        }
        Ok(())
    }
}

/// One `--trace` line: ip, opcode, invocation depth, evaluation stack (top first).
#[cold]
#[inline(never)]
fn trace_line(engine: &ExecutionEngine, opcode: OpCode) {
    if let Some(ctx) = engine.current_context() {
        let stack: Vec<Json> = engine
            .evaluation_stack(ctx)
            .iter()
            .rev()
            .map(item_to_json)
            .collect();
        eprintln!(
            "{:>5} {:<12} depth={} stack={}",
            ctx.ip,
            opcode.to_string(),
            engine.invocation_stack().len(),
            Json::Array(stack)
        );
    }
}

fn run(a: RunArgs) -> ExitCode {
    let bytes = match load_source(&a.source, None) {
        Ok(b) => b,
        Err(e) => return crate::usage_error(e),
    };
    let mut engine = ExecutionEngine::new(Limits::default());
    let mut host = CliHost::new(a.trace, a.gas);
    let script = if a.strict {
        match Script::new_strict(bytes) {
            Ok(s) => s,
            Err(e) => return crate::usage_error(format!("invalid script: {e}")),
        }
    } else {
        Script::new(bytes)
    };
    if !script.is_empty() {
        if let Err(e) = engine.load_script(script, -1, 0) {
            return crate::usage_error(e);
        }
    }
    let state = engine.execute(&mut host);
    println!("state: {state}");
    println!("gas: {}", host.gas_used);
    let results: Vec<Json> = engine
        .result_stack()
        .iter()
        .rev()
        .map(item_to_json)
        .collect();
    println!("result: {}", Json::Array(results).to_pretty());
    if let Some(m) = engine.fault_message() {
        println!("fault: {m}");
    }
    if state == VmState::Halt {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn collect_json(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let rd = std::fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_json(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    Ok(())
}

fn test(a: TestArgs) -> ExitCode {
    let mut files = Vec::new();
    for p in &a.paths {
        if let Err(e) = collect_json(p, &mut files) {
            return crate::usage_error(e);
        }
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    for f in &files {
        let text = match std::fs::read(f) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => {
                println!("FAIL {}: {e}", f.display());
                failed += 1;
                continue;
            }
        };
        match run_file_text(&text) {
            Ok(report) => {
                for o in &report.outcomes {
                    if o.failures.is_empty() {
                        passed += 1;
                    } else {
                        failed += 1;
                        println!("FAIL {} :: {}", f.display(), o.name);
                        for m in &o.failures {
                            println!("    {m}");
                        }
                    }
                }
            }
            Err(e) => {
                println!("FAIL {}: {e}", f.display());
                failed += 1;
            }
        }
    }
    println!("{passed} passed, {failed} failed, 0 skipped");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn disasm(a: DisasmArgs) -> ExitCode {
    match load_source(&a.source, a.hex.as_deref()) {
        Ok(bytes) => {
            print!("{}", disassemble(&bytes));
            ExitCode::SUCCESS
        }
        Err(e) => crate::usage_error(e),
    }
}

fn asm(a: AsmArgs) -> ExitCode {
    let text = if a.input.as_os_str() == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            return crate::usage_error(format!("stdin: {e}"));
        }
        s
    } else {
        match std::fs::read_to_string(&a.input) {
            Ok(s) => s,
            Err(e) => return crate::usage_error(format!("{}: {e}", a.input.display())),
        }
    };
    let bytes = match assemble(&text) {
        Ok(b) => b,
        Err(e) => return crate::usage_error(e),
    };
    match &a.output {
        Some(out) => {
            if let Err(e) = std::fs::write(out, &bytes) {
                return crate::usage_error(format!("{}: {e}", out.display()));
            }
        }
        None => println!(
            "0x{}",
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ),
    }
    ExitCode::SUCCESS
}
