//! `xvm evm statetest`: runs Ethereum state tests.

use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use xvm_ethereum::statetest::{collect_files, format_summary, run_files, Outcome, RunOptions};
use xvm_evm::{Interpreter, Revision};

/// Makes glibc serve every allocation of 128 KiB or more (its default threshold) with fresh
/// pages from the kernel, for the whole run, instead of raising the threshold each time such a
/// block is freed. With the moving threshold, whether a file's large EVM memories (say 600 frames
/// of 1 MB that touch one word each) came as untouched zero pages or as recycled heap that
/// calloc must clear depended on what ran before: the same run of the Cancun files took 4.7 s
/// or 6.5 s (0.15 GB or 0.63 GB peak). Fixed, it took 5.0 s and 0.12 GB every time (measured
/// in session 8 of issue #12, see BENCHMARKS.md).
fn fixed_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only changes an allocator parameter; called before the worker threads
    // start. It returns 0 on failure, which leaves the defaults in place (nothing to handle).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Arguments of `xvm evm statetest`.
#[derive(Args)]
pub struct StatetestArgs {
    /// Test files or folders (folders are searched for .json files).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Run only this fork (e.g. Cancun, EIP150, ConstantinopleFix).
    #[arg(long)]
    fork: Option<String>,
    /// Run only tests whose name or file path contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Write one JSON object per post entry to stdout (the summary then goes to stderr).
    #[arg(long)]
    json: bool,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long = "jobs", default_value_t = 0)]
    jobs: usize,
    /// Execute through this EVMC VM (`path.so[,option=value...]`) instead of xvm's own
    /// interpreter; xvm's world state is the host.
    #[arg(long, value_name = "PATH.so")]
    vm: Option<String>,
}

/// Runs `xvm evm statetest`.
pub fn main(args: StatetestArgs) -> ExitCode {
    fixed_mmap_threshold();
    let fork = match args.fork.as_deref().map(str::parse::<Revision>).transpose() {
        Ok(f) => f,
        Err(e) => return crate::usage_error(e),
    };
    let files = match collect_files(&args.paths) {
        Ok(f) => f,
        Err(e) => return crate::usage_error(e),
    };
    if files.is_empty() {
        return crate::usage_error("no test files found");
    }
    let opts = RunOptions {
        fork,
        filter: args.filter,
        jobs: args.jobs,
        ..RunOptions::default()
    };
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(files.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} files [{elapsed_precise}] {msg}",
        ) {
            b.set_style(style);
        }
        Some(b)
    } else {
        None
    };
    let failures = std::sync::atomic::AtomicUsize::new(0);
    let on_done = |r: &[xvm_ethereum::statetest::EntryResult]| {
        let f = r
            .iter()
            .filter(|e| matches!(e.outcome, Outcome::Failed(_)))
            .count();
        let total = failures.fetch_add(f, std::sync::atomic::Ordering::Relaxed) + f;
        if let Some(b) = &bar {
            b.inc(1);
            if f > 0 {
                b.set_message(format!("{total} failed"));
            }
        }
    };
    let results = match &args.vm {
        None => run_files(&files, &Interpreter, &opts, &on_done),
        Some(config) => match evmc::LoadedVm::load_and_configure(config) {
            Ok(vm) => run_files(&files, &vm, &opts, &on_done),
            Err(e) => return crate::usage_error(format!("--vm: {e}")),
        },
    };
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let summary = format_summary(&results, usize::MAX);
    if args.json {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        for r in &results {
            let _ = writeln!(out, "{}", r.to_json());
        }
        let _ = out.flush();
        eprintln!("{summary}");
    } else {
        println!("{summary}");
    }
    let failed = results
        .iter()
        .any(|r| matches!(r.outcome, Outcome::Failed(_)));
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
