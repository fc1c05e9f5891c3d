//! `xvm evm bench`: runs the EVM benchmark inputs the way evmone's benchmark does. Each file's
//! contract (`pre[to].code`) runs on each `data[i]` input straight through the engine with an
//! in-memory host. Analysis is outside the timing; a warm-up run comes first. Prints per input
//! the gas used, the median and fastest run, Mgas/s (from the median), and the number of runs.

use crate::usage_error;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use xvm_bench::measure::{bench, Timing};
use xvm_bench::{Case, GAS};
use xvm_evm::{AnalyzedCode, ExecResult, Interpreter, Revision, Vm};

/// Arguments of `xvm evm bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// Benchmark files or folders (state-test JSON); default: the `main` and `micro` folders of
    /// `../shared/fixtures/ethereum/benchmarks` (or `$XVM_FIXTURES/ethereum/benchmarks`).
    paths: Vec<PathBuf>,
    /// Only inputs whose name (`folder/test/label`) contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Fork, case-insensitive: frontier .. osaka.
    #[arg(long = "rev", visible_alias = "fork", default_value = "osaka")]
    rev: String,
    /// Timed runs per input (after one warm-up run).
    #[arg(long, default_value_t = 10)]
    runs: usize,
    /// Also run the synthetic per-opcode-family loops (alone when no path is given and
    /// `--synthetic-only` is set).
    #[arg(long)]
    synthetic: bool,
    /// Only the synthetic loops, no fixture files.
    #[arg(long, conflicts_with = "paths")]
    synthetic_only: bool,
    /// One JSON object per input instead of the table.
    #[arg(long)]
    json: bool,
    /// Execute through this EVMC VM (`path.so[,option=value...]`) instead of xvm's interpreter.
    #[arg(long, value_name = "PATH.so")]
    vm: Option<String>,
}

/// Runs `xvm evm bench`.
pub fn main(args: BenchArgs) -> ExitCode {
    let rev: Revision = match args.rev.parse() {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    if args.runs == 0 {
        return usage_error("--runs must be at least 1");
    }
    let mut cases = Vec::new();
    if !args.synthetic_only {
        match xvm_bench::fixtures::load_all(&args.paths) {
            Ok(c) => cases = c,
            Err(e) => return usage_error(e),
        }
    }
    if args.synthetic || args.synthetic_only {
        cases.extend(xvm_bench::synthetic::cases());
    }
    if let Some(f) = &args.filter {
        cases.retain(|c| c.name().contains(f.as_str()));
    }
    if cases.is_empty() {
        return usage_error("no benchmark inputs (check the paths and --filter)");
    }
    match &args.vm {
        None => run_all(&Interpreter, rev, &cases, &args),
        Some(config) => match evmc::LoadedVm::load_and_configure(config) {
            Ok(vm) => run_all(&vm, rev, &cases, &args),
            Err(e) => usage_error(format!("--vm: {e}")),
        },
    }
}

fn run_all<V: Vm>(vm: &V, rev: Revision, cases: &[Case], args: &BenchArgs) -> ExitCode {
    let mut out = std::io::stdout().lock();
    if !args.json {
        let _ = writeln!(
            out,
            "{:<44} {:>12} {:>11} {:>11} {:>9} {:>5}",
            "input", "gas used", "median", "min", "Mgas/s", "runs"
        );
    }
    let mut failed = false;
    for case in cases {
        let code = AnalyzedCode::new(&case.code);
        match bench(vm, rev, &code, &case.input, 1, args.runs) {
            Ok((result, timing)) => {
                let line = if args.json {
                    json_line(case, &result, &timing)
                } else {
                    table_line(case, &result, &timing)
                };
                let _ = writeln!(out, "{line}");
            }
            Err(e) => {
                failed = true;
                let _ = out.flush();
                eprintln!("{}: {e}", case.name());
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn mgas_per_s(gas: i64, t: Duration) -> f64 {
    gas as f64 / t.as_secs_f64().max(1e-12) / 1e6
}

fn table_line(case: &Case, r: &ExecResult, t: &Timing) -> String {
    let gas = GAS - r.gas_left;
    let status = if r.status.is_success() {
        String::new()
    } else {
        format!("  ({})", r.status)
    };
    format!(
        "{:<44} {:>12} {:>11} {:>11} {:>9.1} {:>5}{status}",
        case.name(),
        gas,
        fmt_time(t.median),
        fmt_time(t.min),
        mgas_per_s(gas, t.median),
        t.runs
    )
}

fn json_line(case: &Case, r: &ExecResult, t: &Timing) -> String {
    let gas = GAS - r.gas_left;
    serde_json::json!({
        "input": case.name(),
        "status": r.status.to_string(),
        "gas_used": gas,
        "median_ns": t.median.as_nanos() as u64,
        "min_ns": t.min.as_nanos() as u64,
        "mgas_per_s": mgas_per_s(gas, t.median),
        "runs": t.runs,
    })
    .to_string()
}

fn fmt_time(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 10_000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.2} us")
    }
}
