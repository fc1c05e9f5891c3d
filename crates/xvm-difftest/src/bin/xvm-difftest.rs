//! Long differential campaigns: `xvm-difftest [CASES] [SEED] [THREADS] [START]`.
//! Prints progress and every mismatch (with its reproducer path); exits 1 on a mismatch.

fn arg(n: usize, default: u64) -> u64 {
    match std::env::args().nth(n) {
        Some(v) => {
            let parsed = match v.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16),
                None => v.parse(),
            };
            parsed.unwrap_or_else(|_| {
                eprintln!(
                    "usage: xvm-difftest [CASES] [SEED] [THREADS] [START] (bad number {v:?})"
                );
                std::process::exit(2)
            })
        }
        None => default,
    }
}

fn main() {
    let cases = arg(1, 100_000);
    let seed = arg(2, 0x5eed);
    let threads = arg(
        3,
        std::thread::available_parallelism().map_or(2, |n| n.get() as u64),
    ) as usize;
    let start = arg(4, 0);
    let t0 = std::time::Instant::now();
    let report = xvm_difftest::campaign(seed, start, cases, threads, 20, &|done| {
        if done % 50_000 == 0 {
            let s = t0.elapsed().as_secs_f64();
            eprintln!("{done} cases in {s:.0}s ({:.0}/s)", done as f64 / s);
        }
    });
    let s = t0.elapsed().as_secs_f64();
    for f in &report.findings {
        println!("{f}");
    }
    println!(
        "seed {seed:#x}, cases {start}..{}: {} run, {} executed, {} mismatches, {:.1}s, {:.0} cases/s",
        start + report.cases,
        report.cases,
        report.executed,
        report.findings.len(),
        s,
        report.cases as f64 / s
    );
    if !report.findings.is_empty() {
        std::process::exit(1);
    }
}
